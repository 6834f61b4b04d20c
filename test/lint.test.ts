import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const cwd = new URL('../', import.meta.url).pathname;
// code given as text names files that do not exist: linted without the type-aware rules, which need a file the project has
const eslint = new ESLint({
  cwd,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

test('the import boundaries of the layout are enforced by lint', async () => {
  assert.equal((await restrictedImports('src/intent/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).length, 1, 'pure stage doing I/O');
  assert.equal((await restrictedImports('src/intent/x.ts', "import { readImage } from '../image/index.ts';\nexport const x = readImage;\n")).length, 1, 'pure stage reading images');
  assert.equal((await restrictedImports('src/model/x.ts', "import { analyze } from '../intent/index.ts';\nexport const x = analyze;\n")).length, 1, 'model importing ours');
  assert.equal((await restrictedImports('src/cli/x.ts', "import { classify } from '../intent/classify.ts';\nexport const x = classify;\n")).length, 1, 'deep import');
  assert.equal((await restrictedImports('src/detect/x.ts', "import { y } from '../sensor/index.ts';\nexport const x = y;\n")).length, 1, 'detect importing sensor');
  assert.equal((await restrictedImports('web/src/x.ts', "import { RuntimeEvent } from '../../src/model/index.ts';\nexport const x = RuntimeEvent;\n")).length, 1, 'the UI reaching into the server');
  assert.deepEqual(await restrictedImports('web/src/x.ts', "import type { RuntimeEvent } from '../../src/model/index.ts';\nexport type X = RuntimeEvent;\n"), []);
  assert.deepEqual(await restrictedImports('src/cli/x.ts', "import { readFileSync } from 'node:fs';\nimport { analyze } from '../intent/index.ts';\nexport const x = [readFileSync, analyze];\n"), []);
});

test('learning and detection keep no module-level mutable state: lint refuses it, and the code has none', async () => {
  const state = async (code: string, filePath = 'src/learn/x.ts') => {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').length;
  };
  assert.equal(await state('export let count = 0;\n'), 1, 'a module-level let');
  assert.equal(await state('const cache = new Map<string, string>();\nexport const get = (k: string) => cache.get(k);\n'), 1, 'a module-level map');
  assert.equal(await state('export const SLOTS = new Int32Array(8);\n', 'src/detect/x.ts'), 1, 'a module-level typed array');
  assert.equal(await state('export const seen: string[] = [];\n', 'src/detect/x.ts'), 1, 'a module-level array');
  assert.equal(await state('export const scratch = { event: undefined };\n'), 1, 'a module-level object');
  assert.equal(await state('export const NAMES: ReadonlySet<string> = new Set([\'sh\']);\nexport const LIST: readonly string[] = [\'a\'];\nexport const TABLE: Readonly<Record<string, number>> = { a: 1 };\n'), 0, 'read-only tables');
  assert.equal(await state('export const cache = new Map<string, string>();\n', 'src/cli/x.ts'), 0, 'elsewhere, not this rule\'s business');
  const results = await new ESLint({ cwd }).lintFiles(['src/learn', 'src/detect']);
  assert.deepEqual(results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => `${r.filePath}:${m.line}`)), []);
});

test('a promise nobody waits for is refused by lint, `void` included; one handled is not', async () => {
  // the text stands in for a file the project has, so the rule knows its types
  const [result] = await new ESLint({ cwd }).lintText('export async function f(): Promise<number> { return 1; }\nf();\nvoid f();\nf().catch(() => {});\nexport const g = async (): Promise<void> => { await f(); };\n', { filePath: 'src/cli/version.ts' });
  assert.deepEqual(result?.messages.map((m) => [m.ruleId, m.line]), [['@typescript-eslint/no-floating-promises', 2], ['@typescript-eslint/no-floating-promises', 3]]);
});
