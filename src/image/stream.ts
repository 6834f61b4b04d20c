import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';

/** Chunks of a byte stream, whatever kind of stream produced them. */
export type Bytes = AsyncIterable<Uint8Array>;

export interface Peeked {
  /** At least `length` bytes, unless the stream is shorter. */
  head: Buffer;
  /** The whole stream again, head included. */
  stream: Bytes;
}

/** Reads the first bytes of a stream to decide what it is, without losing them. */
export async function peek(source: Bytes, length: number): Promise<Peeked> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < length) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    chunks.push(chunk);
    have += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* again(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
  }
  return { head, stream: again() };
}

/** Passes bytes through, feeding them to a hash and counting them on the way. */
export function hashing(hash: Hash, counter?: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (counter) counter.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads a whole (small) stream into memory; fails past `limit` bytes. */
export async function readAll(source: Bytes, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) throw new RangeError(`${what} is over the ${limit}-byte limit`);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}
