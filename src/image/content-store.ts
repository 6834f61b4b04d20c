import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageContents } from '../model/index.ts';
import { blobFolder, type ReadOptions } from './archive.ts';
import { assemble, checkDigest, resolveManifest } from './assemble.ts';
import { ImageError } from './errors.ts';

/** A manifest is a few kilobytes; a blob larger than this is a layer (or a config) and is not opened to look for one. */
const MANIFEST_MAX = 64 * 1024;

/**
 * containerd's content store (`ROOT/io.containerd.content.v1.content`: blobs
 * by digest, as in an OCI layout), its images read in place by the image id
 * the runtime reports — the digest of its config. The store keeps no index a
 * reader can use without containerd's metadata database, so the image's
 * manifest is found among the store's small blobs: the one whose config is
 * that digest. Blobs are looked at once; the manifests found are kept by
 * config digest, and only blobs new since are looked at for an image not
 * found yet.
 */
export class ContentStore {
  readonly dir: string;
  private readonly manifests = new Map<string, string>();
  private readonly looked = new Set<string>();
  private scanning: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  async read(imageId: string, reference: string, options: ReadOptions = {}): Promise<ImageContents> {
    checkDigest(imageId, reference);
    if (!this.manifests.has(imageId)) {
      this.scanning ??= this.scan(reference).finally(() => (this.scanning = undefined));
      await this.scanning;
    }
    const hex = this.manifests.get(imageId);
    if (hex === undefined) throw new ImageError(`${reference}: no manifest of ${imageId} in the content store ${this.dir}`);
    const store = blobFolder(this.dir, reference, options.verify ?? false);
    try {
      const bytes = await store.small(join(this.blobs, hex), `manifest sha256:${hex}`);
      return assemble(await resolveManifest(store, bytes, `sha256:${hex}`, { reference, transport: 'containerd' }));
    } catch (e) {
      // a manifest removed since (the image was deleted): looked for again next time
      this.manifests.delete(imageId);
      this.looked.delete(hex);
      throw e;
    }
  }

  private get blobs(): string {
    return join(this.dir, 'blobs', 'sha256');
  }

  /** Every blob not looked at yet: the small JSON ones that are image manifests, kept by their config's digest. */
  private async scan(reference: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.blobs);
    } catch (e) {
      throw new ImageError(`${reference}: no content store at ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const hex of names) {
      if (this.looked.has(hex)) continue;
      this.looked.add(hex);
      const path = join(this.blobs, hex);
      const size = await stat(path).then((s) => s.size, () => Infinity);
      if (size > MANIFEST_MAX) continue;
      const bytes = await readFile(path).catch(() => undefined);
      if (bytes?.[0] !== 0x7b) continue;
      try {
        const manifest = JSON.parse(bytes.toString('utf8')) as { config?: { digest?: string }; layers?: unknown };
        if (typeof manifest.config?.digest === 'string' && Array.isArray(manifest.layers)) this.manifests.set(manifest.config.digest, hex);
      } catch {
        // not JSON: a config or another small blob
      }
    }
  }
}

/** One image of the content store at `dir` (the store looked through for it alone). */
export function readContentStore(dir: string, imageId: string, reference: string, options: ReadOptions = {}): Promise<ImageContents> {
  return new ContentStore(dir).read(imageId, reference, options);
}
