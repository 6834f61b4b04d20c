import { posix } from 'node:path';
import type { Source } from '../../model/index.ts';
import { splitWords } from '../common/command.ts';
import { isRecord, parseJson } from '../document.ts';
import { resolveModule, resolvePackage, type SourceTree } from './resolve.ts';

/** A file the app starts from, and why Tenet thinks so. */
export interface AppEntry {
  path: string;
  source: Source;
}

/** The command a container runs the app with: a Dockerfile's ENTRYPOINT and CMD, combined. */
export interface AppCommand {
  argv: readonly string[];
  /** The folder the command runs in inside the image; the app folder is taken to be copied there. */
  workdir?: string;
  source: Source;
}

/** Programs that run a script given as their first argument that is not an option. */
const RUNNERS = new Set(['node', 'nodejs', 'ts-node', 'tsx', 'nodemon', 'bun', 'deno']);

/** The script `node --flag x.js` (or `ts-node x.ts`) runs; undefined when the words run something else. */
export function scriptOf(words: readonly string[]): string | undefined {
  const start = words.findIndex((w) => RUNNERS.has(posix.basename(w)));
  if (start === -1) return undefined;
  const valued = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-e', '--eval', '-p', '--print', '--env-file']);
  for (let i = start + 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-e' || word === '--eval' || word === '-p' || word === '--print') return undefined;
    if (valued.has(word)) {
      i++;
      continue;
    }
    if (word === 'run' || word === 'start') continue; // bun run x.js, nodemon start
    if (!word.startsWith('-')) return word;
  }
  return undefined;
}

/**
 * The entry files of the app in folder `dir`, in this order of trust: the
 * command its image runs, then package.json (`bin`, `main`, `exports`,
 * `scripts.start`), then `index.js`. Every entry that exists is kept: each is
 * a way the app may be started.
 */
export function appEntries(tree: SourceTree, dir: string, command?: AppCommand): AppEntry[] {
  const entries: AppEntry[] = [];
  const add = (path: string | undefined, source: Source) => {
    if (path !== undefined && tree.isFile(path) && !entries.some((e) => e.path === path)) entries.push({ path, source });
  };
  const file = (relative: string) => resolveModule(tree, relative.startsWith('/') ? relative : `./${relative}`, posix.join(dir, 'package.json'));
  const fileOf = (relative: string) => {
    const found = file(relative);
    return found.kind === 'file' ? found.path : undefined;
  };

  if (command !== undefined) {
    const script = scriptOf(command.argv.length === 3 && /(^|\/)(ba|da)?sh$/.test(command.argv[0]!) && command.argv[1] === '-c'
      ? splitWords(command.argv[2]!) : command.argv);
    if (script !== undefined) {
      // An absolute path inside the working folder is a path of the app folder.
      const workdir = command.workdir?.replace(/\/+$/, '');
      const inApp = script.startsWith('/') && workdir !== undefined && script.startsWith(`${workdir}/`) ? script.slice(workdir.length + 1) : script;
      add(fileOf(inApp), command.source);
    }
  }

  const manifest = posix.join(dir, 'package.json');
  const text = tree.read(manifest);
  if (text !== undefined) {
    const parsed = parseJson(manifest, text);
    const doc = parsed.documents[0];
    if (doc !== undefined && isRecord(doc.value)) {
      const pkg = doc.value;
      const at = (path: Array<string | number>, detail: string): Source => ({ kind: 'code', file: manifest, line: doc.lineOf(path), path: path.join('.'), detail });
      const bin = typeof pkg.bin === 'string' ? { [String(pkg.name ?? 'bin')]: pkg.bin } : isRecord(pkg.bin) ? pkg.bin : {};
      for (const [name, target] of Object.entries(bin)) {
        if (typeof target === 'string') add(fileOf(target), at(typeof pkg.bin === 'string' ? ['bin'] : ['bin', name], `the command ${name}`));
      }
      if (typeof pkg.main === 'string') add(fileOf(pkg.main), at(['main'], 'package.json main'));
      if (pkg.exports !== undefined) {
        for (const loader of ['require', 'import'] as const) add(resolvePackage(tree, dir, '.', loader), at(['exports'], `package.json exports (${loader})`));
      }
      const start = isRecord(pkg.scripts) ? pkg.scripts.start : undefined;
      if (typeof start === 'string') {
        for (const part of start.split(/&&|\|\||;/)) {
          const script = scriptOf(splitWords(part.trim()));
          // node's script need not end in .js (`node node_modules/x/bin/x`): any file it names
          if (script !== undefined) add(fileOf(script), at(['scripts', 'start'], `npm start: ${start}`));
        }
      }
    }
  }
  // `node .` and npm's own default
  if (entries.length === 0) add(fileOf(text === undefined ? 'index' : '.') ?? fileOf('server.js'), { kind: 'code', file: dir, detail: 'the folder\'s index file' });
  return entries;
}
