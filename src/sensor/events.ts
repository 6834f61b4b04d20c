import type { RuntimeEvent } from '../model/index.ts';
import type { ContainerInfo, Host, ProcessFacts } from '../runtime/index.ts';
import type { SensorRecord } from './bpftrace/parse.ts';

/** What the defender knows of a process in a container: from its exec, or read from /proc. */
export interface KnownProcess extends ProcessFacts {
  ppid?: number;
  uid?: number;
  /** An audit already named this process (an unexpected program, drift): its syscalls and capabilities are that story, not new ones. */
  flagged?: boolean;
}

/** A process's own file, as an exec names it: `/proc/self/exe`, `/proc/thread-self/exe`, `/proc/PID/exe`. */
const OWN_FILE = /^\/proc\/(self|thread-self|\d+)\/exe$/;

/** The container part of an event. */
export function eventContainer(info: ContainerInfo): NonNullable<RuntimeEvent['container']> {
  return {
    id: info.id,
    name: info.name,
    image: info.image,
    imageId: info.imageId,
    ...(info.imageDigest !== undefined && { imageDigest: info.imageDigest }),
    ...(info.pod !== undefined && { pod: info.pod }),
    ...(info.namespace !== undefined && { namespace: info.namespace }),
  };
}

export function processPart(p: KnownProcess | undefined, parent?: KnownProcess): RuntimeEvent['process'] {
  if (p === undefined) return undefined;
  return {
    pid: p.pid,
    ...(p.ppid !== undefined && { ppid: p.ppid }),
    ...(p.path !== undefined && { path: p.path }),
    ...(p.name !== undefined && { name: p.name }),
    ...(p.argv !== undefined && { argv: p.argv }),
    ...(p.uid !== undefined && { uid: p.uid }),
    ...(parent !== undefined && { parent: { pid: parent.pid, ...(parent.path !== undefined && { path: parent.path }), ...(parent.name !== undefined && { name: parent.name }) } }),
  };
}

/**
 * A sensor record of a known container as a RuntimeEvent, with its container
 * and process parts made already (they are shared by the events of the same
 * container and process).
 */
function eventOf(record: SensorRecord, time: string, container: RuntimeEvent['container'], process: RuntimeEvent['process']): RuntimeEvent | undefined {
  switch (record.tag) {
    case 'exec':
      return { kind: 'exec', time, source: 'tenet', container, process, syscall: 'execve' };
    case 'exit':
      return { kind: 'exit', time, source: 'tenet', container, process };
    case 'listen':
      return { kind: 'listen', time, source: 'tenet', container, process, network: { protocol: record.protocol === 'tcp' ? 'tcp' : 'other', localAddress: record.address, localPort: record.port } };
    case 'connect':
      return { kind: 'connect', time, source: 'tenet', container, process, network: { protocol: record.protocol, remoteAddress: record.address, remotePort: record.port } };
    case 'accept':
      return { kind: 'accept', time, source: 'tenet', container, process, network: { protocol: 'tcp', localPort: record.port, remoteAddress: record.peer, remotePort: record.peerPort } };
    case 'dns':
      return { kind: 'dns', time, source: 'tenet', container, process, dns: { names: [record.name] } };
    case 'write':
      return { kind: 'write', time, source: 'tenet', container, process, file: { path: record.path, operation: 'open for writing' } };
    case 'read':
      return { kind: 'open', time, source: 'tenet', container, process, file: { path: record.path, operation: 'read' } };
    case 'syscall':
      return { kind: 'syscall', time, source: 'tenet', container, process, syscall: record.syscall };
    case 'capability':
      return { kind: 'capability', time, source: 'tenet', container, process, capability: record.capability, ...(record.denied && { denied: true }) };
    case 'argv':
    case 'killed':
      return undefined;
  }
}

/**
 * The processes of one container as the sensor saw them: each exec with its
 * argv and parent, and, for a process that ran before the sensor saw its
 * exec, what /proc says of it. Turns the container's records into events.
 */
export class ProcessTable {
  private readonly processes = new Map<number, KnownProcess>();
  /** argv records, waiting for their exec. */
  private readonly argv = new Map<number, string[]>();
  /** The process part of each process's events but its exec (which names the parent too), made once. */
  private readonly parts = new Map<number, RuntimeEvent['process']>();
  /** The container part of its events, for the container as it was last given. */
  private container: { info: ContainerInfo; part: RuntimeEvent['container'] } | undefined;

  get(pid: number | undefined): KnownProcess | undefined {
    return pid === undefined ? undefined : this.processes.get(pid);
  }

  /** A process found running (read from /proc). */
  add(process: KnownProcess): void {
    this.processes.set(process.pid, process);
    this.parts.delete(process.pid);
  }

  private containerPart(info: ContainerInfo): RuntimeEvent['container'] {
    if (this.container?.info !== info) this.container = { info, part: eventContainer(info) };
    return this.container.part;
  }

  /** A record of the container as an event (undefined for an argv record, which waits for its exec). */
  event(record: SensorRecord, info: ContainerInfo, time: string, host: Pick<Host, 'exe' | 'process'>): RuntimeEvent | undefined {
    if (record.tag === 'argv') {
      this.argv.set(record.pid, record.argv);
      return undefined;
    }
    if (record.tag === 'exec') {
      const argv = this.argv.get(record.pid);
      this.argv.delete(record.pid);
      const parent = this.processes.get(record.ppid) ?? { pid: record.ppid, name: record.parentName };
      // the file the kernel ran: read now, or, for `/proc/self/exe` (busybox's applets, re-executing programs), the
      // program the process was before this exec (a forked child's is its parent's), or that process's for `/proc/PID/exe`
      const exe = host.exe(record.pid) ?? this.ownFile(record.path, record.pid, parent);
      // a process that runs its own file again runs that program: the model, the rules and the messages name the file
      const path = exe !== undefined && OWN_FILE.test(record.path) ? exe : record.path;
      const process: KnownProcess = {
        pid: record.pid, ppid: record.ppid, path, name: record.name, uid: record.uid,
        ...(argv !== undefined && { argv }), ...(exe !== undefined && { exe }), ...(parent.flagged === true && { flagged: true }),
      };
      this.processes.set(record.pid, process);
      this.parts.delete(record.pid);
      return eventOf(record, time, this.containerPart(info), processPart(process, parent));
    }
    let process = this.processes.get(record.pid);
    if (process === undefined) {
      process = host.process(record.pid);
      this.processes.set(record.pid, process);
    }
    let part = this.parts.get(record.pid);
    if (part === undefined) this.parts.set(record.pid, part = processPart(process));
    if (record.tag === 'exit') {
      this.processes.delete(record.pid);
      this.parts.delete(record.pid);
    }
    return eventOf(record, time, this.containerPart(info), part);
  }

  /** The program `/proc/self/exe`, `/proc/thread-self/exe` or `/proc/PID/exe` names at an exec by `pid`, when the table knows it. */
  private ownFile(path: string, pid: number, parent: KnownProcess): string | undefined {
    const named = OWN_FILE.exec(path)?.[1];
    if (named === undefined) return undefined;
    const was = /^\d+$/.test(named) && Number(named) !== pid ? this.processes.get(Number(named)) : this.processes.get(pid) ?? parent;
    const file = was?.exe ?? was?.path;
    return file !== undefined && !/^\/proc\//.test(file) ? file : undefined;
  }

  /** The names of a process's ancestors in its container, nearest first (as far as the sensor saw them). */
  ancestors(process: KnownProcess | undefined): string[] {
    const names: string[] = [];
    for (const parent of this.up(process)) {
      if (parent?.name === undefined) break;
      names.push(parent.name);
    }
    return names;
  }

  /** The process ids of a process's ancestors in its container, nearest first, as far as the sensor saw them. */
  lineage(pid: number | undefined): number[] {
    const pids: number[] = [];
    for (const parent of this.up(this.get(pid))) {
      if (parent === undefined) break;
      pids.push(parent.pid);
    }
    return pids;
  }

  /** A process's parent, its parent's parent, …: at most 16, each once (a parent not seen ends the walk). */
  private *up(process: KnownProcess | undefined): Generator<KnownProcess | undefined> {
    const seen = new Set<number>();
    for (let p = process; p?.ppid !== undefined && !seen.has(p.ppid) && seen.size < 16; p = this.processes.get(p.ppid)) {
      seen.add(p.ppid);
      yield this.processes.get(p.ppid);
    }
  }

}
