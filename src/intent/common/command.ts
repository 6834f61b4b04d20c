import { parse as parseShell } from 'shell-quote';
import type { ProcessEntry, ProcessRole, Source } from '../../model/index.ts';

/**
 * A command as an image or manifest declares it: exec form (an argv) or shell form
 * (a string the runtime hands to the shell).
 */
export type CommandForm =
  | { form: 'exec'; argv: string[]; sources: Source[] }
  | { form: 'shell'; script: string; sources: Source[] };

/** The shell a shell-form command runs under (`SHELL` changes it in a Dockerfile). */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** The argv a command form runs as. */
export function argvOf(command: CommandForm, shell: readonly string[] = DEFAULT_SHELL): string[] {
  return command.form === 'exec' ? command.argv : [...shell, command.script];
}

/**
 * Combines ENTRYPOINT and CMD as Docker does: exec-form ENTRYPOINT takes CMD as
 * arguments, a shell-form ENTRYPOINT ignores CMD, and without ENTRYPOINT the CMD runs.
 */
export function combineEntrypoint(
  entrypoint: CommandForm | undefined,
  cmd: CommandForm | undefined,
  shell: readonly string[] = DEFAULT_SHELL,
): { argv: string[]; sources: Source[] } | undefined {
  if (entrypoint && entrypoint.form === 'exec' && entrypoint.argv.length > 0) {
    const args = cmd ? argvOf(cmd, shell) : [];
    return { argv: [...entrypoint.argv, ...args], sources: [...entrypoint.sources, ...(cmd?.sources ?? [])] };
  }
  if (entrypoint && entrypoint.form === 'shell' && entrypoint.script.trim() !== '') {
    return { argv: argvOf(entrypoint, shell), sources: entrypoint.sources };
  }
  if (cmd) {
    const argv = argvOf(cmd, shell);
    return argv.length > 0 ? { argv, sources: cmd.sources } : undefined;
  }
  return undefined;
}

/** Words after which the next word is the command that runs. */
const PREFIXES = new Set(['exec', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', 'time', 'nohup', '{']);
/** Keywords and POSIX shell builtins: the shell runs them itself, no program is executed. */
const BUILTINS = new Set([
  'done', 'fi', 'esac', 'for', 'case', 'in', '}', 'exit', 'return', 'set', 'export', 'unset', 'cd', 'trap', 'wait',
  'shift', 'true', 'false', ':', 'echo', 'printf', 'read', 'test', '[', 'eval', '.', 'source', 'local', 'ulimit', 'umask', 'break', 'continue',
]);

/** Names of the programs a shell script starts: the first word of each simple command. */
export function programsOfScript(script: string): string[] {
  let tokens: ReturnType<typeof parseShell>;
  try {
    tokens = parseShell(script, (name) => `$${name}`);
  } catch {
    return [];
  }
  const programs: string[] = [];
  let expectCommand = true;
  for (const token of tokens) {
    if (typeof token === 'object' && token !== null && 'op' in token) {
      expectCommand = ['&&', '||', ';', '|', '&', '(', ';;', '|&'].includes(token.op);
      continue;
    }
    if (typeof token !== 'string' || !expectCommand) continue;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(token)) continue; // VAR=value prefix
    if (PREFIXES.has(token)) continue;
    if (BUILTINS.has(token)) {
      expectCommand = false;
      continue;
    }
    if (token.startsWith('$')) {
      expectCommand = false;
      continue;
    }
    programs.push(token);
    expectCommand = false;
  }
  return [...new Set(programs)];
}

/** Shell interpreters whose `-c` script is itself a list of programs to run. */
export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The process entries an argv starts: the executable itself and, when it is
 * `sh -c SCRIPT`, the programs the script runs.
 */
export function processesOf(argv: readonly string[], role: ProcessRole, sources: Source[], user?: string): ProcessEntry[] {
  const [path] = argv;
  if (path === undefined || path === '') return [];
  const base = { role, sources, ...(user !== undefined && { user }) };
  const entries: ProcessEntry[] = [{ path, argv: [...argv], ...base }];
  const dashC = argv.indexOf('-c');
  if (SHELLS.has(basename(path)) && dashC > 0 && argv[dashC + 1] !== undefined) {
    for (const program of programsOfScript(argv[dashC + 1] ?? '')) {
      if (program !== path) entries.push({ path: program, ...base });
    }
  }
  return entries;
}

/** Splits a command string into words as Compose does for `command: "a b 'c d'"` (no shell involved); also how tools print an argv as one string. */
export function splitWords(command: string): string[] {
  try {
    return parseShell(command, (name) => `$${name}`).map((t) => (typeof t === 'string' ? t : 'pattern' in t ? t.pattern : 'op' in t ? t.op : `#${t.comment}`));
  } catch {
    return command.split(/\s+/).filter(Boolean);
  }
}
