import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Header, Pax, type HeaderData } from 'tar';
import { ImageError } from './errors.ts';

/** One entry of a tar held in a file: its header and where its data lies. */
export interface TarRecord {
  path: string;
  /** node-tar's type name: File, Directory, SymbolicLink, Link… */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkpath?: string;
  /** Absolute offset of the data in the file. */
  offset: number;
}

const BLOCK = 512;
const WINDOW = 32 * 1024;
/** Pax and GNU long-name bodies are a few hundred bytes; more is not a real header. */
const MAX_META = 1024 * 1024;

/** Reads a file region through a read-ahead window: tar headers are small and close together. */
class Window {
  private readonly storage = Buffer.allocUnsafe(WINDOW);
  private buffer = Buffer.alloc(0);
  private at = 0;
  private readonly file: FileHandle;
  constructor(file: FileHandle) {
    this.file = file;
  }

  /** The bytes at `position`, or undefined until `fill` has read them. */
  peek(position: number, length: number): Buffer | undefined {
    if (position < this.at || position + length > this.at + this.buffer.length) return undefined;
    return this.buffer.subarray(position - this.at, position - this.at + length);
  }

  async fill(position: number, length: number): Promise<Buffer> {
    const buffer = length > WINDOW ? Buffer.allocUnsafe(length) : this.storage;
    const bytesRead = readSync(this.file.fd, buffer, 0, Math.max(WINDOW, length), position);
    this.buffer = buffer.subarray(0, bytesRead);
    this.at = position;
    return this.buffer.subarray(0, Math.min(length, bytesRead));
  }

  async read(position: number, length: number): Promise<Buffer> {
    return this.peek(position, length) ?? this.fill(position, length);
  }
}

/**
 * The entries of a tar that lies in `file` from `start` for `size` bytes, reading
 * only headers: entry data is left where it is, for the caller to read or skip.
 * Pax and GNU long names are applied as node-tar applies them. Throws ImageError
 * on a bad header or an entry that claims more bytes than the region holds.
 */
export async function* walkTar(file: FileHandle, start: number, size: number, what: string): AsyncGenerator<TarRecord> {
  const end = start + size;
  const window = new Window(file);
  let position = start;
  let extended: HeaderData | undefined;
  let global: HeaderData | undefined;
  while (position + BLOCK <= end) {
    const block = window.peek(position, BLOCK) ?? await window.fill(position, BLOCK);
    if (block.length < BLOCK) break;
    if (isZero(block)) return;
    const header = decodeUstar(block);
    if (global !== undefined) override(header, global);
    if (extended !== undefined) override(header, extended);
    if (!header.cksumValid) throw new ImageError(`${what}: bad tar header at byte ${position - start} (checksum)`);
    const length = header.size ?? 0;
    const dataAt = position + BLOCK;
    if (dataAt + length > end) {
      throw new ImageError(`${what}: truncated: "${header.path}" claims ${length} bytes, only ${Math.max(0, end - dataAt)} remain`);
    }
    position = dataAt + Math.ceil(length / BLOCK) * BLOCK;
    const type = header.type;
    if (type === 'ExtendedHeader' || type === 'OldExtendedHeader' || type === 'GlobalExtendedHeader'
      || type === 'NextFileHasLongPath' || type === 'OldGnuLongPath' || type === 'NextFileHasLongLinkpath') {
      if (length > MAX_META) throw new ImageError(`${what}: tar metadata entry of ${length} bytes at byte ${dataAt - start - BLOCK}`);
      const body = (await window.read(dataAt, length)).toString('utf8');
      if (type === 'GlobalExtendedHeader') {
        global = Pax.parse(body, global, true);
      } else if (type === 'ExtendedHeader' || type === 'OldExtendedHeader') {
        extended = Pax.parse(body, extended, false);
      } else {
        extended ??= Object.create(null) as HeaderData;
        const value = body.replace(/\0.*/s, '');
        if (type === 'NextFileHasLongLinkpath') extended.linkpath = value;
        else extended.path = value;
      }
      continue;
    }
    extended = undefined;
    yield {
      path: header.path ?? '',
      type,
      mode: header.mode ?? 0,
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
      size: length,
      ...(header.linkpath ? { linkpath: header.linkpath } : {}),
      offset: dataAt,
    };
  }
}

const OVERRIDDEN = ['path', 'linkpath', 'size', 'uid', 'gid', 'mode'] as const;

/** Applies pax or GNU long-name values to the header they precede. */
function override(header: Decoded | Header, values: HeaderData): void {
  for (const key of OVERRIDDEN) {
    const value = values[key];
    if (value !== undefined) Object.assign(header, { [key]: value });
  }
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** Type flags as node-tar names them; anything else is left to node-tar's decoder. */
const TYPE_NAMES: Record<string, string> = {
  '0': 'File', '': 'File', '7': 'ContiguousFile', '1': 'Link', '2': 'SymbolicLink', '3': 'CharacterDevice',
  '4': 'BlockDevice', '5': 'Directory', '6': 'FIFO', x: 'ExtendedHeader', g: 'GlobalExtendedHeader',
  L: 'NextFileHasLongPath', K: 'NextFileHasLongLinkpath', S: 'SparseFile',
};

interface Decoded { path: string; type: string; mode: number; uid: number; gid: number; size: number; linkpath?: string; cksumValid: boolean }

/**
 * The common case of a plain ustar/GNU header, decoded directly: node-tar's
 * general decoder costs about 14 µs a header, a third of indexing a layer.
 * Headers this does not handle (base-256 numbers, unknown types) go to node-tar.
 */
function decodeUstar(block: Buffer): Decoded | Header {
  const typeKey = block[156] === 0 ? '' : String.fromCharCode(block[156]!);
  const type = TYPE_NAMES[typeKey];
  if (type === undefined || (block[124]! & 0x80) !== 0 || (block[108]! & 0x80) !== 0 || (block[116]! & 0x80) !== 0) return new Header(block, 0);
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < 512; i++) sum += block[i]!;
  const ustar = block.toString('latin1', 257, 262) === 'ustar';
  const name = text(block, 0, 100);
  const prefix = ustar && block[345] !== 0 && block.toString('latin1', 257, 263) !== 'ustar ' ? text(block, 345, 155) : '';
  const linkpath = text(block, 157, 100);
  return {
    path: prefix === '' ? name : `${prefix}/${name}`,
    type,
    mode: octal(block, 100, 8),
    uid: octal(block, 108, 8),
    gid: octal(block, 116, 8),
    size: octal(block, 124, 12),
    ...(linkpath !== '' && { linkpath }),
    cksumValid: sum === octal(block, 148, 8),
  };
}

function text(block: Buffer, at: number, length: number): string {
  let end = at;
  while (end < at + length && block[end] !== 0) end++;
  return block.toString('utf8', at, end);
}

function octal(block: Buffer, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const c = block[i]!;
    if (c === 0 || c === 0x20) {
      if (value === 0 && i < at + length - 1 && c === 0x20) continue;
      break;
    }
    value = value * 8 + (c - 0x30);
  }
  return value;
}
