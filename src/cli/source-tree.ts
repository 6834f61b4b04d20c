import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { SourceTree } from '../intent/index.ts';

/** Source files above this size are not read (a bundle larger than this is not an app's source). */
const MAX_SOURCE = 32 * 1024 * 1024;
/** Native addons above this size are not read (their imports then bound nothing). */
const MAX_BINARY = 256 * 1024 * 1024;

/** The files of an app on disk, for code analysis. Links are followed; a loop is simply not a file. */
export function diskTree(): SourceTree {
  const stat = (path: string) => {
    try {
      // Resolution probes many names that do not exist: no exception for those (it is the hot path).
      return statSync(path, { throwIfNoEntry: false });
    } catch {
      return undefined; // a link loop, a permission denied: not a file
    }
  };
  return {
    isFile: (path) => stat(path)?.isFile() ?? false,
    isDirectory: (path) => stat(path)?.isDirectory() ?? false,
    list(path) {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
    read(path) {
      const found = stat(path);
      if (!found?.isFile() || found.size > MAX_SOURCE) return undefined;
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    bytes(path) {
      const found = stat(path);
      if (!found?.isFile() || found.size > MAX_BINARY) return undefined;
      try {
        return readFileSync(path);
      } catch {
        return undefined;
      }
    },
  };
}
