/** Intent manifests as OCI artifacts beside their images in a registry. */
import { readIntentManifest, type IntentManifestFile } from '../intent/index.ts';
import { INTENT_MEDIA_TYPE } from '../model/index.ts';
import { ImageError } from './errors.ts';
import { attachArtifact, fetchArtifactBlob, findReferrers, resolveSubject, type Descriptor, type Subject } from './referrers.ts';

/** Larger than any model Tenet makes, small enough to refuse a hostile blob. */
const MAX_MANIFEST = 32 * 1024 * 1024;

/** Pushes `file` beside the image `reference` names (`HOST/REPO:TAG` or `@sha256:…`); it must be that image's. */
export async function pushIntent(reference: string | Subject, file: IntentManifestFile): Promise<{ subject: Subject; artifact: Descriptor }> {
  const subject = typeof reference === 'string' ? await resolveSubject(reference) : reference;
  if (subject.config !== undefined && subject.config !== file.manifest.image) {
    throw new ImageError(`${subject.reference}: the intent manifest is for image ${file.manifest.image}, the registry's image is ${subject.config}`);
  }
  const artifact = await attachArtifact(subject, {
    artifactType: INTENT_MEDIA_TYPE,
    blob: new TextEncoder().encode(file.text),
    title: `${file.digest.replace(':', '-')}.intent.json`,
    annotations: { 'org.opencontainers.image.created': file.manifest.createdAt, 'dev.tenet.intent.image': file.manifest.image },
  });
  return { subject, artifact };
}

/**
 * The newest intent manifest beside the image `reference` names, or undefined
 * when it has none; one that is not that image's, or not an intent manifest,
 * is an error.
 */
export async function pullIntent(reference: string | Pick<Subject, 'reference' | 'digest' | 'config'>): Promise<{ subject: Pick<Subject, 'reference' | 'digest'>; file: IntentManifestFile } | undefined> {
  const subject = typeof reference === 'string' ? await resolveSubject(reference) : reference;
  const found = await findReferrers(subject, INTENT_MEDIA_TYPE);
  const newest = found.sort((a, b) => (a.annotations?.['org.opencontainers.image.created'] ?? '').localeCompare(b.annotations?.['org.opencontainers.image.created'] ?? '')).at(-1);
  if (newest === undefined) return undefined;
  const blob = await fetchArtifactBlob(subject, newest, MAX_MANIFEST);
  const read = readIntentManifest(new TextDecoder().decode(blob));
  if (!read.ok) throw new ImageError(`${subject.reference}: intent ${newest.digest}: ${read.reason}`);
  if (subject.config !== undefined && read.file.manifest.image !== subject.config) {
    throw new ImageError(`${subject.reference}: intent ${newest.digest} is for image ${read.file.manifest.image}, not this one (${subject.config})`);
  }
  return { subject, file: read.file };
}
