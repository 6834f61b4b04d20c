// Line-level mutations of real inputs for the fuzz tests: each test picks the
// operations and the characters that stress its format.
import fc from 'fast-check';

export type MutationOp = 'delete' | 'duplicate' | 'flip' | 'truncate' | 'indent';

export interface Mutation { op: MutationOp; at: number; n: number; ch: string }

export function mutations(ops: readonly MutationOp[], chars: readonly string[], maxN: number): fc.Arbitrary<Mutation> {
  return fc.record({
    op: fc.constantFrom(...ops),
    at: fc.nat(),
    n: fc.integer({ min: 1, max: maxN }),
    ch: fc.constantFrom(...chars),
  });
}

/** Deletes, duplicates, truncates or indents lines, or overwrites one character with `ch`. */
export function mutate(text: string, ops: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of ops) {
    const at = lines.length === 0 ? 0 : m.at % lines.length;
    if (m.op === 'delete') lines.splice(at, m.n);
    else if (m.op === 'duplicate') lines.splice(at, 0, ...lines.slice(at, at + m.n));
    else if (m.op === 'truncate') lines = lines.slice(0, at);
    else if (m.op === 'indent') lines[at] = ' '.repeat(m.n) + (lines[at] ?? '');
    else {
      const line = lines[at] ?? '';
      const col = line.length === 0 ? 0 : m.at % line.length;
      lines[at] = line.slice(0, col) + m.ch + line.slice(col + 1);
    }
  }
  return lines.join('\n');
}
