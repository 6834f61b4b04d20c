import { readFileSync } from 'node:fs';
import { ImageError, isImageInput, pullIntent, pushIntent, readImage, resolveSubject } from '../../image/index.ts';
import { DEFAULT_MAX_FILE_SIZE, intentManifest, readIntentManifest, type IntentManifestFile } from '../../intent/index.ts';
import { IntentModel } from '../../model/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, writeResult, type Command } from '../command.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet intent make IMAGE [PATH…] [--model FILE] [-o FILE]
       tenet intent push REFERENCE [PATH…] [--model FILE | --file FILE]
       tenet intent pull REFERENCE [-o FILE]

An intent manifest is an image's model as a file: tied to the image by its
digest (the image ID), named by the sha256 of its own bytes, and kept beside
the image in its registry as an OCI artifact that refers to it. A defender
given --intent-registry starts each container of the image from it.

  make   the intent manifest of IMAGE (image:NAME, registry:REF, docker-archive:FILE,
         oci:DIR), joined with what the manifests and code in PATH declare for it
  push   attaches it to the image REFERENCE (HOST/REPOSITORY:TAG or @sha256:…)
         in its registry: made from registry:REFERENCE and PATH, or --file
  --model FILE  the model is the image's in FILE (\`tenet models --format json\` of a
         defender that learned it, in staging): a learned, active model is
         enforced from a container's first second
  pull   the newest intent manifest attached to REFERENCE, checked against the
         image's digest and its own

Loopback registries are spoken to over HTTP, others over HTTPS; a registry
that wants a login takes TENET_REGISTRY_USER and TENET_REGISTRY_PASSWORD.

Exit codes: 0 done, 1 pull found none, 2 unusable input, unreachable registry or usage error.`;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError('ERR_PATH_NOT_FOUND', `${path}: ${(e as Error).message}`);
  }
}

/** The model of image `imageId` in a file of models (`tenet models --format json`: one, or a list). */
function modelFromFile(path: string, imageId: string): IntentModel {
  const text = readText(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError('ERR_BAD_INTENT', `${path}: ${(e as Error).message}`);
  }
  const found = (Array.isArray(json) ? json : [json]).filter((m) => (m as { id?: unknown } | null)?.id === imageId);
  if (found.length !== 1) throw new CliError('ERR_NO_MODEL', `${path}: no model of image ${imageId}`);
  const parsed = IntentModel.safeParse(found[0]);
  if (!parsed.success) throw new CliError('ERR_BAD_INTENT', `${path}: the model of ${imageId} is not an IntentModel: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** The image's model, joined with what PATHs declare for it, as an intent manifest. */
async function make(image: string, paths: readonly string[], createdAt: string): Promise<IntentManifestFile> {
  const analysis = await analyzePaths([image, ...paths], { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: true });
  const unreadable = analysis.findings.find((f) => f.code === 'TN015');
  if (unreadable !== undefined) throw new CliError('ERR_IMAGE', unreadable.message);
  // an image's model is the one with its inventory
  const models = analysis.models.filter((m) => m.inventory !== undefined);
  if (models.length !== 1) throw new CliError('ERR_NO_MODEL', `${image}: expected one image model, found ${models.length}`);
  return intentManifest(models[0]!, { reference: image.replace(/^[a-z-]+:/, ''), createdAt });
}

function readFile(path: string): IntentManifestFile {
  const read = readIntentManifest(readText(path));
  if (!read.ok) throw new CliError('ERR_BAD_INTENT', `${path}: ${read.reason}`);
  return read.file;
}

export const intentCommand: Command = {
  name: 'intent',
  summary: 'intent manifests: an image\'s model as a file, beside the image in its registry',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      file: { type: 'string' }, model: { type: 'string' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const [action, target, ...paths] = positionals;
    if (target === undefined || !['make', 'push', 'pull'].includes(action ?? '')) throw new CliError('ERR_USAGE', `intent needs make, push or pull and an image\n\n${USAGE}`);
    const reference = target.replace(/^registry:/, '');
    try {
      const createdAt = new Date().toISOString();
      if (action === 'make') {
        if (!isImageInput(target)) throw new CliError('ERR_USAGE', `intent make needs an image input (image:NAME, registry:REF, docker-archive:FILE, oci:DIR), not "${target}"`);
        const file = values.model !== undefined
          ? intentManifest(modelFromFile(values.model, (await readImage(target)).id), { reference: target.replace(/^[a-z-]+:/, ''), createdAt })
          : await make(target, paths, createdAt);
        writeResult(file.text, values.output, io);
        if (values.output !== undefined) io.stdout(`${file.digest} for image ${file.manifest.image}\n`);
        return 0;
      }
      if (action === 'push') {
        const subject = await resolveSubject(reference);
        if (values.model !== undefined && subject.config === undefined) throw new CliError('ERR_USAGE', `${reference} names an index of several images: name one by its digest`);
        const file = values.file !== undefined ? readFile(values.file)
          : values.model !== undefined ? intentManifest(modelFromFile(values.model, subject.config!), { reference, createdAt })
            : await make(`registry:${reference}`, paths, createdAt);
        const { artifact } = await pushIntent(subject, file);
        io.stdout(`pushed ${subject.reference.replace(/@.*$/, '')}@${artifact.digest}: intent ${file.digest} for ${subject.reference} (image ${file.manifest.image})\n`);
        return 0;
      }
      const pulled = await pullIntent(reference);
      if (pulled === undefined) {
        io.stderr(`${reference}: no intent manifest in the registry\n`);
        return 1;
      }
      writeResult(pulled.file.text, values.output, io);
      return 0;
    } catch (e) {
      if (e instanceof ImageError) throw new CliError('ERR_IMAGE', e.message);
      throw e;
    }
  },
};
