// Word splitting and variable expansion as Docker's builder does them (BuildKit's
// frontend/dockerfile/shell lexer and parser helpers), written for this analyser.

/** The value of a variable, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

export interface Expansion {
  /** The text as one word, quotes removed and variables replaced (Docker's ProcessWord). */
  value: string;
  /** The same, split into words at unquoted whitespace (Docker's ProcessWords). */
  words: string[];
  /** Variables referenced without a default that have no value. */
  unresolved: string[];
  /** Why Docker would reject the text (an open quote, a bad `${…}`); value and words are then empty. */
  error?: string;
}

class LexError extends Error {}

interface WordCollector {
  addChar(ch: string): void;
  addRaw(text: string): void;
  done(): string[];
}

function collectWords(): WordCollector {
  const words: string[] = [];
  let current = '';
  return {
    addChar(ch) {
      if (/\s/.test(ch)) {
        if (current !== '') words.push(current);
        current = '';
      } else {
        current += ch;
      }
    },
    addRaw(text) {
      current += text;
    },
    done() {
      if (current !== '') words.push(current);
      current = '';
      return words;
    },
  };
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`,
 * `${VAR+alt}`, `${VAR:?message}`, `${VAR#pattern}`, `${VAR%pattern}` and
 * `${VAR/pattern/replacement}`, and removes quotes and escapes, as Docker does for
 * the instructions it substitutes.
 */
export function expand(text: string, lookup: Lookup, escape = '\\'): Expansion {
  const chars = Array.from(text);
  let pos = 0;
  const unresolved = new Set<string>();

  const get = (name: string, plain: boolean): string | undefined => {
    const value = lookup(name);
    if (value === undefined && plain && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) unresolved.add(name);
    return value;
  };

  const processName = (): string => {
    let name = '';
    const first = chars[pos];
    if (first !== undefined && /\d/.test(first)) {
      while (chars[pos] !== undefined && /\d/.test(chars[pos] ?? '')) name += chars[pos++];
      return name;
    }
    if (first !== undefined && SPECIAL_PARAMS.has(first)) {
      pos++;
      return first;
    }
    while (chars[pos] !== undefined && /[\p{L}\p{N}_]/u.test(chars[pos] ?? '')) name += chars[pos++];
    return name;
  };

  const singleQuote = (): string => {
    pos++;
    let result = '';
    for (;;) {
      const ch = chars[pos++];
      if (ch === undefined) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return result;
      result += ch;
    }
  };

  const doubleQuote = (): string => {
    pos++;
    let result = '';
    for (;;) {
      const ch = chars[pos];
      if (ch === undefined) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        pos++;
        return result;
      }
      if (ch === '$') {
        result += dollar();
        continue;
      }
      pos++;
      if (ch === escape) {
        const escaped = chars[pos];
        if (escaped === undefined) continue;
        if (escaped === '"' || escaped === '$' || escaped === escape) {
          result += escaped;
          pos++;
          continue;
        }
      }
      result += ch;
    }
  };

  const processUntil = (stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } => {
    let result = '';
    const words = collectWords();
    while (pos < chars.length) {
      const ch = chars[pos] ?? '';
      if (stop !== undefined && ch === stop) {
        pos++;
        return { result, words: words.done() };
      }
      if (ch === '$') {
        const value = dollar();
        result += value;
        for (const c of value) words.addChar(c);
        continue;
      }
      if (ch === "'" || ch === '"') {
        const value = ch === "'" ? singleQuote() : doubleQuote();
        result += value;
        words.addRaw(value);
        continue;
      }
      pos++;
      if (ch === escape) {
        if (rawEscapes) {
          result += ch;
          words.addRaw(ch);
        }
        const escaped = chars[pos++];
        if (escaped === undefined) break;
        result += escaped;
        words.addRaw(escaped);
        continue;
      }
      result += ch;
      words.addChar(ch);
    }
    if (stop !== undefined) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.done() };
  };

  const until = (stop: string, rawEscapes: boolean, missing: string): string => {
    try {
      return processUntil(stop, rawEscapes).result;
    } catch (error) {
      if (error instanceof LexError && pos >= chars.length) throw new LexError(missing);
      throw error;
    }
  };

  const dollar = (): string => {
    pos++;
    if (chars[pos] !== '{') {
      const name = processName();
      return name === '' ? '$' : get(name, true) ?? '';
    }
    pos++;
    const peek = chars[pos];
    if (peek === undefined) throw new LexError("syntax error: missing '}'");
    if (peek === '{' || peek === '}' || peek === ':') throw new LexError('syntax error: bad substitution');
    const name = processName();
    let op = chars[pos++];
    if (op === '}') return get(name, true) ?? '';
    let nullIsUnset = false;
    if (op === ':') {
      nullIsUnset = true;
      op = chars[pos++];
      if (op !== '-' && op !== '+' && op !== '?') throw new LexError(`unsupported modifier (:${op ?? ''}) in substitution`);
    }
    if (op === '-' || op === '+' || op === '?' || op === '#' || op === '%') {
      const rawEscapes = op === '#' || op === '%';
      const word = until('}', rawEscapes, "syntax error: missing '}'");
      const value = get(name, false);
      const empty = value === undefined || (nullIsUnset && value === '');
      if (op === '-') return empty ? word : value ?? '';
      if (op === '+') return empty ? '' : word;
      if (op === '?') {
        // Docker fails the build here; for the model it is a variable without a value.
        if (empty) unresolved.add(name);
        return value ?? '';
      }
      const greedy = word.startsWith(op);
      const pattern = greedy ? word.slice(1) : word;
      return op === '#' ? trimPrefix(pattern, value ?? '', greedy) : trimSuffix(pattern, value ?? '', greedy);
    }
    if (op === '/') {
      const all = chars[pos] === '/';
      if (all) pos++;
      const pattern = until('/', true, "syntax error: missing '/' in ${}");
      const replacement = until('}', true, "syntax error: missing '}'");
      const value = get(name, false) ?? '';
      const re = shellPatternToRegex(pattern, true, false, all);
      return value.replace(re, () => replacement);
    }
    throw new LexError(`unsupported modifier (${op ?? ''}) in substitution`);
  };

  try {
    const { result, words } = processUntil(undefined, false);
    return { value: result, words, unresolved: [...unresolved] };
  } catch (error) {
    if (!(error instanceof LexError)) throw error;
    return { value: '', words: [], unresolved: [...unresolved], error: error.message };
  }
}

// Shell wildcards (`*`, `?`, `\` escapes; no brackets, as in BuildKit) as a regular expression.
function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '*') out += greedy ? '.*' : '.*?';
    else if (ch === '?') out += '.';
    else if (ch === '\\' && i + 1 < chars.length) out += escapeRegExp(chars[++i] ?? '');
    else out += escapeRegExp(ch);
  }
  return new RegExp(out, global ? 'gsu' : 'su');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const match = shellPatternToRegex(pattern, greedy, true).exec(value);
  return match ? value.slice(match[0].length) : value;
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

// Regular expressions find the leftmost match, so a suffix is trimmed as a prefix of the reversed value.
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const chars = Array.from(pattern);
  const reversed: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '\\' && i + 1 < chars.length) reversed.unshift(ch, chars[++i] ?? '');
    else reversed.unshift(ch);
  }
  return reverse(trimPrefix(reversed.join(''), reverse(value), greedy));
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Splits at unquoted whitespace, keeping quotes and escapes in the words, as Docker
 * reads the `name=value` pairs of ENV, ARG and LABEL.
 */
export function splitWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  const chars = Array.from(text);
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (quote === undefined && /\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
    else if (quote !== undefined && ch === quote) quote = undefined;
    if (ch === escape && quote !== "'") {
      if (i + 1 === chars.length) continue;
      word += ch + (chars[++i] ?? '');
      continue;
    }
    word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Takes the leading `--name=value` flags off an instruction's arguments, as Docker
 * does before it reads them; quotes in flag values are removed.
 */
export function takeFlags(text: string): { flags: Map<string, string | undefined>; rest: string } {
  const flags = new Map<string, string | undefined>();
  let rest = text.trimStart();
  while (rest.startsWith('--')) {
    let i = 0;
    let word = '';
    let quote: string | undefined;
    for (; i < rest.length; i++) {
      const ch = rest[i] ?? '';
      if (quote === undefined && /\s/.test(ch)) break;
      if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
      else if (ch === quote) quote = undefined;
      else if (ch === '\\' && i + 1 < rest.length) word += rest[++i];
      else word += ch;
    }
    rest = rest.slice(i).trimStart();
    if (word === '--') break;
    const eq = word.indexOf('=');
    if (eq === -1) flags.set(word.slice(2).toLowerCase(), undefined);
    else flags.set(word.slice(2, eq).toLowerCase(), word.slice(eq + 1));
  }
  return { flags, rest };
}

/** The array of an exec-form argument (`["a", "b"]`), or undefined when the text is not one. */
export function parseJsonArray(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}
