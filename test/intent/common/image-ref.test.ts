import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestOf, isFloating, parseImage } from '../../../src/intent/common/image-ref.ts';

test('image references: tags, registry ports and digests', () => {
  assert.deepEqual(parseImage('example-registry.com:4000/postgresql'), { repository: 'example-registry.com:4000/postgresql' });
  assert.deepEqual(parseImage('redis:7-alpine'), { repository: 'redis', tag: '7-alpine' });
  const digest = `sha256:${'ab'.repeat(32)}`;
  assert.equal(digestOf(`docker.io/x/y@${digest}`), digest);
  assert.equal(digestOf('x:1'), undefined);
  assert.equal(digestOf('x@sha256:short'), undefined);
  const floating = ['nginx', 'nginx:latest', 'r:5000/a/b', 'nginx:1.27', `nginx@${digest}`, `nginx:latest@${digest}`].map((i) => isFloating(parseImage(i)));
  assert.deepEqual(floating, [true, true, true, false, false, false]);
});
