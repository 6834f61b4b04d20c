import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tenet } from '../run-cli.ts';

test('tenet intent: usage errors, an image that cannot be read, and a registry that does not answer each say why, with exit 2', () => {
  const none = tenet(['intent']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /ERR_USAGE: intent needs make, push or pull and an image/);
  const folder = tenet(['intent', 'make', 'deploy/']);
  assert.match(folder.stderr, /ERR_USAGE: intent make needs an image input \(image:NAME, registry:REF, docker-archive:FILE, oci:DIR\), not "deploy\/"/);
  const missing = tenet(['intent', 'make', 'docker-archive:/nonexistent/app.tar']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /ERR_IMAGE: .*nonexistent\/app\.tar/);
  // nothing listens on port 1 of loopback
  const unreachable = tenet(['intent', 'pull', '127.0.0.1:1/app:1']);
  assert.equal(unreachable.status, 2);
  assert.match(unreachable.stderr, /ERR_IMAGE: 127\.0\.0\.1:1\/app:1: cannot reach http:\/\/127\.0\.0\.1:1/);
  const notAReference = tenet(['intent', 'push', 'app']);
  assert.match(notAReference.stderr, /ERR_IMAGE: .*expected HOST\/REPOSITORY/);
});
