/** Where a variable's value comes from; undefined when it is not set at all. */
export type Lookup = (name: string) => string | undefined;

export interface InterpolationProblem {
  /** `unset`: no value and no default; `required`: a `${VAR:?message}` without a value; `invalid`: not a variable reference. */
  kind: 'unset' | 'required' | 'invalid';
  message: string;
}

export interface Interpolated {
  value: string;
  problems: InterpolationProblem[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

/**
 * Substitutes variables as Compose does: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`,
 * and `$$` for a literal `$`. A variable without a value becomes '' and a problem.
 */
export function interpolate(text: string, lookup: Lookup): Interpolated {
  const problems: InterpolationProblem[] = [];
  return { value: expand(text, lookup, problems), problems };
}

function expand(text: string, lookup: Lookup, problems: InterpolationProblem[]): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end === -1) {
        problems.push({ kind: 'invalid', message: `unterminated variable reference ${text.slice(i)}` });
        return out + text.slice(i);
      }
      out += substitute(text.slice(i + 2, end), lookup, problems);
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name !== undefined) {
      const value = lookup(name);
      if (value === undefined) problems.push({ kind: 'unset', message: `variable ${name} is not set` });
      out += value ?? '';
      i += 1 + name.length;
      continue;
    }
    // Compose rejects a lone `$`; keeping it literal loses nothing for a model.
    out += '$';
    i++;
  }
  return out;
}

// Index of the `}` that closes a `${` whose body starts at `from`, across nested references.
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '$' && (text[j + 1] === '$' || text[j + 1] === '{')) {
      if (text[j + 1] === '{') depth++;
      j++;
    } else if (text[j] === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function substitute(body: string, lookup: Lookup, problems: InterpolationProblem[]): string {
  const match = BRACED.exec(body);
  if (!match) {
    problems.push({ kind: 'invalid', message: `invalid variable reference \${${body}}` });
    return '';
  }
  const [, name = '', op, rest = ''] = match;
  const value = lookup(name);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  // Defaults and alternatives are expanded only when used, so an unused one reports nothing.
  switch (op) {
    case ':-': return nonEmpty ? value : expand(rest, lookup, problems);
    case '-': return set ? value : expand(rest, lookup, problems);
    case ':+': return nonEmpty ? expand(rest, lookup, problems) : '';
    case '+': return set ? expand(rest, lookup, problems) : '';
    case ':?':
    case '?': {
      if (op === ':?' ? nonEmpty : set) return value ?? '';
      const why = expand(rest, lookup, problems);
      problems.push({ kind: 'required', message: `required variable ${name} has no value${why !== '' ? `: ${why}` : ''}` });
      return '';
    }
    default:
      if (!set) problems.push({ kind: 'unset', message: `variable ${name} is not set` });
      return value ?? '';
  }
}
