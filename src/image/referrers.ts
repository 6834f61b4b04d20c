/**
 * OCI artifacts that refer to an image (OCI distribution 1.1): pushed with a
 * `subject`, found through the referrers API or, on registries without it,
 * through the referrers tag schema (an index tagged `sha256-<hex>`).
 */
import { checkDigest, MAX_JSON, parseJson } from './assemble.ts';
import { ImageError } from './errors.ts';
import { bodyOf, MANIFEST_TYPES, parseRegistryReference, Registry } from './registry.ts';
import { readAll, sha256Hex } from './stream.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** The empty config artifacts carry (`{}`). */
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${sha256Hex('{}')}`, size: 2 } as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An artifact to attach: one blob of `artifactType`, with annotations on its manifest. */
export interface Artifact {
  artifactType: string;
  blob: Uint8Array;
  /** The blob's file name, for tools that save it (`org.opencontainers.image.title`). */
  title: string;
  annotations?: Record<string, string>;
}

/** The image an artifact refers to: its manifest as the registry holds it. */
export interface Subject extends Descriptor {
  /** `HOST/REPOSITORY@sha256:…` */
  reference: string;
  /** The image ID (config digest) when the manifest is one image's, not an index of several. */
  config?: string;
}

interface ImageManifest {
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

/** The manifest a reference (`HOST/REPO:TAG` or `@sha256:…`) names in its registry. */
export async function resolveSubject(reference: string): Promise<Subject> {
  const ref = parseRegistryReference(reference);
  const registry = new Registry(ref, reference);
  const res = await registry.get(`manifests/${ref.reference}`, MANIFEST_TYPES);
  const bytes = await readAll(bodyOf(res), MAX_JSON, `${reference}: manifest`);
  const digest = `sha256:${sha256Hex(bytes)}`;
  if (ref.reference.startsWith('sha256:') && ref.reference !== digest) throw new ImageError(`${reference}: the manifest's content hashes to ${digest}`);
  const manifest = parseJson<ImageManifest>(bytes, `${reference}: manifest`);
  const mediaType = manifest.mediaType ?? res.headers.get('content-type') ?? OCI_MANIFEST;
  return { mediaType, digest, size: bytes.length, reference: `${ref.host}/${ref.repository}@${digest}`, ...(manifest.config?.digest !== undefined && { config: manifest.config.digest }) };
}

/** Pushes `artifact` beside `subject`'s image; returns the artifact manifest's descriptor. */
export async function attachArtifact(subject: Subject, artifact: Artifact): Promise<Descriptor> {
  const ref = parseRegistryReference(subject.reference);
  const registry = new Registry(ref, subject.reference);
  const layer: Descriptor = { mediaType: artifact.artifactType, digest: `sha256:${sha256Hex(artifact.blob)}`, size: artifact.blob.length, annotations: { 'org.opencontainers.image.title': artifact.title } };
  await pushBlob(registry, new TextEncoder().encode('{}'), EMPTY.digest);
  await pushBlob(registry, artifact.blob, layer.digest);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: artifact.artifactType,
    config: EMPTY,
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(artifact.annotations !== undefined && { annotations: artifact.annotations }),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const descriptor: Descriptor = {
    mediaType: OCI_MANIFEST, digest: `sha256:${sha256Hex(bytes)}`, size: bytes.length, artifactType: artifact.artifactType,
    ...(artifact.annotations !== undefined && { annotations: artifact.annotations }),
  };
  const put = await registry.request('PUT', `manifests/${descriptor.digest}`, { body: bytes, contentType: OCI_MANIFEST });
  await put.body?.cancel();
  // a registry that keeps referrers itself says so; for the others the client keeps the index under the fallback tag
  if (put.headers.get('oci-subject') === null) await addToFallbackIndex(registry, subject.digest, descriptor);
  return descriptor;
}

/** The artifacts of `artifactType` that refer to `subject`, newest push last. */
export async function findReferrers(subject: Pick<Subject, 'reference' | 'digest'>, artifactType: string): Promise<Descriptor[]> {
  const ref = parseRegistryReference(subject.reference);
  const registry = new Registry(ref, subject.reference);
  const api = await registry.request('GET', `referrers/${subject.digest}?artifactType=${encodeURIComponent(artifactType)}`, { accept: OCI_INDEX, allow: [404] });
  let index: ImageManifest | undefined;
  if (api.ok && (api.headers.get('content-type') ?? '').includes(OCI_INDEX)) {
    index = parseJson<ImageManifest>(await readAll(bodyOf(api), MAX_JSON, `${subject.reference}: referrers`), `${subject.reference}: referrers`);
  } else {
    // registries without the API answer 404 (or a page that is not an index)
    await api.body?.cancel();
    index = await fallbackIndex(registry, subject.digest);
  }
  return (index?.manifests ?? []).filter((d) => d.artifactType === artifactType);
}

/** The one blob of an artifact, checked against the digests of its manifest and itself. */
export async function fetchArtifactBlob(subject: Pick<Subject, 'reference'>, artifact: Descriptor, maxBytes: number): Promise<Uint8Array> {
  const ref = parseRegistryReference(subject.reference);
  const registry = new Registry(ref, subject.reference);
  const what = `${subject.reference}: artifact ${artifact.digest}`;
  const bytes = await readAll(bodyOf(await registry.get(`manifests/${checkDigest(artifact.digest, what)}`, OCI_MANIFEST)), MAX_JSON, what);
  if (`sha256:${sha256Hex(bytes)}` !== artifact.digest) throw new ImageError(`${what}: the manifest's content does not match its digest`);
  const layers = parseJson<ImageManifest>(bytes, what).layers ?? [];
  if (layers.length !== 1) throw new ImageError(`${what}: expected one blob, found ${layers.length}`);
  const layer = layers[0]!;
  if (layer.size > maxBytes) throw new ImageError(`${what}: its blob is ${layer.size} bytes, more than ${maxBytes}`);
  const blob = await readAll(bodyOf(await registry.get(`blobs/${checkDigest(layer.digest, what)}`)), maxBytes, what);
  if (`sha256:${sha256Hex(blob)}` !== layer.digest) throw new ImageError(`${what}: the blob's content does not match its digest`);
  return blob;
}

/** Uploads a blob in one request, unless the registry has it already. */
async function pushBlob(registry: Registry, bytes: Uint8Array, digest: string): Promise<void> {
  const head = await registry.request('HEAD', `blobs/${digest}`, { allow: [404] });
  if (head.ok) return;
  const start = await registry.request('POST', 'blobs/uploads/');
  await start.body?.cancel();
  const location = start.headers.get('location');
  if (location === null) throw new ImageError(`${registry.ref.host}: the registry started an upload without a location`);
  const put = await registry.request('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`, { body: bytes, contentType: 'application/octet-stream' });
  await put.body?.cancel();
}

const fallbackTag = (digest: string) => digest.replace(':', '-');

async function fallbackIndex(registry: Registry, digest: string): Promise<ImageManifest | undefined> {
  const res = await registry.request('GET', `manifests/${fallbackTag(digest)}`, { accept: OCI_INDEX, allow: [404] });
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  return parseJson<ImageManifest>(await readAll(bodyOf(res), MAX_JSON, `${registry.ref.host}: referrers of ${digest}`), `referrers of ${digest}`);
}

async function addToFallbackIndex(registry: Registry, digest: string, descriptor: Descriptor): Promise<void> {
  const index = (await fallbackIndex(registry, digest)) ?? { manifests: [] };
  const manifests = [...(index.manifests ?? []).filter((d) => d.digest !== descriptor.digest), descriptor];
  const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  const put = await registry.request('PUT', `manifests/${fallbackTag(digest)}`, { body: bytes, contentType: OCI_INDEX });
  await put.body?.cancel();
}
