/** An image that cannot be read: bad input or a failed transfer, never a bug. */
export class ImageError extends Error {
  override name = 'ImageError';
}
