/** An image reference split as the registry reads it: `repo[:tag][@digest]`. */
export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ImageReference {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  // A colon before the last slash belongs to a registry port, not to a tag.
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  return {
    repository: colon === -1 ? name : name.slice(0, colon),
    ...(colon !== -1 && { tag: name.slice(colon + 1) }),
    ...(digest !== undefined && { digest }),
  };
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** The digest (`sha256:…`) an image pins, when it pins a valid one. */
export function digestOf(image: string): string | undefined {
  const { digest } = parseImage(image);
  return digest !== undefined && DIGEST.test(digest) ? digest : undefined;
}

/** Why what runs can change without the definition changing (no tag, or `latest`, and no digest); undefined when pinned. */
export function floatingReason(image: string): string | undefined {
  if (digestOf(image) !== undefined) return undefined;
  const { tag } = parseImage(image);
  if (tag === undefined || tag === '') return 'has no tag';
  return tag === 'latest' ? 'uses the latest tag' : undefined;
}
