import { isSyscallName } from '../../knowledge/index.ts';
import { RuntimeEvent, type Converted } from '../../model/index.ts';
import { compact, integer, isObject, isoFromNanoseconds, text, type Json } from './common.ts';

/** Tracee's arguments, `[{name, type, value}]` (older signatures print `{argMeta: {name}, value}`), by name. */
function argsOf(line: Json): Map<string, unknown> {
  const args = new Map<string, unknown>();
  if (!Array.isArray(line.args)) return args;
  for (const arg of line.args) {
    if (!isObject(arg)) continue;
    const name = text(arg.name) ?? (isObject(arg.argMeta) ? text(arg.argMeta.name) : undefined);
    if (name !== undefined) args.set(name, arg.value);
  }
  return args;
}

function containerOf(line: Json): RuntimeEvent['container'] {
  const container = isObject(line.container) ? line.container : {};
  const kubernetes = isObject(line.kubernetes) ? line.kubernetes : {};
  const id = text(container.id) ?? text(line.containerId);
  if (id === undefined) return undefined;
  const digest = text(container.imageDigest);
  return {
    id,
    name: text(container.name) ?? text(line.containerName),
    image: text(container.image) ?? text(line.containerImage),
    imageDigest: digest?.startsWith('sha256:') ? digest : undefined,
    pod: text(kubernetes.podName) ?? text(line.podName),
    namespace: text(kubernetes.podNamespace) ?? text(line.podNamespace),
  };
}

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;

type Details = Pick<RuntimeEvent, 'kind' | 'network' | 'dns' | 'file' | 'syscall' | 'alert'> & { path?: string; argv?: string[] };

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** The names a DNS packet asks and the addresses it answers, in both of Tracee's shapes. */
function dnsOf(args: Map<string, unknown>): RuntimeEvent['dns'] | undefined {
  const names = new Set<string>();
  const answers = new Set<string>();
  const proto = args.get('proto_dns');
  if (isObject(proto)) {
    for (const q of Array.isArray(proto.questions) ? proto.questions.filter(isObject) : []) if (text(q.name)) names.add(text(q.name)!);
    for (const a of Array.isArray(proto.answers) ? proto.answers.filter(isObject) : []) {
      const value = text(a.IP) ?? text(a.CNAME);
      if (value !== undefined) answers.add(value);
    }
  }
  for (const q of (Array.isArray(args.get('dns_questions')) ? args.get('dns_questions') as unknown[] : []).filter(isObject)) {
    if (text(q.query)) names.add(text(q.query)!);
  }
  for (const r of (Array.isArray(args.get('dns_response')) ? args.get('dns_response') as unknown[] : []).filter(isObject)) {
    if (isObject(r.query_data) && text(r.query_data.query)) names.add(text(r.query_data.query)!);
    for (const a of (Array.isArray(r.dns_answer) ? r.dns_answer : []).filter(isObject)) if (text(a.answer)) answers.add(text(a.answer)!);
  }
  if (names.size === 0) return undefined;
  return answers.size === 0 ? { names: [...names] } : { names: [...names], answers: [...answers] };
}

/** A packet's two ends: `src`/`dst` with ports either beside them or inside the protocol header. */
function packetEnds(args: Map<string, unknown>, header: unknown): { src?: string; dst?: string; srcPort?: number; dstPort?: number } {
  const meta = args.get('metadata');
  const h = isObject(header) ? header : {};
  return {
    src: text(args.get('src')) ?? (isObject(meta) ? text(meta.src_ip) : undefined),
    dst: text(args.get('dst')) ?? (isObject(meta) ? text(meta.dst_ip) : undefined),
    srcPort: integer(args.get('src_port')) ?? integer(h.srcPort) ?? (isObject(meta) ? integer(meta.src_port) : undefined),
    dstPort: integer(args.get('dst_port')) ?? integer(h.dstPort) ?? (isObject(meta) ? integer(meta.dst_port) : undefined),
  };
}

/**
 * A TCP packet is a connection only when it opens one. A SYN goes from the
 * side that connects, a SYN+ACK from the side that accepts: either way the
 * sender is the local end.
 */
function tcpPacket(args: Map<string, unknown>): Details | string {
  const header = args.get('proto_tcp');
  if (!isObject(header)) return 'a TCP packet without its header';
  if (header.SYN !== 1) return 'a TCP packet that opens no connection (only SYN packets are connections)';
  const ends = packetEnds(args, header);
  return {
    kind: header.ACK === 1 ? 'accept' : 'connect',
    network: { protocol: 'tcp', localAddress: ends.src, localPort: ends.srcPort, remoteAddress: ends.dst, remotePort: ends.dstPort },
  };
}

function details(name: string, args: Map<string, unknown>, syscall: string | undefined): Details | string {
  switch (name) {
    case 'execve':
    case 'execveat':
    case 'sched_process_exec':
      return { kind: 'exec', path: text(args.get('pathname')), argv: strings(args.get('argv')), syscall: syscall ?? 'execve' };
    case 'fileless_execution':
      return { kind: 'exec', path: text(args.get('pathname')), syscall, alert: { rule: 'fileless_execution', output: `executed from memory (${text(args.get('pathname')) ?? '?'})` } };
    case 'sched_process_exit':
      return { kind: 'exit' };
    case 'security_file_open':
    case 'open':
    case 'openat':
    case 'openat2': {
      const path = text(args.get('pathname'));
      if (path === undefined) return `${name} without a path`;
      const flags = text(args.get('flags')) ?? '';
      return { kind: WRITE_FLAGS.test(flags) ? 'write' : 'open', file: { path, operation: syscall ?? name }, syscall: syscall ?? name };
    }
    case 'vfs_read':
    case 'vfs_readv':
    case 'vfs_write':
    case 'vfs_writev': {
      const path = text(args.get('pathname'));
      if (path === undefined) return `${name} without a path`;
      return { kind: name.startsWith('vfs_write') ? 'write' : 'open', file: { path, operation: name }, syscall };
    }
    case 'net_packet_dns':
    case 'net_packet_dns_request':
    case 'net_packet_dns_response': {
      const dns = dnsOf(args);
      if (dns === undefined) return 'a DNS packet without a question';
      const ends = packetEnds(args, undefined);
      const response = ends.srcPort === 53;
      return {
        kind: 'dns',
        dns,
        network: response
          ? { protocol: 'udp', localAddress: ends.dst, localPort: ends.dstPort, remoteAddress: ends.src, remotePort: ends.srcPort }
          : { protocol: 'udp', localAddress: ends.src, localPort: ends.srcPort, remoteAddress: ends.dst, remotePort: ends.dstPort },
      };
    }
    case 'net_packet_tcp':
      return tcpPacket(args);
    case 'net_packet_udp':
      return 'a UDP packet: datagrams carry no connection; the socket events do';
    case 'net_packet_icmp':
    case 'net_packet_icmpv6':
      return 'an ICMP packet, which no model dimension covers';
    case 'net_packet_ipv4':
    case 'net_packet_ipv6':
      return 'an IP packet: its transport events say more';
    case 'net_packet_http':
    case 'net_packet_http_request':
    case 'net_packet_http_response':
      return 'an HTTP packet: the TCP connection carries the peer';
    default:
      if (isSyscallName(name)) return { kind: 'syscall', syscall: name };
      return `unknown Tracee event ${name}`;
  }
}

/**
 * One line of Tracee's JSON output (`--output json`) as a RuntimeEvent: exec
 * (execve, sched_process_exec, fileless execution), file opens (write when the
 * flags say so), DNS questions and answers, TCP connection opens from packet
 * events, every raw syscall, and signature findings as alerts. Both the older
 * flat container fields and the newer `container`/`kubernetes` objects are
 * read. Packets that open no connection are rejected with the reason.
 */
export function fromTracee(line: unknown): Converted {
  if (!isObject(line)) return { rejected: 'not a JSON object' };
  const name = text(line.eventName);
  if (name === undefined) return { rejected: 'no eventName: not a Tracee event' };
  const ts = line.timestamp;
  if (typeof ts !== 'number' || ts < 1e15) return { rejected: 'no wall-clock timestamp (a time since boot cannot be placed)' };
  // a JSON number keeps 16 digits: nanoseconds since the epoch come back to the microsecond
  const time = isoFromNanoseconds(BigInt(Math.round(ts / 1000)) * 1000n);
  const args = argsOf(line);
  const syscall = text(line.syscall);
  const signature = isObject(line.metadata) ? line.metadata : undefined;
  const what: Details | string = signature !== undefined
    ? {
      kind: 'alert',
      alert: {
        rule: (isObject(signature.Properties) ? text(signature.Properties.signatureName) : undefined) ?? text(signature.Description) ?? name,
        priority: isObject(signature.Properties) ? text(signature.Properties.Severity) : undefined,
        output: text(signature.Description),
      },
    }
    : details(name, args, syscall);
  if (typeof what === 'string') return { rejected: what };
  const { path, argv, ...rest } = what;
  const executable = isObject(line.executable) ? text(line.executable.path) : undefined;

  const event = compact({
    ...rest,
    time,
    source: 'tracee' as const,
    host: text(line.hostName),
    container: containerOf(line),
    process: {
      pid: integer(line.hostProcessId) ?? integer(line.processId),
      ppid: integer(line.hostParentProcessId) ?? integer(line.parentProcessId),
      path: path ?? executable,
      name: text(line.processName),
      argv,
      uid: integer(line.userId),
    },
  });
  const parsed = RuntimeEvent.safeParse(event);
  return parsed.success ? { event: parsed.data } : { rejected: `does not make an event: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
}
