import type { LayerEntry } from '../../model/index.ts';
import { programsOfScript, SHELLS, wrappedCommand } from '../common/command.ts';
import type { MergedFilesystem } from './filesystem.ts';

/** Docker's PATH when the image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One program a command runs, found in the image. */
export interface FoundProgram {
  /** As the command names it: `nginx`, `./run.sh`. */
  name: string;
  /** The real file, every link resolved. */
  path: string;
  entry: LayerEntry;
  /** diff id of the layer the file comes from. */
  layer: string;
  /** How it was found: `PATH /usr/sbin`, `link /bin/sh → /usr/bin/dash`. */
  how: string;
  /** Why it runs: `the entrypoint`, `interpreter of /docker-entrypoint.sh`. */
  why: string;
}

export interface ProgramLookup {
  env: ReadonlyMap<string, string>;
  workingDir: string;
}

/** The executable a command word names: a path, or a name searched in PATH, links resolved. */
export function findProgram(fs: MergedFilesystem, name: string, lookup: ProgramLookup): Omit<FoundProgram, 'why'> | undefined {
  const candidates = name.includes('/')
    ? [name.startsWith('/') ? name : `${lookup.workingDir.replace(/\/$/, '')}/${name}`]
    : (lookup.env.get('PATH') ?? DEFAULT_PATH).split(':').filter((d) => d.startsWith('/')).map((dir) => `${dir.replace(/\/$/, '')}/${name}`);
  for (const candidate of candidates) {
    const real = fs.resolve(candidate);
    const found = real === undefined ? undefined : fs.get(real);
    if (found === undefined || found.entry.type !== 'file' || (found.entry.mode & 0o111) === 0) continue;
    const via = name.includes('/') ? '' : `PATH ${candidate.slice(0, candidate.lastIndexOf('/')) || '/'}`;
    const link = real !== candidate ? `link ${candidate} → ${real}` : '';
    return {
      name,
      path: real!,
      entry: found.entry,
      layer: fs.layerOf(found).diffId,
      how: [via, link].filter(Boolean).join(', ') || 'path as given',
    };
  }
  return undefined;
}

/**
 * Every program a command runs when it starts: the program itself, the
 * interpreter of a script, what a wrapper runs (`env`, `chroot`, `tini` …),
 * and the programs of a `sh -c` script. Names not found in the image are returned in `missing`.
 */
export function programsOfCommand(fs: MergedFilesystem, argv: readonly string[], lookup: ProgramLookup, why: string): { found: FoundProgram[]; missing: string[] } {
  const found: FoundProgram[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, reason: string, args: readonly string[], depth: number) => {
    if (depth > 4 || seen.has(`${name}\0${reason}`)) return;
    seen.add(`${name}\0${reason}`);
    const program = findProgram(fs, name, lookup);
    if (program === undefined) {
      missing.push(name);
      return;
    }
    found.push({ ...program, why: reason });
    const base = program.path.slice(program.path.lastIndexOf('/') + 1);
    const nameBase = name.slice(name.lastIndexOf('/') + 1);
    if (program.entry.format === 'script' && program.entry.interpreter !== undefined) {
      const [interpreter, ...rest] = program.entry.interpreter.split(/\s+/);
      if (interpreter !== undefined) visit(interpreter, `interpreter of ${program.path}`, rest, depth + 1);
    }
    // what a wrapper runs (env, chroot, sudo, tini …)
    const inner = wrappedCommand([nameBase, ...args]) ?? wrappedCommand([base, ...args]);
    if (inner !== undefined) visit(inner[0]!, `run by ${nameBase} for ${why}`, inner.slice(1), depth + 1);
    if ((SHELLS.has(base) || SHELLS.has(nameBase)) && args[0] === '-c' && args[1] !== undefined) {
      for (const word of programsOfScript(args[1])) visit(word, `run by the shell command of ${why}`, [], depth + 1);
    }
  };
  if (argv[0] !== undefined) visit(argv[0], why, argv.slice(1), 0);
  return { found, missing };
}
