import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BIN } from '../run-cli.ts';

/** Starts a long-running command; resolves with its first lines once `ready` matches its output. */
function start(args: string[], env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const started = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before it was ready:\n${out}\n${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // whatever the test does, the server does not outlive it
  after(() => child.kill('SIGKILL'));
  return { child, started, exited, output: () => out };
}

/** A GET over TLS trusting only the given certificate. */
function get(url: string, ca: string, auth?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca, ...(auth !== undefined && { auth }) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

test('tenet console serves the API over TLS with its own certificate; the first admin\'s password is printed once', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tenet-console-cli-'));
  const first = start(['console', '--port', '0', '--data', data], { TENET_ADMIN_PASSWORD: '' }, /password: (\S+)/);
  const out = await first.started;
  const url = /Tenet console: (https:\/\/\S+)/.exec(out)![1]!;
  const password = /password: (\S+)/.exec(out)![1]!;
  assert.ok(password.length >= 20);
  const ca = readFileSync(join(data, 'console-cert.pem'), 'utf8');
  assert.equal((await get(`${url}/api/v1/health`, ca)).status, 200);
  assert.equal((await get(`${url}/api/v1/audits`, ca)).status, 401);
  const me = await get(`${url}/api/v1/session`, ca, `admin:${password}`);
  assert.deepEqual(JSON.parse(me.body), { name: 'admin', role: 'admin', via: 'basic' });
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const again = start(['console', '--port', '0', '--data', data], { TENET_ADMIN_PASSWORD: '' }, /API:/);
  const second = await again.started;
  assert.doesNotMatch(second, /password: /, 'the password is shown once');
  assert.match(second, /user: +admin \(password as set before\)/);
  const url2 = /Tenet console: (https:\/\/\S+)/.exec(second)![1]!;
  assert.equal((await get(`${url2}/api/v1/session`, ca, `admin:${password}`)).status, 200, 'the same certificate and password on the next start');
  again.child.kill('SIGTERM');
  assert.equal(await again.exited, 0);
});

test('tenet up runs the console and a defender on one data folder, with the admin password from the environment', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tenet-up-cli-'));
  const up = start(['up', '--port', '0', '--data', data, '--no-sensor', '--example'], { TENET_ADMIN_PASSWORD: 'a password for the test' }, /defender: /);
  const out = await up.started;
  assert.match(out, /Example: \d+ models and \d+ application graphs of examples\/shop stored/);
  assert.match(out, /user: +admin \(password from TENET_ADMIN_PASSWORD\)/);
  assert.match(out, /defender: (on the local Docker engine|not running: .*Docker engine)/);
  const url = /Tenet console: (https:\/\/\S+)/.exec(out)![1]!;
  const ca = readFileSync(join(data, 'console-cert.pem'), 'utf8');
  const health = await get(`${url}/api/v1/health`, ca);
  assert.equal(JSON.parse(health.body).status, 'ok');
  const profiles = await get(`${url}/api/v1/profiles/container`, ca, 'admin:a password for the test');
  assert.equal(profiles.status, 200);
  assert.ok((JSON.parse(profiles.body) as { items: unknown[] }).items.length >= 3, 'the example\'s models are served');
  const page = await get(`${url}/`, ca);
  assert.equal(page.status, 200);
  assert.match(page.body, /<script type="module"[^>]*src="\/assets\//, 'the web UI is served');
  up.child.kill('SIGTERM');
  assert.equal(await up.exited, 0);
});

test('tenet console serves a supplied certificate instead of its own', async () => {
  const { selfSignedTls } = await import('../../src/console/index.ts');
  const elsewhere = mkdtempSync(join(tmpdir(), 'tenet-cert-'));
  const supplied = await selfSignedTls(elsewhere);
  const data = mkdtempSync(join(tmpdir(), 'tenet-console-cli-'));
  const run = start(['console', '--port', '0', '--data', data, '--tls-cert', join(elsewhere, 'console-cert.pem'), '--tls-key', join(elsewhere, 'console-key.pem')], { TENET_ADMIN_PASSWORD: 'a password for the test' }, /API:/);
  const out = await run.started;
  const url = /Tenet console: (https:\/\/\S+)/.exec(out)![1]!;
  assert.equal((await get(`${url}/api/v1/health`, supplied.cert)).status, 200, 'the supplied certificate is the one served');
  assert.equal(existsSync(join(data, 'console-cert.pem')), false, 'no certificate of its own was made');
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);
});

test('tenet console lets defenders enroll with TENET_ENROLL_TOKEN and writes its certificate for them (--cert-out); a short secret is refused', async () => {
  const { enroll } = await import('../../src/defender/index.ts');
  const data = mkdtempSync(join(tmpdir(), 'tenet-console-cli-'));
  const certOut = join(data, 'for-defenders.pem');
  const secret = 'an-enrollment-secret-of-32-chars';
  const run = start(['console', '--port', '0', '--data', data, '--cert-out', certOut, '--tls-name', 'tenet-console.tenet.svc', '--tls-name', '10.96.0.10'], { TENET_ADMIN_PASSWORD: 'a password for the test', TENET_ENROLL_TOKEN: secret }, /API:/);
  const out = await run.started;
  const url = /Tenet console: (https:\/\/\S+)/.exec(out)![1]!;
  const ca = readFileSync(certOut, 'utf8');
  assert.equal(ca, readFileSync(join(data, 'console-cert.pem'), 'utf8'), 'the certificate served, without its key');
  assert.doesNotMatch(ca, /PRIVATE KEY/);
  const { X509Certificate } = await import('node:crypto');
  assert.match(new X509Certificate(ca).subjectAltName ?? '', /DNS:tenet-console\.tenet\.svc/);
  assert.match(new X509Certificate(ca).subjectAltName ?? '', /IP Address:10\.96\.0\.10\b/, 'an address is an IP name');
  const me = { name: 'node-1', hostname: 'node-1', version: '0.0.0-test' };
  const enrolled = await enroll(url, secret, me, ca);
  assert.match(enrolled.token, /^tnt_/);
  await assert.rejects(enroll(url, `${secret}x`, me, ca), /401|refused|ERR_/);
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 0);

  // the same secret on the next start is not a second token
  const again = start(['console', '--port', '0', '--data', data], { TENET_ADMIN_PASSWORD: 'a password for the test', TENET_ENROLL_TOKEN: secret }, /API:/);
  await again.started;
  const { SqliteStore } = await import('../../src/store/index.ts');
  const store = new SqliteStore(data);
  assert.equal((await store.tokens()).filter((t) => t.enroll === true).length, 1);
  await store.close();
  again.child.kill('SIGTERM');
  await again.exited;

  const short = start(['console', '--port', '0', '--data', data], { TENET_ADMIN_PASSWORD: 'a password for the test', TENET_ENROLL_TOKEN: 'short' }, /API:/);
  await assert.rejects(short.started, /exited 2[\s\S]*ERR_BAD_OPTION_VALUE: TENET_ENROLL_TOKEN: an enrollment token must have at least 24 characters/);
});
