import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageContents } from '../model/index.ts';
import { blobFolder, type ReadOptions } from './archive.ts';
import { assemble, checkDigest, resolveManifest } from './assemble.ts';
import { ImageError } from './errors.ts';

/** A manifest is a few kilobytes; a blob larger than this is a layer (or a config) and is not opened to look for one. */
const MANIFEST_MAX = 64 * 1024;

/**
 * An image of containerd's content store (`ROOT/io.containerd.content.v1.content`:
 * blobs by digest, as in an OCI layout), read in place, by the image id its
 * runtime reports — the digest of its config. The store keeps no index a
 * reader can use without containerd's metadata database, so the image's
 * manifest is found among the store's small blobs: the one whose config is
 * that digest.
 */
export async function readContentStore(dir: string, imageId: string, reference: string, options: ReadOptions = {}): Promise<ImageContents> {
  checkDigest(imageId, reference);
  const blobs = join(dir, 'blobs', 'sha256');
  let names: string[];
  try {
    names = await readdir(blobs);
  } catch (e) {
    throw new ImageError(`${reference}: no content store at ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (const hex of names) {
    const path = join(blobs, hex);
    const size = await stat(path).then((s) => s.size, () => Infinity);
    if (size > MANIFEST_MAX) continue;
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes?.[0] !== 0x7b) continue;
    let manifest: { config?: { digest?: string }; layers?: unknown };
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as typeof manifest;
    } catch {
      continue;
    }
    if (manifest.config?.digest !== imageId || !Array.isArray(manifest.layers)) continue;
    const store = blobFolder(dir, reference, options.verify ?? false);
    return assemble(await resolveManifest(store, bytes, `sha256:${hex}`, { reference, transport: 'containerd' }));
  }
  throw new ImageError(`${reference}: no manifest of ${imageId} in the content store ${dir}`);
}
