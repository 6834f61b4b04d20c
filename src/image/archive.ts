import { createReadStream } from 'node:fs';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Parser } from 'tar';
import type { ImageContents, ImageTransport, LayerIndex } from '../model/index.ts';
import { assemble, chooseDockerEntry, MAX_JSON, resolveManifest, type BlobStore, type Descriptor, type ImageParts } from './assemble.ts';
import { ImageError } from './errors.ts';
import { indexLayerFile, indexLayerStream, isPlainTar, looksLikeLayer } from './layer.ts';
import { peek, readAll, type Bytes } from './stream.ts';
import { walkTar, type TarRecord } from './tar-file.ts';

export interface ReadOptions {
  /** Hash every layer and check it against the digests that name it (always done for registries). */
  verify?: boolean;
}

/** The named files of an image archive (`docker save` or an OCI layout), small ones whole, layers indexed. */
interface Archive {
  has(name: string): boolean;
  read(name: string): Promise<Buffer>;
  layer(name: string, expectedSize?: number): Promise<LayerIndex>;
}

/** `./blobs/sha256/x` and `blobs/sha256/x` are the same member. */
function memberName(raw: string): string {
  return posix.normalize(raw).replace(/^(\.\/|\/)+/, '');
}

const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

/** An archive in a file: members are found by walking headers and read in place. */
async function fileArchive(file: FileHandle, path: string, reference: string, verify: boolean): Promise<Archive> {
  const { size } = await file.stat();
  const members = new Map<string, TarRecord>();
  for await (const record of walkTar(file, 0, size, reference)) members.set(memberName(record.path), record);
  const find = (name: string, hops = 0): TarRecord | undefined => {
    const record = members.get(name);
    if (record === undefined || hops > 8) return undefined;
    if (record.type === 'SymbolicLink' && record.linkpath !== undefined) return find(memberName(posix.join(posix.dirname(name), record.linkpath)), hops + 1);
    if (record.type === 'Link' && record.linkpath !== undefined) return find(memberName(record.linkpath), hops + 1);
    return record;
  };
  const member = (name: string): TarRecord => {
    const record = find(name);
    if (record === undefined) throw new ImageError(`${reference}: the archive has no ${name}`);
    return record;
  };
  return {
    has: (name) => find(name) !== undefined,
    async read(name) {
      const record = member(name);
      if (record.size > MAX_JSON) throw new ImageError(`${reference}: ${name} is ${record.size} bytes, too large for a manifest or config`);
      const buffer = Buffer.alloc(record.size);
      await file.read(buffer, 0, record.size, record.offset);
      return buffer;
    },
    layer: (name, expectedSize) => indexMember(file, path, member(name), `${reference}: ${name}`, expectedSize, verify),
  };
}

/**
 * Indexes a layer lying in a file region: an uncompressed tar is walked in
 * place (only headers and executables are read); a compressed one, or any
 * layer to verify, is streamed.
 */
async function indexMember(
  file: FileHandle,
  path: string,
  region: { offset: number; size: number },
  what: string,
  expectedSize: number | undefined,
  verify: boolean,
): Promise<LayerIndex> {
  if (expectedSize !== undefined && expectedSize !== region.size) {
    throw new ImageError(`${what}: the manifest says ${expectedSize} bytes, the file holds ${region.size}`);
  }
  const head = Buffer.alloc(Math.min(512, region.size));
  await file.read(head, 0, head.length, region.offset);
  if (!verify && head.length === 512 && isPlainTar(head)) return indexLayerFile(file, region.offset, region.size, what);
  const stream = region.size === 0
    ? emptyStream()
    : createReadStream(path, { start: region.offset, end: region.offset + region.size - 1, highWaterMark: 1 << 20 });
  return indexLayerStream(stream, what, { verify });
}

async function* emptyStream(): AsyncGenerator<Buffer> {
  // a zero-byte layer: indexLayerStream reports it
}

/** An archive read once from a stream: layers are indexed as they pass, small members kept. */
async function streamArchive(source: Bytes, reference: string, verify: boolean): Promise<Archive> {
  const small = new Map<string, Buffer>();
  const layers = new Map<string, LayerIndex>();
  const links = new Map<string, string>();
  const pending: Array<Promise<void>> = [];
  const problems: string[] = [];
  const parser = new Parser({
    strict: false,
    onReadEntry: (entry) => {
      const name = memberName(entry.path);
      if ((entry.type === 'SymbolicLink' || entry.type === 'Link') && entry.linkpath !== undefined) {
        links.set(name, entry.type === 'Link' ? memberName(entry.linkpath) : memberName(posix.join(posix.dirname(name), entry.linkpath)));
      }
      if (entry.type !== 'File' && entry.type !== 'OldFile') {
        entry.resume();
        return;
      }
      pending.push((async () => {
        const { head, stream } = await peek(entry, 512);
        if (looksLikeLayer(head) || name.endsWith('layer.tar')) {
          layers.set(name, await indexLayerStream(stream, `${reference}: ${name}`, { verify }));
        } else if (entry.size <= MAX_JSON) {
          small.set(name, await readAll(stream, MAX_JSON, name));
        } else {
          for await (const _ of stream) { /* a member no image needs */ }
        }
      })());
    },
  });
  parser.on('warn', (code: string, message: string | Error) => {
    if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ABORT') problems.push(typeof message === 'string' ? message : message.message);
  });
  const done = new Promise<void>((resolve) => parser.on('end', () => resolve()));
  for await (const chunk of source) {
    if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) await new Promise((r) => parser.once('drain', r));
  }
  parser.end();
  await done;
  await Promise.all(pending);
  if (problems.length > 0) throw new ImageError(`${reference}: not a complete image archive: ${problems[0]}`);
  const resolve = (name: string, hops = 0): string => (links.has(name) && hops < 8 ? resolve(links.get(name)!, hops + 1) : name);
  return {
    has: (name) => small.has(resolve(name)) || layers.has(resolve(name)),
    async read(name) {
      const found = small.get(resolve(name));
      if (found === undefined) throw new ImageError(`${reference}: the archive has no ${name}`);
      return found;
    },
    async layer(name, expectedSize) {
      const found = layers.get(resolve(name));
      if (found === undefined) throw new ImageError(`${reference}: the archive has no layer ${name}`);
      if (found.verified && expectedSize !== undefined && found.size !== expectedSize) {
        throw new ImageError(`${reference}: ${name}: the manifest says ${expectedSize} bytes, the archive holds ${found.size}`);
      }
      return found;
    },
  };
}

/** Blobs of an OCI layout inside an archive. */
function archiveBlobs(archive: Archive): BlobStore {
  return {
    json: (digest) => archive.read(blobPath(digest)),
    layer: (descriptor: Descriptor) => archive.layer(blobPath(descriptor.digest), descriptor.size),
  };
}

/** A `docker save` archive or an OCI layout in tar form. */
async function fromArchive(archive: Archive, base: Omit<ImageParts, 'configBytes' | 'layers'>, tag: string | undefined): Promise<ImageContents> {
  if (archive.has('manifest.json')) {
    const entry = chooseDockerEntry(await archive.read('manifest.json'), tag, base.reference);
    const configName = memberName(entry.Config);
    const hex = /([0-9a-f]{64})(\.json)?$/.exec(configName)?.[1];
    const layers: LayerIndex[] = [];
    for (const name of entry.Layers) layers.push(await archive.layer(memberName(name)));
    return assemble({
      ...base,
      configBytes: await archive.read(configName),
      ...(hex !== undefined && { configDigest: `sha256:${hex}` }),
      repoTags: base.repoTags ?? entry.RepoTags ?? [],
      layers,
    });
  }
  if (archive.has('index.json')) {
    return assemble(await resolveManifest(archiveBlobs(archive), await archive.read('index.json'), undefined, base, tag));
  }
  throw new ImageError(`${base.reference}: neither a docker save archive (manifest.json) nor an OCI layout (index.json)`);
}

/** `docker save` output or an OCI layout tar, in a file. */
export async function readArchiveFile(path: string, reference: string, transport: ImageTransport, tag: string | undefined, options: ReadOptions = {}): Promise<ImageContents> {
  let file: FileHandle;
  try {
    file = await open(path);
  } catch (e) {
    throw new ImageError(`${reference}: cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const archive = await fileArchive(file, path, reference, options.verify ?? false);
    return await fromArchive(archive, { reference, transport }, tag);
  } finally {
    await file.close();
  }
}

/** `docker save` output or an OCI layout tar, as a stream (the engine's `/images/{name}/get`). */
export async function readArchiveStream(
  source: Bytes,
  base: Omit<ImageParts, 'configBytes' | 'layers'>,
  tag: string | undefined,
  options: ReadOptions = {},
): Promise<ImageContents> {
  const archive = await streamArchive(source, base.reference, options.verify ?? false);
  return fromArchive(archive, base, tag);
}

/** The blobs of a folder laid out by digest (`blobs/sha256/HEX`): an OCI layout, or containerd's content store. */
export function blobFolder(dir: string, reference: string, verify: boolean): BlobStore & { small(path: string, what: string): Promise<Buffer> } {
  const small = async (path: string, what: string) => {
    let size;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      throw new ImageError(`${reference}: no ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (size > MAX_JSON) throw new ImageError(`${reference}: ${what} is ${size} bytes, too large for a manifest or config`);
    return readFile(path);
  };
  return {
    small,
    json: (digest) => small(join(dir, blobPath(digest)), `blob ${digest}`),
    async layer(descriptor) {
      const path = join(dir, blobPath(descriptor.digest));
      let file: FileHandle;
      try {
        file = await open(path);
      } catch (e) {
        throw new ImageError(`${reference}: layer ${descriptor.digest} is missing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      try {
        const { size } = await file.stat();
        return await indexMember(file, path, { offset: 0, size }, `${reference}: ${descriptor.digest}`, descriptor.size, verify);
      } finally {
        await file.close();
      }
    },
  };
}

/** An OCI image layout folder. */
export async function readOciFolder(dir: string, reference: string, tag: string | undefined, options: ReadOptions = {}): Promise<ImageContents> {
  const store = blobFolder(dir, reference, options.verify ?? false);
  return assemble(await resolveManifest(store, await store.small(join(dir, 'index.json'), 'index.json'), undefined, { reference, transport: 'oci' }, tag));
}
