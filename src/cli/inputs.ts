import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { finding, type Finding } from '../model/index.ts';
import { candidateByName, looksLikeDockerfile, type FileLookup, type InputFile } from '../intent/index.ts';
import { CliError } from './errors.ts';

/** Folders that never hold a workload's own manifests. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
/** npm's own files: they make their folder an app, and are read as part of its code. */
const NPM_FILES = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json']);

export interface CollectedInputs {
  inputs: InputFile[];
  findings: Finding[];
  /** Folders holding a package.json: Node.js apps whose code is analysed. */
  apps: string[];
}

/** A path as the user should see it: relative to the working folder, with forward slashes. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path) || path;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/**
 * Reads the given files (`-` is standard input), and the candidate files (YAML,
 * JSON, Dockerfiles) of the given folders recursively, without following links to
 * folders. Files over the size limit are not read; unreadable files become findings.
 */
export function collectInputs(paths: readonly string[], maxFileSize: number): CollectedInputs {
  const out: CollectedInputs = { inputs: [], findings: [], apps: [] };
  const seen = new Set<string>();
  const read = (path: string, sniff = false) => {
    const shown = path === '-' ? '<stdin>' : displayPath(path);
    if (seen.has(shown)) return;
    seen.add(shown);
    try {
      const size = path === '-' ? 0 : statSync(path).size;
      if (size > maxFileSize) {
        if (sniff) return;
        const mib = (size / 1048576).toFixed(1);
        out.findings.push(finding('TN002', `File is ${mib} MiB, over the ${(maxFileSize / 1048576).toFixed(0)} MiB limit; not analysed`, { file: shown, line: 1 }));
        return;
      }
      const content = readFileSync(path === '-' ? 0 : path);
      if (sniff && !looksLikeDockerfile(new TextDecoder().decode(content.subarray(0, 4096)))) return;
      out.inputs.push({ path: shown, content });
    } catch (e) {
      out.findings.push(finding('TN001', `Cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: shown, line: 1 }));
    }
  };
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (e) {
      out.findings.push(finding('TN001', `Cannot read folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: displayPath(dir), line: 1 }));
      return;
    }
    if (entries.some((e) => e.name === 'package.json' && (e.isFile() || e.isSymbolicLink()))) out.apps.push(displayPath(dir));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.isFile() || (entry.isSymbolicLink() && isFileTarget(path))) {
        if (NPM_FILES.has(entry.name)) continue;
        const candidate = candidateByName(path);
        if (candidate !== 'no') read(path, candidate === 'sniff');
      }
    }
  };
  for (const path of paths) {
    if (path === '-') {
      read(path);
      continue;
    }
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new CliError('ERR_PATH_NOT_FOUND', `no such file or folder: ${path}`);
    }
    if (stat.isDirectory()) walk(path);
    else read(path);
  }
  return out;
}

function isFileTarget(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads referenced files from disk, relative to the working folder. */
export function diskFiles(maxFileSize: number): FileLookup {
  return {
    read(path) {
      try {
        if (statSync(path).size > maxFileSize) return undefined;
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
