import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { Parser } from 'tar';
import type { EntryType, LayerEntry, LayerIndex } from '../model/index.ts';
import { ImageError } from './errors.ts';
import { executableFormat, HEAD_BYTES } from './executable.ts';
import { hashing, peek, type Bytes } from './stream.ts';
import { walkTar } from './tar-file.ts';

/** Files whose content image intent reads, at most this large each. */
export const MAX_CAPTURED_FILE = 64 * 1024 * 1024;

const CAPTURED = new Set([
  '/etc/os-release',
  '/usr/lib/os-release',
  '/var/lib/dpkg/status',
  '/lib/apk/db/installed',
  '/etc/passwd',
  '/etc/group',
]);

/** True for the files whose content image intent reads. */
export function isCaptured(path: string): boolean {
  return CAPTURED.has(path)
    || (path.startsWith('/var/lib/dpkg/info/') && path.endsWith('.list'))
    || path.startsWith('/var/lib/dpkg/status.d/');
}

/** An app's sources (JavaScript and package.json outside the system's folders) are read for code intent, each at most this large… */
const MAX_APP_SOURCE = 1024 * 1024;
/** …and at most this much of them in one layer: past it the rest are not read, and a warning says so. */
const MAX_APP_SOURCES = 96 * 1024 * 1024;
const SYSTEM_FOLDERS = /^\/(usr\/(local\/)?(lib|share|include|libexec)|lib|lib32|lib64|libx32|etc|var|proc|sys|dev|run|boot|tmp)\//;

/** True for the files of an application whose code the image's intent reads (a Node.js app's). */
export function isAppSource(path: string): boolean {
  return /\.(c|m)?js$|(^|\/)package\.json$/.test(path) && !SYSTEM_FOLDERS.test(path) && !path.includes('/.npm/');
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

const TYPES: Partial<Record<string, EntryType>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  SparseFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

/**
 * `./usr/bin/../sbin/x` → `/usr/sbin/x`. Paths are resolved lexically and never
 * leave the root; `escapes` tells whether a `..` tried to.
 */
export function normalizeEntryPath(raw: string): { path: string; escapes: boolean } {
  const parts: string[] = [];
  let escapes = false;
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) escapes = true;
      else parts.pop();
    } else {
      parts.push(part);
    }
  }
  return { path: `/${parts.join('/')}`, escapes };
}

function magic(head: Buffer): 'gzip' | 'zstd' | 'tar' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'tar';
}

/** True when a blob starts as an uncompressed tar does (a header or an empty archive). */
export function isPlainTar(head: Buffer): boolean {
  return magic(head) === 'tar' && looksLikeLayer(head);
}

/** True when the head of a blob looks like a layer: compressed, a tar header, or an empty tar. */
export function looksLikeLayer(head: Buffer): boolean {
  if (magic(head) !== 'tar') return true;
  if (head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar') return true;
  return head.length >= 1024 && head.subarray(0, 1024).every((b) => b === 0);
}

/** The header fields of one tar entry, from node-tar's stream parser or the file walker. */
interface EntryMeta {
  path: string;
  type: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size: number;
  linkpath?: string;
}

type Action = 'skip' | 'hash' | 'capture';

/** Builds a layer's index from its entries, whichever reader walks them. */
class LayerBuilder {
  readonly index: LayerIndex = { diffId: '', verified: false, size: 0, entries: [], whiteouts: [], opaque: [], files: {}, warnings: [] };
  private readonly what: string;
  private appSources = 0;

  constructor(what: string) {
    this.what = what;
  }

  /** Records an entry and says what to do with its data. */
  add(meta: EntryMeta): { record?: LayerEntry; action: Action } {
    const { index } = this;
    const { path, escapes } = normalizeEntryPath(meta.path);
    if (escapes) {
      index.warnings.push(`${this.what}: entry "${meta.path}" points outside the image root; skipped`);
      return { action: 'skip' };
    }
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    const dir = path.slice(0, slash) || '/';
    if (name === OPAQUE) {
      index.opaque.push(dir);
      return { action: 'skip' };
    }
    if (name.startsWith(WHITEOUT)) {
      index.whiteouts.push(`${dir === '/' ? '' : dir}/${name.slice(WHITEOUT.length)}`);
      return { action: 'skip' };
    }
    const type = TYPES[meta.type] ?? 'other';
    const record: LayerEntry = {
      path,
      type,
      mode: (meta.mode ?? 0) & 0o7777,
      uid: meta.uid ?? 0,
      gid: meta.gid ?? 0,
      size: type === 'file' ? meta.size : 0,
    };
    if (meta.linkpath !== undefined && (type === 'symlink' || type === 'hardlink')) {
      record.link = type === 'hardlink' ? normalizeEntryPath(meta.linkpath).path : meta.linkpath;
    }
    index.entries.push(record);
    if (type === 'hardlink') {
      this.linkTo(record);
      return { record, action: 'skip' };
    }
    if (type !== 'file') return { record, action: 'skip' };
    if ((record.mode & 0o111) !== 0) return { record, action: 'hash' };
    if (isAppSource(path) && !isCaptured(path)) {
      if (meta.size > MAX_APP_SOURCE) return { record, action: 'skip' };
      this.appSources += meta.size;
      if (this.appSources <= MAX_APP_SOURCES) return { record, action: 'capture' };
      if (this.appSources - meta.size <= MAX_APP_SOURCES) index.warnings.push(`${this.what}: over ${MAX_APP_SOURCES} bytes of app sources; those past it (from ${path}) are not read`);
      return { record, action: 'skip' };
    }
    if (!isCaptured(path)) return { record, action: 'skip' };
    if (meta.size > MAX_CAPTURED_FILE) {
      index.warnings.push(`${this.what}: ${path} is ${meta.size} bytes, over the ${MAX_CAPTURED_FILE}-byte limit; not read`);
      return { record, action: 'skip' };
    }
    return { record, action: 'capture' };
  }

  hashed(record: LayerEntry, sha256: string, head: Buffer): void {
    record.sha256 = sha256;
    const { format, interpreter } = executableFormat(head);
    record.format = format;
    if (interpreter !== undefined) record.interpreter = interpreter;
  }

  captured(record: LayerEntry, content: Buffer): void {
    this.index.files[record.path] = content.toString('utf8');
  }

  /** A hard link is the same file as its target, an earlier entry of the same layer. */
  private linkTo(record: LayerEntry): void {
    const { entries, files } = this.index;
    for (let i = entries.length - 2; i >= 0; i--) {
      const target = entries[i]!;
      if (target.path !== record.link) continue;
      record.size = target.size;
      for (const key of ['sha256', 'format', 'interpreter'] as const) {
        if (target[key] !== undefined) Object.assign(record, { [key]: target[key] });
      }
      if (files[target.path] !== undefined && (isCaptured(record.path) || isAppSource(record.path))) files[record.path] = files[target.path]!;
      return;
    }
  }
}

/** Hashes an executable's bytes and keeps its first bytes, chunk by chunk. */
class ExecutableHash {
  private readonly hash = createHash('sha256');
  private readonly head: Buffer[] = [];
  private kept = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    if (this.kept < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.kept);
      this.head.push(Buffer.from(part)); // the caller may reuse its buffer
      this.kept += part.length;
    }
  }

  finish(builder: LayerBuilder, record: LayerEntry): void {
    builder.hashed(record, this.hash.digest('hex'), Buffer.concat(this.head));
  }
}

export interface StreamOptions {
  /** Hash the whole blob and its uncompressed tar (digest and diffId); costs a full hash of the layer. */
  verify: boolean;
}

/**
 * Streams one layer blob (tar, gzip or zstd) once: lists every entry, hashes
 * regular files with an exec bit, keeps the content of the few files intent
 * reads and, when asked, hashes the blob and its uncompressed tar. Memory holds
 * the index, never the layer. Throws ImageError on a truncated or unreadable layer.
 */
export async function indexLayerStream(source: Bytes, what: string, options: StreamOptions): Promise<LayerIndex> {
  const { head, stream } = await peek(source, 512);
  const kind = magic(head);
  const builder = new LayerBuilder(what);
  const problems: string[] = [];
  const parser = new Parser({
    strict: false,
    onReadEntry: (entry) => {
      const { record, action } = builder.add(entry);
      if (record === undefined || action === 'skip') {
        entry.resume();
      } else if (action === 'hash') {
        const hash = new ExecutableHash();
        entry.on('data', (chunk: Buffer) => hash.update(chunk));
        entry.on('end', () => hash.finish(builder, record));
      } else {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => builder.captured(record, Buffer.concat(chunks)));
      }
    },
  });
  parser.on('warn', (code: string, message: string | Error) => {
    const text = typeof message === 'string' ? message : message.message;
    if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ABORT') problems.push(text);
    else builder.index.warnings.push(`${what}: ${text}`);
  });
  const parsed = new Promise<void>((resolve) => parser.on('end', () => resolve()));
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, done) {
      if (parser.write(chunk)) done();
      else parser.once('drain', () => done());
    },
    final(done) {
      parser.end();
      parsed.then(() => done(), done);
    },
  });

  const blob = { bytes: 0 };
  const blobHash = createHash('sha256');
  const diffHash = kind === 'tar' ? blobHash : createHash('sha256');
  const stages: NodeJS.ReadWriteStream[] = [];
  if (options.verify) stages.push(hashing(blobHash, blob));
  if (kind === 'gzip') stages.push(createGunzip());
  if (kind === 'zstd') stages.push(createZstdDecompress());
  if (options.verify && kind !== 'tar') stages.push(hashing(diffHash));
  try {
    await pipeline([Readable.from(stream), ...stages, sink]);
  } catch (e) {
    throw new ImageError(`${what}: cannot read layer: ${(e as Error).message}`);
  }
  const { index } = builder;
  const emptyTar = head.length > 0 && head.every((b) => b === 0) && index.entries.length === 0;
  if (problems.length > 0 && !emptyTar) throw new ImageError(`${what}: not a complete layer tar: ${problems[0]}`);
  if (options.verify) {
    index.verified = true;
    index.size = blob.bytes;
    index.diffId = `sha256:${diffHash.digest('hex')}`;
    if (kind !== 'tar') index.digest = `sha256:${blobHash.digest('hex')}`;
  }
  return index;
}

/**
 * Indexes an uncompressed layer tar lying in a file, reading its headers and
 * only the data of executables and captured files: the rest is never read.
 */
export async function indexLayerFile(file: FileHandle, start: number, size: number, what: string): Promise<LayerIndex> {
  const builder = new LayerBuilder(what);
  const chunk = Buffer.allocUnsafe(1 << 20);
  for await (const entry of walkTar(file, start, size, what)) {
    const { record, action } = builder.add(entry);
    if (record === undefined || action === 'skip') continue;
    if (action === 'capture') {
      const content = Buffer.allocUnsafe(entry.size);
      await file.read(content, 0, entry.size, entry.offset);
      builder.captured(record, content);
      continue;
    }
    const hash = new ExecutableHash();
    for (let done = 0; done < entry.size;) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, entry.size - done), entry.offset + done);
      if (bytesRead === 0) throw new ImageError(`${what}: truncated in ${record.path}`);
      hash.update(chunk.subarray(0, bytesRead));
      done += bytesRead;
    }
    hash.finish(builder, record);
  }
  builder.index.size = size;
  return builder.index;
}
