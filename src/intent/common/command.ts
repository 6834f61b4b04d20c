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
  'shift', 'true', 'false', ':', 'echo', 'printf', 'read', 'test', '[', '[[', 'eval', '.', 'source', 'local', 'ulimit', 'umask', 'break', 'continue',
  'declare', 'typeset', 'readonly', 'let', 'function', 'select', 'command', 'type', 'hash', 'alias', 'unalias', 'getopts', 'pwd', 'mapfile', 'readarray',
]);
/** Operators after which a new command starts. */
const SEPARATORS = new Set(['&&', '||', ';', '|', '&', '(', ';;', '|&']);

/** Where the parenthesis closing the one before `from` is (nested ones and quotes passed over), or the text's end. */
function closing(text: string, from: number): number {
  let depth = 1;
  let quote = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return text.length;
}

/** Whether what was written so far ends where a command starts: after a separator, or a keyword such as `if`. */
function atCommandStart(out: string): boolean {
  const words = out.slice(Math.max(out.lastIndexOf(';'), out.lastIndexOf('&'), out.lastIndexOf('|')) + 1).trim().split(/\s+/).filter(Boolean);
  return words.every((w) => PREFIXES.has(w));
}

/**
 * A shell script made plain for word splitting: here-documents' bodies taken
 * out (their lines are data, not commands), comments dropped, each unquoted
 * line end a command separator (a `\` line end joins lines), arithmetic
 * (`$(( … ))`, `(( … ))`) a plain word, and each command substitution
 * (`$( … )`, `` `…` ``, in double quotes too) a word of its own, its script
 * given apart: its commands run as well.
 */
function plainScript(script: string): { text: string; substitutions: string[] } {
  const lines = script.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    kept.push(line);
    // `<<WORD`, `<<-WORD`, `<<'WORD'`, `<<"WORD"` (not `<<<`, a here-string): the body runs to WORD alone on a line
    const ends = [...line.matchAll(/(?<!<)<<(-?)\s*(['"]?)([A-Za-z0-9_.-]+)\2/g)].map((m) => ({ tabs: m[1] === '-', word: m[3]! }));
    for (const end of ends) {
      while (i + 1 < lines.length) {
        const body = lines[++i]!;
        if ((end.tabs ? body.replace(/^\t+/, '') : body) === end.word) break;
      }
    }
  }
  const substitutions: string[] = [];
  let out = '';
  let quote = '';
  const text = kept.join('\n');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== "'" && c === '$' && text[i + 1] === '(') {
      const end = closing(text, i + 2);
      if (text[i + 2] === '(') {
        // arithmetic: a number, whose command substitutions still run
        substitutions.push(...plainScript(text.slice(i + 3, end)).substitutions);
        out += '0';
      } else {
        substitutions.push(text.slice(i + 2, end));
        out += '_';
      }
      i = end;
    } else if (quote !== "'" && c === '`') {
      const end = text.indexOf('`', i + 1);
      substitutions.push(text.slice(i + 1, end === -1 ? text.length : end));
      out += '_';
      i = end === -1 ? text.length : end;
    } else if (quote !== '') {
      if (c === '\\' && quote === '"') {
        out += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = '';
      out += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '(' && text[i + 1] === '(' && atCommandStart(out)) {
      // an arithmetic command: a test, no program (its command substitutions still run)
      const end = closing(text, i + 2);
      substitutions.push(...plainScript(text.slice(i + 2, end)).substitutions);
      i = text[end + 1] === ')' ? end + 1 : end;
      out += 'true';
    } else if (c === '\\' && text[i + 1] === '\n') {
      out += ' ';
      i++;
    } else if (c === '\\') {
      out += c + (text[i + 1] ?? '');
      i++;
    } else if (c === '#' && (i === 0 || /[\s;&|(]/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else {
      out += c === '\n' ? ';' : c;
    }
  }
  return { text: out, substitutions };
}

/** The simple commands of a shell script, each as its words (variables left as `$NAME`). */
export function commandsOfScript(script: string, depth = 0): string[][] {
  const plain = plainScript(script);
  let tokens: ReturnType<typeof parseShell>;
  try {
    tokens = parseShell(plain.text, (name) => `$${name}`);
  } catch {
    return [];
  }
  const commands: string[][] = [];
  let current: string[] = [];
  const end = () => {
    if (current.length > 0) commands.push(current);
    current = [];
  };
  for (const token of tokens) {
    if (typeof token === 'object' && token !== null && 'op' in token) {
      // a redirection's target is no word of the command; anything else ends it
      if (token.op === '>' || token.op === '>>' || token.op === '<' || token.op === '>&' || token.op === '<(') continue;
      if (SEPARATORS.has(token.op) || token.op === ')') end();
      continue;
    }
    if (typeof token === 'string') current.push(token);
    else if (typeof token === 'object' && token !== null && 'pattern' in token) current.push(String(token.pattern));
  }
  end();
  if (depth < 8) for (const inner of plain.substitutions) commands.push(...commandsOfScript(inner, depth + 1));
  return commands;
}

/**
 * Programs that run another command given after their own options and
 * operands: how many operands come first, and which options take a value.
 * `chroot DIR` and `nsenter` without a command run the shell.
 */
const WRAPPERS: ReadonlyMap<string, { operands: number; valued: ReadonlySet<string>; otherwise?: string }> = new Map([
  ['sudo', { operands: 0, valued: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-T', '-U']) }],
  ['doas', { operands: 0, valued: new Set(['-u', '-C']) }],
  ['env', { operands: 0, valued: new Set(['-u', '-C']) }],
  ['nice', { operands: 0, valued: new Set(['-n']) }],
  ['ionice', { operands: 0, valued: new Set(['-c', '-n', '-p']) }],
  ['timeout', { operands: 1, valued: new Set(['-s', '-k']) }],
  ['nohup', { operands: 0, valued: new Set() }],
  ['setsid', { operands: 0, valued: new Set() }],
  ['stdbuf', { operands: 0, valued: new Set(['-i', '-o', '-e']) }],
  ['taskset', { operands: 1, valued: new Set() }],
  ['chroot', { operands: 1, valued: new Set(['--userspec', '--groups']), otherwise: '/bin/sh' }],
  ['nsenter', { operands: 0, valued: new Set(['-t', '--target', '-S', '-G', '-r', '-w']), otherwise: '/bin/sh' }],
  ['unshare', { operands: 0, valued: new Set(['--propagation', '--setgroups']), otherwise: '/bin/sh' }],
  ['xargs', { operands: 0, valued: new Set(['-n', '-L', '-s', '-P', '-d', '-E', '-I', '-a']), otherwise: 'echo' }],
  ['flock', { operands: 1, valued: new Set(['-w', '-E']) }],
  ['gosu', { operands: 1, valued: new Set() }],
  ['su-exec', { operands: 1, valued: new Set() }],
  ['runuser', { operands: 0, valued: new Set(['-u', '-g', '-G']) }],
  ['chpst', { operands: 0, valued: new Set(['-u', '-U', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c']) }],
  ['tini', { operands: 0, valued: new Set(['-p', '-e']) }],
  ['dumb-init', { operands: 0, valued: new Set(['-r']) }],
  ['watch', { operands: 0, valued: new Set(['-n', '-d']) }],
  ['time', { operands: 0, valued: new Set(['-f', '-o']) }],
]);

/** The command a wrapper runs (`chroot /rootfs /bin/bash` → `/bin/bash`), or undefined for none. */
export function wrappedCommand(argv: readonly string[]): string[] | undefined {
  const name = basename(argv[0] ?? '');
  const wrapper = WRAPPERS.get(name);
  if (wrapper === undefined) return undefined;
  let i = 1;
  let operands = wrapper.operands;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') {
      i++;
      break;
    }
    if (word.startsWith('-') && word.length > 1) {
      i += wrapper.valued.has(word) ? 2 : 1;
      continue;
    }
    // env's NAME=value assignments come before its command
    if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
      i++;
      continue;
    }
    if (operands > 0) {
      operands--;
      i++;
      continue;
    }
    break;
  }
  const rest = argv.slice(i);
  if (rest.length > 0) return rest;
  return wrapper.otherwise !== undefined && operands === 0 ? [wrapper.otherwise] : undefined;
}

/** A command an argv runs, and whether a shell runs it (where builtins are the shell's own) or it is executed (a wrapper's: `timeout 5 true` runs /bin/true). */
export interface RunCommand {
  words: string[];
  shell: boolean;
}

/**
 * Every command an argv runs: itself, what a wrapper it is runs
 * (`sudo -u app node server.js` → `node server.js`), a shell's `-c` script's
 * commands and `su -c`'s, each in turn.
 */
export function commandsRun(argv: readonly string[], shell = false, depth = 0): RunCommand[] {
  if (argv.length === 0 || depth > 8) return [];
  const out: RunCommand[] = [{ words: [...argv], shell }];
  const name = basename(argv[0]!);
  const inner = wrappedCommand(argv);
  if (inner !== undefined) out.push(...commandsRun(inner, false, depth + 1));
  const dashC = argv.indexOf('-c');
  if ((SHELLS.has(name) || name === 'su' || name === 'runuser') && dashC > 0 && argv[dashC + 1] !== undefined) {
    for (const command of commandsOfScript(argv[dashC + 1]!)) out.push(...commandsRun(dropPrefixes(command), true, depth + 1));
  }
  return out;
}

/** The program a command runs: its first word, unless the shell runs it itself (a builtin, a variable); undefined for none. */
function programOf({ words, shell }: RunCommand): string | undefined {
  const [word] = words;
  if (word === undefined || (shell && (BUILTINS.has(word) || word.startsWith('$')))) return undefined;
  return word;
}

/** Names of the programs a shell script starts: each simple command's, what wrappers run, and nested `sh -c` scripts'. */
export function programsOfScript(script: string): string[] {
  const programs: string[] = [];
  for (const command of commandsOfScript(script)) {
    for (const run of commandsRun(dropPrefixes(command), true)) {
      const program = programOf(run);
      if (program !== undefined) programs.push(program);
    }
  }
  return [...new Set(programs)];
}

/** A command without its leading assignments and keywords (`FOO=1 exec gunicorn` → `gunicorn`). */
function dropPrefixes(command: readonly string[]): string[] {
  let i = 0;
  while (i < command.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(command[i]!) || PREFIXES.has(command[i]!))) i++;
  return command.slice(i);
}

/** Shell interpreters whose `-c` script is itself a list of programs to run. */
export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The process entries an argv starts: the executable itself and the programs
 * it runs in turn — a wrapper's command (`chroot /rootfs /bin/bash`), a
 * shell's `-c` script's programs.
 */
export function processesOf(argv: readonly string[], role: ProcessRole, sources: Source[], user?: string): ProcessEntry[] {
  const [path] = argv;
  if (path === undefined || path === '') return [];
  const base = { role, sources, ...(user !== undefined && { user }) };
  const entries: ProcessEntry[] = [{ path, argv: [...argv], ...base }];
  // what a wrapper or a shell's script runs
  const seen = new Set([path]);
  for (const command of commandsRun(argv).slice(1)) {
    const program = programOf(command);
    if (program === undefined || seen.has(program)) continue;
    seen.add(program);
    entries.push({ path: program, ...base });
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
