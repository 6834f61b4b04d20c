import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { ImageContents, LayerIndex } from '../model/index.ts';
import type { ReadOptions } from './archive.ts';
import { assemble, MAX_JSON, parseJson } from './assemble.ts';
import { ImageError } from './errors.ts';
import { indexLayerStream, normalizeEntryPath } from './layer.ts';
import type { Bytes } from './stream.ts';

interface StoredImage {
  id: string;
  digest?: string;
  names?: string[];
  /** Its top layer. */
  layer?: string;
}

interface StoredLayer {
  id: string;
  parent?: string;
}

/** A tar-split entry: a segment of the tar as it came (headers, padding), or a file whose content is in the layer's files. */
interface TarSplitEntry {
  type: number;
  name?: string;
  /** The name's bytes (base64), when they are not UTF-8. */
  name_raw?: string;
  size?: number;
  payload?: string | null;
}

const SEGMENT = 2;
const FILE = 1;

/** Where a storage driver keeps a layer's files, unpacked. */
const LAYER_FILES: Readonly<Record<string, (root: string, id: string) => string>> = {
  overlay: (root, id) => join(root, 'overlay', id, 'diff'),
  vfs: (root, id) => join(root, 'vfs', 'dir', id),
};

/**
 * A key of an image's "big data" as its file is named: the key itself when it
 * has only lower-case letters, digits and dots, else `=` and its base64.
 */
function bigDataFile(key: string): string {
  return /^[a-z0-9.]*$/.test(key) ? key : `=${Buffer.from(key).toString('base64')}`;
}

/**
 * containers/storage, as CRI-O (and Podman, Buildah, skopeo) keeps images:
 * `DRIVER-images/images.json` (each image: its id — its config's digest —
 * and its top layer), the image's config and manifest as files of
 * `DRIVER-images/ID/`, `DRIVER-layers/layers.json` (each layer and its
 * parent), each layer's files unpacked (`overlay/ID/diff`) and its tar's
 * headers as they came (`DRIVER-layers/ID.tar-split.gz`). Each layer's tar is
 * made again from the two, byte for byte, and read as any layer tar: no
 * extended attributes are needed, whiteouts and opaque folders are the tar's
 * own entries.
 */
export class ContainersStorage {
  readonly root: string;
  readonly driver: string;

  constructor(root: string, driver = 'overlay') {
    this.root = root;
    this.driver = driver;
  }

  async read(imageId: string, reference: string, options: ReadOptions = {}): Promise<ImageContents> {
    const layerFiles = LAYER_FILES[this.driver];
    if (layerFiles === undefined) throw new ImageError(`${reference}: containers/storage's ${this.driver} driver is not read (overlay and vfs are)`);
    const hex = imageId.replace(/^sha256:/, '');
    const images = await this.json<StoredImage[]>(join(`${this.driver}-images`, 'images.json'), reference);
    const image = images.find((i) => i.id === hex);
    if (image === undefined) throw new ImageError(`${reference}: no image ${imageId} in the containers storage ${this.root}`);
    const configBytes = await this.file(join(`${this.driver}-images`, hex, bigDataFile(`sha256:${hex}`)), `${reference}: image config`);
    const layers = await this.json<StoredLayer[]>(join(`${this.driver}-layers`, 'layers.json'), reference);
    const byId = new Map(layers.map((l) => [l.id, l]));
    const chain: string[] = [];
    for (let id = image.layer; id !== undefined && id !== ''; id = byId.get(id)?.parent) {
      if (!byId.has(id)) throw new ImageError(`${reference}: layer ${id} is not in ${this.driver}-layers/layers.json`);
      if (chain.length > 1_000) throw new ImageError(`${reference}: its layers' parents make a loop`);
      chain.unshift(id);
    }
    const indexes: LayerIndex[] = [];
    for (const id of chain) {
      const what = `${reference}: layer ${id}`;
      const tarSplit = join(this.root, `${this.driver}-layers`, `${id}.tar-split.gz`);
      indexes.push(await indexLayerStream(layerTar(tarSplit, layerFiles(this.root, id), what), what, { verify: options.verify ?? false }));
    }
    return assemble({
      reference, transport: 'containers-storage', configBytes, configDigest: `sha256:${hex}`, layers: indexes,
      ...(image.digest !== undefined && { manifestDigest: image.digest }),
      repoTags: (image.names ?? []).filter((n) => !n.includes('@')),
      repoDigests: (image.names ?? []).filter((n) => n.includes('@')),
    });
  }

  private async file(path: string, what: string): Promise<Buffer> {
    try {
      const bytes = await readFile(join(this.root, path));
      if (bytes.length > MAX_JSON) throw new ImageError(`${what}: ${bytes.length} bytes, more than a JSON document of an image has`);
      return bytes;
    } catch (e) {
      if (e instanceof ImageError) throw e;
      throw new ImageError(`${what}: cannot read ${join(this.root, path)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }

  private async json<T>(path: string, reference: string): Promise<T> {
    const value = parseJson<T>(await this.file(path, `${reference}: ${path}`), `${reference}: ${path}`);
    if (!Array.isArray(value)) throw new ImageError(`${reference}: ${path} is not a list`);
    return value;
  }
}

/**
 * A layer's tar made again: each tar-split segment as it came, each file's
 * content read from the layer's files, as long as the tar said.
 */
async function* layerTar(tarSplit: string, files: string, what: string): Bytes {
  const input = createReadStream(tarSplit);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (e: NodeJS.ErrnoException) => reject(new ImageError(`${what}: no tar-split (${e.code ?? e.message}); its tar cannot be made again`)));
  });
  await opened;
  const lines = createInterface({ input: input.pipe(createGunzip()), crlfDelay: Infinity });
  let n = 0;
  const folders = new Set<string>();
  for await (const line of lines) {
    n++;
    if (line === '') continue;
    let entry: TarSplitEntry;
    try {
      entry = JSON.parse(line) as TarSplitEntry;
    } catch {
      throw new ImageError(`${what}: tar-split line ${n} is not JSON`);
    }
    if (entry.type === SEGMENT) {
      if (typeof entry.payload === 'string') yield Buffer.from(entry.payload, 'base64');
      continue;
    }
    if (entry.type !== FILE) throw new ImageError(`${what}: tar-split line ${n}: an entry of unknown type ${entry.type}`);
    const size = entry.size ?? 0;
    if (size === 0) continue;
    const raw = entry.name ?? Buffer.from(entry.name_raw ?? '', 'base64').toString('latin1');
    const { path, escapes } = normalizeEntryPath(raw);
    if (escapes || path === '/') throw new ImageError(`${what}: tar-split line ${n} names ${JSON.stringify(raw)}, outside the layer`);
    let left = size;
    try {
      await plainPath(files, path, folders);
      for await (const chunk of createReadStream(join(files, path), { end: size - 1 }) as AsyncIterable<Buffer>) {
        left -= chunk.length;
        yield chunk;
      }
    } catch (e) {
      throw new ImageError(`${what}: ${path}: cannot read it from the layer's files (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (left > 0) throw new ImageError(`${what}: ${path} has ${size - left} bytes in the layer's files, its tar says ${size}`);
  }
}

/**
 * Checks that a file of a layer is reached through folders of the layer
 * alone: no link on the way (a layer's `etc → /` would lead out of it, to the
 * host's files), and that it is a plain file. Folders checked are kept.
 */
async function plainPath(files: string, path: string, folders: Set<string>): Promise<void> {
  const parts = path.split('/').filter((p) => p !== '');
  let at = '';
  for (let i = 0; i < parts.length - 1; i++) {
    at += `/${parts[i]}`;
    if (folders.has(at)) continue;
    if (!(await lstat(join(files, at))).isDirectory()) throw new Error(`${at} is not a folder of the layer`);
    folders.add(at);
  }
  if (!(await lstat(join(files, path))).isFile()) throw new Error('not a plain file');
}
