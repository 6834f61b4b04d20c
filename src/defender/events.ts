import type { RuntimeEvent } from '../model/index.ts';
import type { ContainerInfo } from '../runtime/index.ts';
import type { SensorRecord } from '../sensor/index.ts';

/** What the defender knows of a process in a container: from its exec, or read from /proc. */
export interface KnownProcess {
  pid: number;
  ppid?: number;
  path?: string;
  name?: string;
  argv?: string[];
  uid?: number;
  /** The file it runs, links resolved (from /proc), for drift. */
  exe?: string;
  /** The container runtime itself (`runc init` joining the container before it runs the command): not the container's behaviour. */
  runtime?: boolean;
  /** An audit already named this process (an unexpected program, drift): its syscalls and capabilities are that story, not new ones. */
  flagged?: boolean;
}

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
 * A sensor record of a known container as a RuntimeEvent. `process` is the
 * process the record is about (for an exec: the program it became), `parent`
 * its parent when known.
 */
export function recordEvent(record: SensorRecord, info: ContainerInfo, time: string, process?: KnownProcess, parent?: KnownProcess): RuntimeEvent | undefined {
  const base = { time, source: 'tenet' as const, container: eventContainer(info), process: processPart(process, parent) };
  switch (record.tag) {
    case 'exec':
      return { kind: 'exec', ...base, syscall: 'execve' };
    case 'exit':
      return { kind: 'exit', ...base };
    case 'listen':
      return { kind: 'listen', ...base, network: { protocol: record.protocol === 'tcp' ? 'tcp' : 'other', localAddress: record.address, localPort: record.port } };
    case 'connect':
      return { kind: 'connect', ...base, network: { protocol: record.protocol, remoteAddress: record.address, remotePort: record.port } };
    case 'accept':
      return { kind: 'accept', ...base, network: { protocol: 'tcp', localPort: record.port, remoteAddress: record.peer, remotePort: record.peerPort } };
    case 'dns':
      return { kind: 'dns', ...base, dns: { names: [record.name] } };
    case 'write':
      return { kind: 'write', ...base, file: { path: record.path, operation: 'open for writing' } };
    case 'read':
      return { kind: 'open', ...base, file: { path: record.path, operation: 'read' } };
    case 'syscall':
      return { kind: 'syscall', ...base, syscall: record.syscall };
    case 'capability':
      return { kind: 'capability', ...base, capability: record.capability, ...(record.denied && { denied: true }) };
    case 'argv':
      return undefined;
  }
}
