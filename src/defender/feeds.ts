import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseFeed } from '../intel/index.ts';
import type { StoredFeed } from '../store/index.ts';

/** A feed that could not be read, or holds nothing Tenet can use. */
export class FeedError extends Error {
  override name = 'FeedError';
}

/** Feeds larger than this are refused, not read. */
const MAX_FEED_BYTES = 256 * 1024 * 1024;

const isUrl = (source: string) => /^https?:\/\//i.test(source);

async function feedText(source: string): Promise<string> {
  if (isUrl(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(60_000), redirect: 'follow' });
    } catch (e) {
      throw new FeedError(`${source}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
    }
    if (!res.ok) throw new FeedError(`${source}: HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_FEED_BYTES) throw new FeedError(`${source}: ${length} bytes, more than ${MAX_FEED_BYTES}`);
    return res.text();
  }
  let size: number;
  try {
    size = statSync(source).size;
  } catch (e) {
    throw new FeedError(`${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (size > MAX_FEED_BYTES) throw new FeedError(`${source}: ${size} bytes, more than ${MAX_FEED_BYTES}`);
  return readFileSync(source, 'utf8');
}

/** The feed's name when none is given: the file name of its path or URL. */
export function feedName(source: string): string {
  return basename(isUrl(source) ? new URL(source).pathname : source) || source;
}

/** Reads a feed from a file or an http(s) URL, in whatever format its content says. */
export async function loadFeed(source: string, options: { name?: string; everySec?: number } = {}): Promise<StoredFeed> {
  const name = options.name ?? feedName(source);
  // a file is kept by its absolute path, so a defender elsewhere loads it again
  if (!isUrl(source)) source = resolve(source);
  const parsed = parseFeed(await feedText(source), name);
  if ('rejected' in parsed) throw new FeedError(`${source}: ${parsed.rejected}`);
  return {
    name, source, format: parsed.format, loadedAt: new Date().toISOString(), notes: parsed.notes, indicators: parsed.indicators,
    ...(options.everySec !== undefined && { everySec: options.everySec }),
  };
}
