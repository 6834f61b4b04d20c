import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generatedDocs } from '../scripts/docs.ts';
import { ERRORS } from '../src/cli/errors.ts';
import { API_ERRORS } from '../src/console/index.ts';
import { FINDING_CODES } from '../src/model/index.ts';

const root = new URL('../', import.meta.url);

test('the generated documents are in step with the catalogs (run `npm run docs`)', () => {
  for (const [path, text] of generatedDocs()) {
    assert.equal(readFileSync(new URL(path, root), 'utf8'), text, `${path} is stale`);
  }
});

test('every finding code and every error code is documented', () => {
  const findings = readFileSync(new URL('docs/findings.md', root), 'utf8');
  for (const code of Object.keys(FINDING_CODES)) assert.match(findings, new RegExp(`### ${code}\\n`));
  const errors = readFileSync(new URL('docs/errors.md', root), 'utf8');
  for (const code of [...Object.keys(ERRORS), ...Object.keys(API_ERRORS)]) assert.ok(errors.includes(`\`${code}\``), code);
});

test('finding names are unique and kebab-case', () => {
  const names = Object.values(FINDING_CODES).map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
});
