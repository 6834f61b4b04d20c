import type { IntentModel } from '../../model/index.ts';
import { parseImage } from '../common/image-ref.ts';
import { addListen, addMount, addProcesses, addWritable, mergeSources } from '../common/model-builder.ts';
import type { ImageIntent } from './index.ts';

/** `nginx`, `docker.io/library/nginx:latest` and `index.docker.io/library/nginx` are one name. */
export function canonicalImageName(reference: string): string {
  const { repository, tag, digest } = parseImage(reference);
  let repo = repository.toLowerCase().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  if (!repo.includes('/')) repo = `library/${repo}`;
  repo = repo.replace(/^library\/(.+\/)/, '$1');
  if (digest !== undefined) return `${repo}@${digest}`;
  return `${repo}:${tag ?? 'latest'}`;
}

/** The names an image intent answers to: tags, repo digests, bare digests and its id. */
function namesOf(image: ImageIntent): Set<string> {
  const names = new Set<string>();
  for (const name of image.names) {
    if (/^sha256:[0-9a-f]{64}$/.test(name)) names.add(name);
    else names.add(canonicalImageName(name));
    const digest = parseImage(name).digest;
    if (digest !== undefined) names.add(digest);
  }
  return names;
}

function matches(declared: string, names: ReadonlySet<string>): boolean {
  if (names.has(canonicalImageName(declared))) return true;
  const digest = parseImage(declared).digest;
  return digest !== undefined && names.has(digest);
}

/**
 * Joins image intent to the declared models that run the image: such a model
 * takes the image digest as its id and gains the image's OS, inventory, ports,
 * volumes and, when the manifest sets no command, its entrypoint. Images no
 * manifest names stay models of their own.
 */
export function joinImages(declared: IntentModel[], images: readonly ImageIntent[]): IntentModel[] {
  const standalone: IntentModel[] = [];
  for (const image of images) {
    const names = namesOf(image);
    const users = declared.filter((m) => m.image !== undefined && matches(m.image, names));
    if (users.length === 0) {
      standalone.push(image.model);
      continue;
    }
    for (const model of users) mergeImage(model, image.model);
  }
  return [...declared, ...standalone];
}

function mergeImage(model: IntentModel, image: IntentModel): void {
  model.id = image.id;
  if (image.os !== undefined) model.os = image.os;
  if (image.inventory !== undefined) model.inventory = image.inventory;
  const declaresCommand = model.processes.some((p) => p.role === 'main');
  addProcesses(model, image.processes.filter((p) => p.role !== 'main' || !declaresCommand));
  for (const entry of image.network.listen) addListen(model, entry);
  for (const mount of image.filesystem.mounts) addMount(model, mount);
  for (const writable of image.filesystem.writable) addWritable(model, writable.path, writable.sources);
  if (model.security.user === undefined && image.security.user !== undefined) model.security.user = image.security.user;
  else if (model.security.user !== undefined && image.security.user !== undefined && model.security.user.value === image.security.user.value) {
    mergeSources(model.security.user.sources, image.security.user.sources);
  }
}
