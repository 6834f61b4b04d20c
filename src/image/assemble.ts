import { arch } from 'node:os';
import type { ImageConfig, ImageContents, ImageTransport, LayerIndex } from '../model/index.ts';
import { ImageError } from './errors.ts';
import { sha256Hex } from './stream.ts';

/** JSON documents (manifests, configs, indexes) are small; more is not a real one. */
export const MAX_JSON = 16 * 1024 * 1024;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** Where the blobs of an OCI layout or a registry repository come from. */
export interface BlobStore {
  /** A small blob (manifest, index, config), whole. */
  json(digest: string): Promise<Buffer>;
  /** A layer blob, indexed. */
  layer(descriptor: Descriptor): Promise<LayerIndex>;
}

/** What every source fills in; assemble() checks it and makes the ImageContents. */
export interface ImageParts {
  reference: string;
  transport: ImageTransport;
  configBytes: Buffer;
  /** The config's digest as the source names it (file name, descriptor), checked against its bytes. */
  configDigest?: string;
  manifestDigest?: string;
  repoTags?: string[];
  repoDigests?: string[];
  layers: LayerIndex[];
}

export function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw new ImageError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export function checkDigest(digest: string, what: string): string {
  if (!DIGEST.test(digest)) throw new ImageError(`${what}: "${digest}" is not a sha256 digest`);
  return digest;
}

/**
 * Checks the parts against each other (config digest, layer count and diff_ids)
 * and makes the ImageContents. A layer read without hashing takes its diffId
 * from the config.
 */
export function assemble(parts: ImageParts): ImageContents {
  const id = `sha256:${sha256Hex(parts.configBytes)}`;
  if (parts.configDigest !== undefined && parts.configDigest !== id) {
    throw new ImageError(`${parts.reference}: the config's content (${id}) does not match its name ${parts.configDigest}`);
  }
  const config = parseJson<ImageConfig>(parts.configBytes, `${parts.reference}: image config`);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ImageError(`${parts.reference}: image config is not an object`);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== parts.layers.length) {
    throw new ImageError(`${parts.reference}: the config lists ${diffIds.length} layers, the manifest ${parts.layers.length}`);
  }
  parts.layers.forEach((layer, i) => {
    const claimed = diffIds[i]!;
    if (layer.verified && layer.diffId !== claimed) {
      throw new ImageError(`${parts.reference}: layer ${i + 1}'s content (${layer.diffId}) does not match the config's diff_id ${claimed}`);
    }
    layer.diffId = claimed;
  });
  return {
    reference: parts.reference,
    transport: parts.transport,
    id,
    ...(parts.manifestDigest !== undefined && { manifestDigest: parts.manifestDigest }),
    repoDigests: parts.repoDigests ?? [],
    repoTags: parts.repoTags ?? [],
    config,
    layers: parts.layers,
  };
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

interface Manifest {
  mediaType?: string;
  schemaVersion?: number;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/** The platform this machine runs, in OCI words. */
export function hostPlatform(): { os: string; architecture: string } {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: names[arch()] ?? arch() };
}

/**
 * From an OCI index or image manifest to the image's manifest, config and
 * layers: an index is narrowed by the tag annotation when one is asked for,
 * else by this machine's platform, else it must hold a single image.
 */
export async function resolveManifest(
  store: BlobStore,
  top: Buffer,
  topDigest: string | undefined,
  base: Omit<ImageParts, 'configBytes' | 'layers' | 'configDigest'>,
  tag?: string,
): Promise<ImageParts> {
  let bytes = top;
  let digest = topDigest;
  for (let depth = 0; depth < 4; depth++) {
    const manifest = parseJson<Manifest>(bytes, `${base.reference}: manifest`);
    if (INDEX_TYPES.has(manifest.mediaType ?? '') || (manifest.manifests !== undefined && manifest.config === undefined)) {
      const chosen = chooseManifest(manifest.manifests ?? [], tag, base.reference);
      tag = undefined;
      digest = checkDigest(chosen.digest, base.reference);
      bytes = await store.json(digest);
      continue;
    }
    if (manifest.config === undefined || !Array.isArray(manifest.layers)) {
      throw new ImageError(`${base.reference}: manifest has no config or no layers (schema ${manifest.schemaVersion ?? '?'}, ${manifest.mediaType ?? 'no media type'})`);
    }
    const configDigest = checkDigest(manifest.config.digest, `${base.reference}: config`);
    const configBytes = await store.json(configDigest);
    const layers: LayerIndex[] = [];
    for (const layer of manifest.layers) {
      checkDigest(layer.digest, `${base.reference}: layer`);
      const index = await store.layer(layer);
      const read = index.digest ?? index.diffId;
      if (index.verified && read !== layer.digest) {
        throw new ImageError(`${base.reference}: layer ${layer.digest}'s content hashes to ${read}`);
      }
      layers.push(index);
    }
    return { ...base, ...(digest !== undefined && { manifestDigest: digest }), configBytes, configDigest, layers };
  }
  throw new ImageError(`${base.reference}: indexes nested more than 4 deep`);
}

function chooseManifest(manifests: Descriptor[], tag: string | undefined, reference: string): Descriptor {
  if (tag !== undefined) {
    const named = manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
    if (named.length === 0) throw new ImageError(`${reference}: no image tagged "${tag}" in the index`);
    return named[0]!;
  }
  const images = manifests.filter((m) => !m.platform || m.platform.os !== 'unknown');
  if (images.length === 1) return images[0]!;
  const { os, architecture } = hostPlatform();
  const matching = images.find((m) => m.platform?.os === os && m.platform.architecture === architecture);
  if (matching) return matching;
  if (images.length === 0) throw new ImageError(`${reference}: the index lists no image`);
  throw new ImageError(`${reference}: the index lists ${images.length} images and none for ${os}/${architecture}; name one with :TAG`);
}

/** `docker save`'s manifest.json: one entry per image in the archive. */
interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** The image in a `docker save` archive: the one tagged `tag`, or the only one. */
export function chooseDockerEntry(manifestJson: Buffer, tag: string | undefined, reference: string): DockerManifestEntry {
  const entries = parseJson<DockerManifestEntry[]>(manifestJson, `${reference}: manifest.json`);
  if (!Array.isArray(entries) || entries.length === 0) throw new ImageError(`${reference}: manifest.json lists no image`);
  for (const entry of entries) {
    if (typeof entry?.Config !== 'string' || !Array.isArray(entry.Layers) || !entry.Layers.every((l) => typeof l === 'string')) {
      throw new ImageError(`${reference}: manifest.json entry without Config or Layers`);
    }
  }
  if (tag !== undefined) {
    const found = entries.find((e) => (e.RepoTags ?? []).some((t) => t === tag || t.endsWith(`/${tag}`) || t.split(':')[0] === tag));
    if (!found) throw new ImageError(`${reference}: no image tagged "${tag}" in the archive`);
    return found;
  }
  if (entries.length > 1) throw new ImageError(`${reference}: the archive holds ${entries.length} images; name one with :TAG`);
  return entries[0]!;
}
