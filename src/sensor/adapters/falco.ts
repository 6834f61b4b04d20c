import { RuntimeEvent, type Converted, type RuntimeEventKind } from '../../model/index.ts';
import { addressPair, compact, integer, isObject, isoFromNanoseconds, text, type Json } from './common.ts';

const KIND_OF_TYPE: Readonly<Record<string, RuntimeEventKind>> = {
  execve: 'exec', execveat: 'exec', connect: 'connect', accept: 'accept', accept4: 'accept', listen: 'listen', bind: 'listen',
  open: 'open', openat: 'open', openat2: 'open', creat: 'write', unlink: 'write', unlinkat: 'write', rename: 'write', renameat: 'write',
  renameat2: 'write', mkdir: 'write', mkdirat: 'write', rmdir: 'write', link: 'write', linkat: 'write', symlink: 'write', symlinkat: 'write',
  chmod: 'write', fchmodat: 'write', procexit: 'exit',
};

/** Falco's priorities by the number its gRPC output uses. */
const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

function timeOf(line: Json, fields: Json): string | undefined {
  if (typeof line.time === 'string' && !Number.isNaN(Date.parse(line.time))) return line.time;
  // the gRPC output: { seconds, nanos }
  if (isObject(line.time) && integer(line.time.seconds) !== undefined) {
    return isoFromNanoseconds(BigInt(integer(line.time.seconds)!) * 1_000_000_000n + BigInt(integer(line.time.nanos) ?? 0));
  }
  const ns = fields['evt.time'];
  if (typeof ns === 'number' || (typeof ns === 'string' && /^\d+$/.test(ns))) return isoFromNanoseconds(BigInt(Math.round(Number(ns))));
  return undefined;
}

/**
 * One line of Falco's JSON output (`json_output: true`, also what Falcosidekick
 * forwards) as a RuntimeEvent: the rule hit is kept as `alert`, and the fields
 * it printed say what happened (exec, connect, open/write). The gRPC form
 * (`time: {seconds, nanos}`, numeric priority) is read too. Metrics snapshots
 * and Kubernetes audit events are rejected with the reason.
 */
export function fromFalco(line: unknown): Converted {
  if (!isObject(line)) return { rejected: 'not a JSON object' };
  const fields = line.output_fields;
  if (!isObject(fields)) return { rejected: 'no output_fields: not a Falco alert' };
  if ('falco.version' in fields || 'scap.n_evts' in fields) return { rejected: 'a Falco metrics snapshot, not an event' };
  const source = text(line.source) ?? text(fields['evt.source']) ?? 'syscall';
  if (source === 'k8s_audit' || Object.keys(fields).some((k) => k.startsWith('ka.'))) return { rejected: 'a Kubernetes audit event, not a container runtime event' };
  if (source !== 'syscall') return { rejected: `events of the ${source} source are not container runtime events` };
  const rule = text(line.rule);
  const time = timeOf(line, fields);
  if (rule === undefined || time === undefined) return { rejected: `no ${rule === undefined ? 'rule' : 'time'}` };

  const type = text(fields['evt.type']);
  const fd = text(fields['fd.name']);
  const pair = fd === undefined ? undefined : addressPair(fd);
  const path = text(fields['fd.name']) ?? text(fields['evt.arg.path']) ?? text(fields['evt.arg.name']);
  const kind: RuntimeEventKind = (type !== undefined ? KIND_OF_TYPE[type] : undefined)
    ?? (pair !== undefined ? 'connect' : fd !== undefined ? (fields['evt.is_open_write'] === true ? 'write' : 'open') : text(fields['proc.cmdline']) !== undefined ? 'exec' : 'alert');
  const containerId = text(fields['container.id']);
  const repository = text(fields['container.image.repository']);
  const tag = text(fields['container.image.tag']);

  const event = compact({
    kind,
    time,
    source: 'falco' as const,
    host: text(line.hostname) ?? text(fields['evt.hostname']),
    container: containerId === undefined || containerId === 'host' ? undefined : {
      id: containerId,
      name: text(fields['container.name']),
      image: repository === undefined ? undefined : tag === undefined ? repository : `${repository}:${tag}`,
      imageDigest: text(fields['container.image.digest']),
      pod: text(fields['k8s.pod.name']),
      namespace: text(fields['k8s.ns.name']),
    },
    process: {
      pid: integer(fields['proc.pid']),
      ppid: integer(fields['proc.ppid']),
      path: text(fields['proc.exepath']),
      name: text(fields['proc.name']),
      cmdline: text(fields['proc.cmdline']),
      uid: integer(fields['user.uid']),
      user: text(fields['user.name']),
      parent: { name: text(fields['proc.pname']) },
    },
    network: pair && (kind === 'connect' || kind === 'accept' || kind === 'listen') ? {
      protocol: fields['fd.l4proto'] === 'udp' ? 'udp' as const : 'tcp' as const,
      localAddress: pair.local[0], localPort: pair.local[1], remoteAddress: pair.remote[0], remotePort: pair.remote[1],
    } : undefined,
    file: (kind === 'open' || kind === 'write') && path !== undefined && pair === undefined ? { path, operation: type } : undefined,
    syscall: type,
    alert: { rule, priority: typeof line.priority === 'number' ? PRIORITIES[line.priority] : text(line.priority), output: text(line.output) },
  });
  const parsed = RuntimeEvent.safeParse(event);
  return parsed.success ? { event: parsed.data } : { rejected: `does not make an event: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
}
