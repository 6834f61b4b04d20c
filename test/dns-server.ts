// A DNS server for tests: over UDP on an address of the test's own (loopback,
// or the lab's pod bridge), it answers the A and AAAA questions of the names
// it is given, with their TTL; no answer for a type a name lacks, NXDOMAIN
// for a name it does not have. Every question is kept, in order.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

const A = 1;
const AAAA = 28;

export class TestDnsServer {
  private readonly socket: Socket;
  private readonly names = new Map<string, string[]>();
  readonly questions: string[] = [];
  readonly ttl: number;

  private constructor(socket: Socket, ttl: number) {
    this.socket = socket;
    this.ttl = ttl;
    socket.on('message', (query, peer) => {
      const answer = this.answer(query);
      if (answer !== undefined) socket.send(answer, peer.port, peer.address);
    });
  }

  static async start(address = '127.0.0.1', port = 0, ttl = 5): Promise<TestDnsServer> {
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    return new TestDnsServer(socket, ttl);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The addresses a name has from now on (none: it does not exist). */
  set(name: string, addresses: readonly string[]): void {
    if (addresses.length === 0) this.names.delete(name.toLowerCase());
    else this.names.set(name.toLowerCase(), [...addresses]);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(query: Buffer): Buffer | undefined {
    if (query.length < 17) return undefined;
    const labels: string[] = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      const length = query[at]!;
      if (length > 63 || at + 1 + length > query.length) return undefined;
      labels.push(query.toString('latin1', at + 1, at + 1 + length));
      at += 1 + length;
    }
    const end = at + 5;
    if (end > query.length) return undefined;
    const type = query.readUInt16BE(at + 1);
    const name = labels.join('.').toLowerCase();
    this.questions.push(name);
    const addresses = this.names.get(name);
    const records = (addresses ?? []).filter((a) => (type === A ? isIPv4(a) : type === AAAA ? isIPv6(a) : false));
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    // a response to a recursive question, recursion available; NXDOMAIN for a name it does not have
    header.writeUInt16BE(addresses === undefined ? 0x8183 : 0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const answers = records.map((address) => {
      const data = isIPv4(address) ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
      const record = Buffer.alloc(12);
      record.writeUInt16BE(0xc00c, 0);
      record.writeUInt16BE(type, 2);
      record.writeUInt16BE(1, 4);
      record.writeUInt32BE(this.ttl, 6);
      record.writeUInt16BE(data.length, 10);
      return Buffer.concat([record, data]);
    });
    return Buffer.concat([header, query.subarray(12, end), ...answers]);
  }
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const all = [...left, ...Array<string>(tail === undefined ? 0 : 8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return bytes;
}
