import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guarded } from '../../src/intent/guarded.ts';
import type { SourceDocument } from '../../src/intent/document.ts';
import { emptyModel } from '../../src/model/index.ts';

const doc = (file: string): SourceDocument => ({ file, index: 0, value: {}, lineOf: () => 1 });

test('a format\'s analysis that fails on one file (a fault of Tenet\'s) takes neither the run nor the other files down', () => {
  const analyse = (docs: SourceDocument[]) => {
    if (docs.some((d) => d.file === 'bad.yaml')) throw new RangeError('Maximum call stack size exceeded\n    at somewhere');
    return { models: docs.map((d) => emptyModel(`k8s:${d.file}`)), supermodels: [], findings: [] };
  };
  const result = guarded('Kubernetes', [doc('a.yaml'), doc('bad.yaml'), doc('b.yaml')], analyse);
  assert.deepEqual(result.models.map((m) => m.id), ['k8s:a.yaml', 'k8s:b.yaml']);
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.file, f.message]), [
    ['TN025', 'bad.yaml', 'Tenet could not analyse this Kubernetes file: Maximum call stack size exceeded; the other files are analysed (please report it)'],
  ]);
  const fine = guarded('Kubernetes', [doc('a.yaml')], analyse);
  assert.deepEqual([fine.models.length, fine.findings.length], [1, 0], 'no failure, the analysis as it is');
});
