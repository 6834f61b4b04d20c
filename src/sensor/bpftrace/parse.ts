import { capabilityName, capabilityNumber, syscallName, syscallNumber } from '../../knowledge/index.ts';

/** What one line of the sensor says, before it is tied to a container. */
export type SensorRecord =
  | { tag: 'argv'; cgroup: string; pid: number; argv: string[] }
  | { tag: 'exec'; cgroup: string; pid: number; ppid: number; uid: number; path: string; parentName: string; name: string }
  | { tag: 'exit'; cgroup: string; pid: number; code: number }
  | { tag: 'listen'; cgroup: string; pid: number; protocol: 'tcp' | 'other'; port: number; address: string }
  | { tag: 'connect'; cgroup: string; pid: number; protocol: 'tcp' | 'udp' | 'other'; address: string; port: number }
  | { tag: 'accept'; cgroup: string; pid: number; port: number; peer: string; peerPort: number }
  | { tag: 'dns'; cgroup: string; pid: number; name: string }
  | { tag: 'write' | 'read'; cgroup: string; pid: number; path: string }
  | { tag: 'syscall'; cgroup: string; pid: number; syscall: string }
  | { tag: 'capability'; cgroup: string; pid: number; capability: string; denied: boolean }
  /** The exec guard killed a program before its first instruction. */
  | { tag: 'killed'; cgroup: string; pid: number; path: string };

/** A line of bpftrace's JSON output, read. */
export type SensorLine =
  | { record: SensorRecord }
  | { ready: true }
  | { tick: true }
  | { lost: number }
  | { garbage: string };

const SEPARATOR = '\x1f';
const FIELDS: ReadonlyMap<string, number> = new Map(Object.entries({
  argv: 8, exec: 8, exit: 4, listen: 6, connect: 6, accept: 6, dns: 4, write: 4, read: 4, syscall: 4, capability: 5, killed: 4,
}));

/**
 * A DNS question name as the sensor prints it (`%r`: `\x07example\x03com\x00…`):
 * length-prefixed labels up to the zero byte. Undefined when it is not a name.
 */
export function decodeQuestion(raw: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\' && raw[i + 1] === 'x' && /^[0-9a-f]{2}$/i.test(raw.slice(i + 2, i + 4))) {
      bytes.push(parseInt(raw.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      bytes.push(raw.charCodeAt(i) & 0xff);
    }
  }
  const labels: string[] = [];
  let at = 0;
  while (at < bytes.length && bytes[at] !== 0) {
    const length = bytes[at]!;
    if (length > 63 || at + 1 + length > bytes.length) return undefined;
    const label = String.fromCharCode(...bytes.slice(at + 1, at + 1 + length));
    if (!/^[A-Za-z0-9_*-]+$/.test(label)) return undefined;
    labels.push(label.toLowerCase());
    at += 1 + length;
  }
  return labels.length === 0 || at >= bytes.length ? undefined : labels.join('.');
}

/** Whether `value` is decimal digits only (a record's every line goes through this: no regular expression). */
function digits(value: string, from = 0): boolean {
  if (value.length <= from) return false;
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const number = (value: string | undefined): number | undefined => (value !== undefined && digits(value, value.charCodeAt(0) === 45 ? 1 : 0) ? Number(value) : undefined);

/**
 * An IPv4 address as an IPv6 socket has it (`::ffff:10.0.0.7`: a dual-stack
 * server's peer, a dual-stack client's connection) as the IPv4 address it is.
 */
function unmapped(address: string): string {
  return address.length > 7 && address.charCodeAt(0) === 58 && /^::ffff:\d{1,3}(?:\.\d{1,3}){3}$/i.test(address) ? address.slice(7) : address;
}

/** A record from its fields (the tag first), or why it is none. */
function record(f: readonly string[]): SensorRecord | string {
  const tag = f[0]!;
  const expected = FIELDS.get(tag);
  if (expected === undefined) return `unknown record ${JSON.stringify(tag.slice(0, 20))}`;
  if (f.length !== expected) return `${tag} with ${f.length} fields instead of ${expected}`;
  const cgroup = f[1]!;
  const pid = number(f[2]);
  if (!digits(cgroup) || pid === undefined) return `${tag} without a cgroup and pid`;
  switch (tag) {
    case 'argv': {
      // the kernel side reads five slots; the first empty one ends the argv (the rest would be the environment)
      const end = f.slice(3).indexOf('');
      return { tag, cgroup, pid, argv: end === -1 ? f.slice(3) : f.slice(3, 3 + end) };
    }
    case 'exec': {
      const ppid = number(f[3]);
      const uid = number(f[4]);
      if (ppid === undefined || uid === undefined || !f[5]) return 'exec without its parent, user or file';
      return { tag, cgroup, pid, ppid, uid, path: f[5], parentName: f[6]!, name: f[7]! };
    }
    case 'exit':
      return { tag, cgroup, pid, code: number(f[3]) ?? 0 };
    case 'listen': {
      const port = number(f[4]);
      if (port === undefined) return 'listen without a port';
      return { tag, cgroup, pid, protocol: f[3] === 'tcp' ? 'tcp' : 'other', port, address: f[5]! };
    }
    case 'connect': {
      const port = number(f[5]);
      if (port === undefined || !f[4]) return 'connect without a peer';
      return { tag, cgroup, pid, protocol: f[3] === 'tcp' || f[3] === 'udp' ? f[3] : 'other', address: unmapped(f[4]), port };
    }
    case 'accept': {
      const port = number(f[3]);
      const peerPort = number(f[5]);
      if (port === undefined || peerPort === undefined) return 'accept without ports';
      return { tag, cgroup, pid, port, peer: unmapped(f[4]!), peerPort };
    }
    case 'dns': {
      const name = decodeQuestion(f[3]!);
      return name === undefined ? 'a DNS datagram without a question name' : { tag, cgroup, pid, name };
    }
    case 'write':
    case 'read':
    case 'killed':
      return f[3] ? { tag, cgroup, pid, path: f[3] } : `${tag} without a path`;
    case 'syscall': {
      const syscall = syscallName(number(f[3]) ?? -1);
      return syscall === undefined ? `unknown syscall number ${f[3]}` : { tag, cgroup, pid, syscall };
    }
    case 'capability': {
      const capability = capabilityName(number(f[3]) ?? -1);
      return capability === undefined ? `unknown capability ${f[3]}` : { tag, cgroup, pid, capability, denied: f[4] !== '0' };
    }
    default:
      return `unknown record ${tag}`;
  }
}

/**
 * One line of `bpftrace -f json` running the sensor: a record, the sensor's
 * own signals (ready, tick, lost events), or garbage with the reason, which is
 * counted and never stops the stream.
 */
export function parseSensorLine(line: string): SensorLine {
  const fields = printfFields(line);
  if (fields !== undefined) {
    const result = record(fields);
    return typeof result === 'string' ? { garbage: result } : { record: result };
  }
  return parseJsonLine(line);
}

/** How bpftrace writes a printf line, up to its text (then `"}`). */
const PRINTF = '{"type": "printf", "data": "';
const ESCAPED_SEPARATOR = '\\u001f';

/**
 * The fields of a record line as bpftrace writes it, read without a JSON
 * parser (the hot path: every record goes through it): the text's only
 * escapes are the separators and the final newline. Undefined for any other
 * line, or a field with another escape: the JSON parser reads those.
 */
function printfFields(line: string): string[] | undefined {
  if (!line.startsWith(PRINTF) || !line.endsWith('\\n"}')) return undefined;
  const fields = line.slice(PRINTF.length, -4).split(ESCAPED_SEPARATOR);
  for (const f of fields) if (f.includes('\\') || f.includes('"')) return undefined;
  // the sensor's own signals are read the slow way: they come once
  return fields.length > 1 && fields[0] !== 'ready' ? fields : undefined;
}

/** Any line of bpftrace's JSON output, read with the JSON parser. */
function parseJsonLine(line: string): SensorLine {
  // bpftrace ends its output with empty lines
  if (line.trim() === '') return { tick: true };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { garbage: 'not JSON (a truncated line?)' };
  }
  if (typeof json !== 'object' || json === null) return { garbage: 'not a JSON object' };
  const { type, data } = json as { type?: unknown; data?: unknown };
  if (type === 'lost_events') {
    const events = typeof data === 'object' && data !== null ? (data as { events?: unknown }).events : undefined;
    return { lost: typeof events === 'number' ? events : 1 };
  }
  if (type === 'attached_probes' || type === 'map' || type === 'hist' || type === 'stats' || type === 'join') return { tick: true };
  if (type !== 'printf' || typeof data !== 'string') return { garbage: `unknown output type ${JSON.stringify(type)}` };
  if (data === 'tick\n') return { tick: true };
  if (data.startsWith(`ready${SEPARATOR}`)) return { ready: true };
  const result = record((data.endsWith('\n') ? data.slice(0, -1) : data).split(SEPARATOR));
  return typeof result === 'string' ? { garbage: result } : { record: result };
}

/** A DNS question name as the sensor prints it (`%r`): length-prefixed labels, then the zero byte. */
function encodeQuestion(name: string): string {
  const hex = (n: number) => `\\x${n.toString(16).padStart(2, '0')}`;
  return `${name.split('.').map((label) => `${hex(label.length)}${label}`).join('')}${hex(0)}`;
}

/**
 * A record as the sensor's line (`parseSensorLine` reads it back): what a
 * recorded stream is made into again, to measure everything after the kernel.
 */
export function formatSensorLine(record: SensorRecord): string {
  const f = (() => {
    switch (record.tag) {
      case 'argv': return [...record.argv, ...Array<string>(Math.max(0, 5 - record.argv.length)).fill('')];
      case 'exec': return [record.ppid, record.uid, record.path, record.parentName, record.name];
      case 'exit': return [record.code];
      case 'listen': return [record.protocol, record.port, record.address];
      case 'connect': return [record.protocol, record.address, record.port];
      case 'accept': return [record.port, record.peer, record.peerPort];
      case 'dns': return [encodeQuestion(record.name)];
      case 'write':
      case 'read':
      case 'killed': return [record.path];
      case 'syscall': return [syscallNumber(record.syscall) ?? -1];
      case 'capability': return [capabilityNumber(record.capability) ?? -1, record.denied ? 1 : 0];
    }
  })();
  // as bpftrace writes it (its spacing, JSON's escapes)
  return `${PRINTF.slice(0, -1)}${JSON.stringify(`${[record.tag, record.cgroup, record.pid, ...f].join(SEPARATOR)}\n`)}}`;
}
