import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../', import.meta.url).pathname });

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
