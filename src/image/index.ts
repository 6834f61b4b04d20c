/**
 * Image sources: the local Docker engine, a `docker save` archive, an OCI image
 * layout (folder or tar) and a registry, each read into the same ImageContents
 * by streaming, never by unpacking to disk.
 */
import { existsSync, statSync } from 'node:fs';
import type { ImageContents } from '../model/index.ts';
import { EngineError, inspectImage, saveImage } from '../runtime/index.ts';
import { readArchiveFile, readArchiveStream, readOciFolder, type ReadOptions } from './archive.ts';
import { ImageError } from './errors.ts';
import { readRegistryImage } from './registry.ts';

export { ImageError } from './errors.ts';
export { parseRegistryReference } from './registry.ts';
export { indexLayerFile, indexLayerStream, isAppSource, normalizeEntryPath } from './layer.ts';
export type { ReadOptions } from './archive.ts';

/** The transports an image input may name, as `TRANSPORT:WHAT`. */
export const IMAGE_TRANSPORTS = ['image', 'docker-archive', 'oci', 'registry'] as const;

/** True for `image:nginx`, `docker-archive:x.tar`, `oci:dir`, `registry:host/repo:tag`. */
export function isImageInput(arg: string): boolean {
  return IMAGE_TRANSPORTS.some((t) => arg.startsWith(`${t}:`) && arg.length > t.length + 1);
}

/** `FILE[:TAG]`: the whole text when it names an existing path, else split at the last colon. */
function pathAndTag(text: string): { path: string; tag?: string } {
  const colon = text.lastIndexOf(':');
  if (existsSync(text) || colon <= 0) return { path: text };
  return { path: text.slice(0, colon), tag: text.slice(colon + 1) };
}

/** Reads one image input. Throws ImageError when it cannot be read. */
export async function readImage(input: string, options: ReadOptions = {}): Promise<ImageContents> {
  const colon = input.indexOf(':');
  const transport = input.slice(0, colon);
  const what = input.slice(colon + 1);
  switch (transport) {
    case 'image':
      return readEngineImage(what, input, options);
    case 'docker-archive': {
      const { path, tag } = pathAndTag(what);
      return readArchiveFile(path, input, 'docker-archive', tag, options);
    }
    case 'oci': {
      const { path, tag } = pathAndTag(what);
      if (!existsSync(path)) throw new ImageError(`${input}: no such folder or file: ${path}`);
      return statSync(path).isDirectory()
        ? readOciFolder(path, input, tag, options)
        : readArchiveFile(path, input, 'oci', tag, options);
    }
    case 'registry':
      return readRegistryImage(what, input);
    default:
      throw new ImageError(`${input}: unknown image transport "${transport}" (use ${IMAGE_TRANSPORTS.map((t) => `${t}:`).join(', ')})`);
  }
}

/** An image of the local engine, streamed from `GET /images/{name}/get`. */
async function readEngineImage(name: string, reference: string, options: ReadOptions): Promise<ImageContents> {
  try {
    const inspected = await inspectImage(name);
    const contents = await readArchiveStream(await saveImage(inspected.Id), {
      reference,
      transport: 'docker-engine',
      repoTags: inspected.RepoTags ?? [],
      repoDigests: inspected.RepoDigests ?? [],
    }, undefined, options);
    if (contents.id !== inspected.Id) throw new ImageError(`${reference}: the engine saved ${contents.id}, not ${inspected.Id}`);
    return contents;
  } catch (e) {
    if (e instanceof EngineError) throw new ImageError(`${reference}: ${e.message}`);
    throw e;
  }
}
export { attachArtifact, fetchArtifactBlob, findReferrers, resolveSubject, type Artifact, type Descriptor, type Subject } from './referrers.ts';
export { pullIntent, pushIntent } from './intent.ts';
export { ContentStore, readContentStore } from './content-store.ts';
export { ContainersStorage } from './containers-storage.ts';
