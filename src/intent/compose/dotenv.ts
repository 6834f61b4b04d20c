import { interpolate, type InterpolationProblem, type Lookup } from './interpolate.ts';

export interface DotenvEntry {
  name: string;
  value: string;
  /** Line (from 1) the variable is declared on. */
  line: number;
}

export interface DotenvProblem extends InterpolationProblem {
  line: number;
}

export interface Dotenv {
  entries: DotenvEntry[];
  problems: DotenvProblem[];
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*([\s\S]*))?$/;

/**
 * Parses an env file (`.env`, `env_file:`) as Compose does: `KEY=value`, `export KEY=value`,
 * quoted values (double quotes may span lines and are interpolated, single quotes are
 * literal), `#` comments, and a bare `KEY` that takes its value from `lookup`.
 */
export function parseDotenv(text: string, lookup: Lookup): Dotenv {
  const entries: DotenvEntry[] = [];
  const problems: DotenvProblem[] = [];
  const known = new Map<string, string>();
  // Earlier variables of the same file can be referred to by later ones.
  const scoped: Lookup = (name) => lookup(name) ?? known.get(name);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const trimmed = (lines[i] ?? '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(trimmed);
    if (!match) continue;
    const [, name = '', raw] = match;
    let value: string;
    if (raw === undefined) {
      const inherited = lookup(name);
      if (inherited === undefined) continue;
      value = inherited;
    } else if (raw.startsWith("'")) {
      const end = raw.indexOf("'", 1);
      value = end === -1 ? raw.slice(1) : raw.slice(1, end);
    } else if (raw.startsWith('"')) {
      let body = raw.slice(1);
      let end = closingQuote(body);
      while (end === -1 && i + 1 < lines.length) {
        i++;
        body += `\n${lines[i] ?? ''}`;
        end = closingQuote(body);
      }
      const quoted = unescape(end === -1 ? body : body.slice(0, end));
      value = withProblems(interpolate(quoted, scoped), lineNumber, problems);
    } else {
      const comment = raw.search(/\s#/);
      const plain = (comment === -1 ? raw : raw.slice(0, comment)).trim();
      value = withProblems(interpolate(plain, scoped), lineNumber, problems);
    }
    known.set(name, value);
    entries.push({ name, value, line: lineNumber });
  }
  return { entries, problems };
}

function withProblems(result: { value: string; problems: InterpolationProblem[] }, line: number, into: DotenvProblem[]): string {
  for (const p of result.problems) into.push({ ...p, line });
  return result.value;
}

function closingQuote(body: string): number {
  for (let j = 0; j < body.length; j++) {
    if (body[j] === '\\') j++;
    else if (body[j] === '"') return j;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\([\\"nrt$])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '$' ? '$$' : c));
}
