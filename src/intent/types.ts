import type { Finding, IntentModel, Supermodel } from '../model/index.ts';

/** What an analyser of one input format returns: never throws on bad input. */
export interface FormatResult {
  models: IntentModel[];
  supermodels: Supermodel[];
  findings: Finding[];
}

/**
 * Reads a file that an input refers to (an env_file, a build's Dockerfile, an
 * `extends` file). The analyser resolves the reference against the referring
 * file's folder with `node:path/posix` (`join(dirname(file), ref)`) and passes
 * that path; undefined when the file is missing or unreadable.
 */
export interface FileLookup {
  read(path: string): string | undefined;
}

export const NO_FILES: FileLookup = { read: () => undefined };

export function emptyResult(): FormatResult {
  return { models: [], supermodels: [], findings: [] };
}
