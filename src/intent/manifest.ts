import { createHash } from 'node:crypto';
import { IntentManifest, type IntentModel } from '../model/index.ts';

/** An intent manifest with its bytes (canonical JSON: keys sorted, so equal models give equal files) and their digest. */
export interface IntentManifestFile {
  manifest: IntentManifest;
  text: string;
  /** `sha256:` of `text`: the file's name, and its blob's digest in a registry. */
  digest: string;
}

/** The intent manifest of `model`, which must be an image's (its id the image ID). */
export function intentManifest(model: IntentModel, options: { reference?: string; createdAt: string }): IntentManifestFile {
  const manifest = IntentManifest.parse({
    apiVersion: 'tenet/v1', kind: 'IntentManifest', image: model.id,
    ...(options.reference !== undefined && { reference: options.reference }),
    createdAt: options.createdAt, model,
  });
  return file(manifest);
}

/** Reads an intent manifest; a wrong one is a reason, never an exception. */
export function readIntentManifest(text: string): { ok: true; file: IntentManifestFile } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  const parsed = IntentManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `not an intent manifest: ${issue.path.join('.') || '(top)'}: ${issue.message}` };
  }
  return { ok: true, file: file(parsed.data) };
}

function file(manifest: IntentManifest): IntentManifestFile {
  const text = `${JSON.stringify(sortKeys(manifest), null, 2)}\n`;
  return { manifest, text, digest: `sha256:${createHash('sha256').update(text).digest('hex')}` };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}
