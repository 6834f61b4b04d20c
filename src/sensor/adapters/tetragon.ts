import { splitWords } from '../../intent/index.ts';
import { RuntimeEvent, type Converted, type RuntimeEventKind } from '../../model/index.ts';
import { compact, integer, isObject, text, type Json } from './common.ts';

/** Tetragon's event types (the one key of an exported line) Tenet converts. */
const CONVERTED = ['process_exec', 'process_exit', 'process_connect', 'process_listen', 'process_accept', 'process_kprobe', 'process_tracepoint', 'process_lsm'];

/** Tetragon's other event types, each with why it is not a runtime event of its own. */
const NOT_EVENTS: Readonly<Record<string, string>> = {
  process_close: 'a connection closing: its process_connect carries the peer',
  process_loader: 'a shared library load, not a model dimension',
  process_uprobe: 'a user-space probe hit, which says nothing Tenet models',
  process_throttle: 'a Tetragon throttling notice, not an event',
  rate_limit_info: 'a Tetragon rate-limit notice: events were dropped upstream',
  test: 'a Tetragon test event',
};

/** Kernel functions whose hit means a file was written, or read. */
const WRITE_FUNCTIONS = /(^|_)(write|writev|pwrite64|truncate|ftruncate|unlink|unlinkat|rename|renameat2?|mkdir|rmdir|chmod|fchmodat|chown)$/;
const READ_FUNCTIONS = /(^|_)(read|readv|pread64|open|openat|openat2|file_open|fd_install|kernel_read_file)$/;
/** `security_file_permission`'s mask: MAY_WRITE. */
const MAY_WRITE = 2;

function containerOf(process: Json): RuntimeEvent['container'] {
  const pod = isObject(process.pod) ? process.pod : undefined;
  const container = pod !== undefined && isObject(pod.container) ? pod.container : undefined;
  const id = text(container?.id)?.replace(/^[a-z-]+:\/\//, '') ?? text(process.docker);
  if (id === undefined) return undefined;
  const image = container !== undefined && isObject(container.image) ? container.image : undefined;
  const imageId = text(image?.id)?.replace(/^[a-z-]+:\/\//, '');
  const digest = imageId?.includes('@') ? imageId.slice(imageId.indexOf('@') + 1) : undefined;
  return {
    id,
    name: text(container?.name),
    image: text(image?.name) ?? imageId?.split('@')[0],
    imageDigest: digest?.startsWith('sha256:') ? digest : undefined,
    pod: text(pod?.name),
    namespace: text(pod?.namespace),
  };
}

/** Tetragon prints the arguments as one string; split it as the shell would have. */
function argvOf(binary: string | undefined, args: string | undefined): string[] | undefined {
  if (binary === undefined) return undefined;
  if (args === undefined) return [binary];
  return [binary, ...splitWords(args)];
}

function processOf(process: Json, parent: Json | undefined): RuntimeEvent['process'] {
  const binary = text(process.binary);
  const parentBinary = text(parent?.binary);
  return {
    pid: integer(process.pid),
    ppid: integer(parent?.pid),
    path: binary,
    name: binary?.slice(binary.lastIndexOf('/') + 1),
    argv: argvOf(binary, text(process.arguments)),
    uid: integer(process.uid),
    parent: parent === undefined ? undefined : {
      pid: integer(parent.pid),
      path: parentBinary?.startsWith('/') ? parentBinary : undefined,
      name: parentBinary?.slice(parentBinary.lastIndexOf('/') + 1),
    },
  };
}

/** Tetragon prints some paths without their leading slash (`etc/passwd`). */
function absolute(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

type Details = Pick<RuntimeEvent, 'kind' | 'network' | 'file' | 'syscall' | 'alert'>;

/** A kprobe, tracepoint or LSM hit: a file access, a syscall, or a policy's alert. */
function hookDetails(body: Json, type: string): Details {
  const fn = text(body.function_name) ?? [text(body.subsys), text(body.event)].filter(Boolean).join(':');
  const args = Array.isArray(body.args) ? body.args.filter(isObject) : [];
  const fileArg = args.map((a) => (isObject(a.file_arg) ? text(a.file_arg.path) : isObject(a.path_arg) ? text(a.path_arg.path) : undefined)).find((p) => p !== undefined);
  const mask = args.map((a) => integer(a.int_arg)).find((n) => n !== undefined);
  const syscall = /^__(x64|arm64|ia32)_sys_(\w+)$/.exec(fn)?.[2];
  const alert = { rule: text(body.policy_name) ?? `${type}:${fn}`, output: [fn, ...args.map((a) => JSON.stringify(a))].join(' ') };
  if (fileArg !== undefined) {
    const writes = WRITE_FUNCTIONS.test(fn) || (fn === 'security_file_permission' && mask !== undefined && (mask & MAY_WRITE) !== 0);
    if (writes || READ_FUNCTIONS.test(fn) || fn === 'security_file_permission') {
      return { kind: writes ? 'write' : 'open', file: { path: absolute(fileArg), operation: fn }, syscall, alert };
    }
  }
  if (syscall !== undefined) return { kind: 'syscall', syscall, alert };
  return { kind: 'alert', alert };
}

function details(type: string, body: Json): Details | string {
  switch (type) {
    case 'process_exec':
      return { kind: 'exec' };
    case 'process_exit':
      return { kind: 'exit' };
    case 'process_connect':
    case 'process_accept': {
      const remote = text(body.destination_ip);
      if (remote === undefined) return `a ${type} without a destination`;
      const kind: RuntimeEventKind = type === 'process_connect' ? 'connect' : 'accept';
      return {
        kind,
        network: {
          protocol: text(body.protocol)?.toLowerCase() === 'udp' ? 'udp' : 'tcp',
          localAddress: text(body.source_ip), localPort: integer(body.source_port),
          remoteAddress: remote, remotePort: integer(body.destination_port),
        },
      };
    }
    case 'process_listen':
      return {
        kind: 'listen',
        network: { protocol: text(body.protocol)?.toLowerCase() === 'udp' ? 'udp' : 'tcp', localAddress: text(body.ip), localPort: integer(body.port) },
      };
    default:
      return hookDetails(body, type);
  }
}

/**
 * One object of Tetragon's JSON export (`tetra getevents -o json`, the export
 * file) as a RuntimeEvent: process exec and exit, connect, listen and accept
 * with both ends, kprobe/tracepoint/LSM hits as file accesses, syscalls or the
 * policy's alert. The Kubernetes pod, container and image digest are kept.
 * Events that are not runtime behaviour (close, loader, throttling) are
 * rejected with the reason.
 */
export function fromTetragon(line: unknown): Converted {
  if (!isObject(line)) return { rejected: 'not a JSON object' };
  const type = Object.keys(line).find((k) => k.startsWith('process_') || k in NOT_EVENTS);
  if (type === undefined) return { rejected: 'no Tetragon event type (process_exec, process_kprobe, …)' };
  if (type in NOT_EVENTS) return { rejected: NOT_EVENTS[type]! };
  if (!CONVERTED.includes(type)) return { rejected: `unknown Tetragon event type ${type}` };
  const body = line[type];
  if (!isObject(body) || !isObject(body.process)) return { rejected: `${type} without a process` };
  const process = body.process;
  // an exec's time is its process's start when the export leaves the line's time out
  const time = text(line.time) ?? (type === 'process_exec' ? text(process.start_time) : undefined);
  if (time === undefined || Number.isNaN(Date.parse(time))) return { rejected: 'no time' };
  const what = details(type, body);
  if (typeof what === 'string') return { rejected: what };

  const event = compact({
    ...what,
    time,
    source: 'tetragon' as const,
    host: text(line.node_name),
    container: containerOf(process),
    process: processOf(process, isObject(body.parent) ? body.parent : undefined),
  });
  const parsed = RuntimeEvent.safeParse(event);
  return parsed.success ? { event: parsed.data } : { rejected: `does not make an event: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
}
