/** An image reference split as the registry reads it: `repo[:tag][@digest]`. */
export interface ImageReference {
  repository: string;
  tag?: string;
  /** The text after `@`, valid or not. */
  digest?: string;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

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

export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/** True when what runs can change without the manifest changing: no digest, and no tag or `latest`. */
export function isFloating(ref: ImageReference): boolean {
  if (ref.digest !== undefined && isValidDigest(ref.digest)) return false;
  return ref.tag === undefined || ref.tag === '' || ref.tag === 'latest';
}

/** The digest (`sha256:…`) an image pins, when it pins a valid one. */
export function digestOf(image: string): string | undefined {
  const { digest } = parseImage(image);
  return digest !== undefined && isValidDigest(digest) ? digest : undefined;
}

/** Why what runs can change without the definition changing (no tag, or `latest`, and no digest); undefined when pinned. */
export function floatingReason(image: string): string | undefined {
  const ref = parseImage(image);
  if (!isFloating(ref)) return undefined;
  return ref.tag === undefined || ref.tag === '' ? 'has no tag' : 'uses the latest tag';
}
