import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPath, parseJson, parseYaml } from '../../src/intent/document.ts';

test('YAML documents know the line of every value, and a broken document spares the others', () => {
  const text = [
    'apiVersion: v1', 'kind: Pod', 'spec:', '  containers:', '  - name: a', '    ports:', '    - containerPort: 80',
    '---', 'bad: [unclosed', '---', 'kind: Second', 'flow: {a: 1, b: [x, y]}', '',
  ].join('\n');
  const { documents, findings } = parseYaml('p.yaml', text);
  assert.equal(documents.length, 2);
  assert.deepEqual(findings.map((f) => [f.code, f.location.line]), [['TN004', 10]]);
  const [pod, second] = documents;
  assert.equal(pod?.lineOf(['spec', 'containers', 0, 'ports', 0, 'containerPort']), 7);
  assert.equal(pod?.lineOf(['spec', 'containers', 0]), 5);
  assert.equal(pod?.lineOf(['spec', 'containers', 0, 'missing', 'deeper']), 5, 'falls back to the nearest ancestor');
  assert.equal(second?.index, 2);
  assert.equal(second?.lineOf(['flow', 'b', 1]), 12);
});

test('alias bombs are refused, not expanded', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
  const { documents, findings } = parseYaml('bomb.yaml', bomb);
  assert.equal(documents.length, 0);
  assert.equal(findings[0]?.code, 'TN024');
  assert.match(findings[0]!.message, /expand to more than 1,000,000 values/);
});

test('JSON documents know their lines; syntax errors have a line', () => {
  const { documents } = parseJson('a.json', '{\n  "id": "/x",\n  "portDefinitions": [\n    {"port": 80}\n  ]\n}\n');
  assert.equal(documents[0]?.lineOf(['portDefinitions', 0, 'port']), 4);
  assert.equal(documents[0]?.lineOf(['id']), 2);
  const broken = parseJson('b.json', '{\n  "id": "/x",\n  "cmd": \n}');
  assert.deepEqual(broken.findings.map((f) => [f.code, f.location.line]), [['TN005', 4]]);
});

test('paths print as a reader writes them', () => {
  assert.equal(formatPath(['spec', 'template', 'spec', 'containers', 0, 'env', 3, 'value']), 'spec.template.spec.containers[0].env[3].value');
  assert.equal(formatPath(['metadata', 'annotations', 'seccomp.security.alpha.kubernetes.io/pod']), 'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]');
});
