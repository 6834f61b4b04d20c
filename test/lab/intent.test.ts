// Intent in the pipeline, against real images and a real registry: the diff of
// two versions of the lab's Node.js image, and the intent manifest pushed beside
// its image, pulled back, and taken by a defender as the model it starts from.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { INTENT_MEDIA_TYPE, type Audit, type IntentManifest, type IntentModel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { answers, docker, inLab, LAB_IMAGES, LAB_LABEL, startRegistry, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-intent-'));
const STAGING = 'tenet-lab-intent-staging';
const PRODUCTION = 'tenet-lab-intent-production';
const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];

after(() => {
  for (const child of children) child.kill('SIGKILL');
  spawnSync('docker', ['rm', '-f', STAGING, PRODUCTION], { stdio: 'ignore' });
  for (const cleanup of cleanups.reverse()) cleanup();
  rmSync(work, { recursive: true, force: true });
});

type Change = { model: string; dimension: string; change: string; entry: string; widening: boolean; sources: Array<{ file?: string; line?: number }> };

test('tenet diff between two versions of the Node.js lab image names the new program and the new port, each with its file and line', async (t) => {
  if (!(await inLab(t))) return;
  const run = tenet(['diff', `image:${LAB_IMAGES.nodeApp}`, `image:${LAB_IMAGES.nodeApp2}`, '--format', 'json']);
  assert.equal(run.status, 0, run.stderr);
  const { changes } = JSON.parse(run.stdout) as { changes: Change[] };
  const located = (c: Change) => c.sources.map((s) => `${s.file}:${s.line}`);
  assert.deepEqual(changes.filter((c) => c.dimension !== 'syscalls').map((c) => [c.dimension, c.change, c.entry, c.widening, located(c)]), [
    ['processes', 'added', 'uname', true, ['/srv/app/server.js:20']],
    ['listen', 'added', '9090/tcp', true, ['/srv/app/server.js:26']],
  ]);
  const syscalls = changes.filter((c) => c.dimension === 'syscalls');
  assert.ok(syscalls.length > 0, 'starting a program takes syscalls the first version did not make');
  assert.ok(syscalls.every((c) => c.change === 'added' && c.widening && located(c).includes('/srv/app/server.js:20')), 'each new syscall names the child_process call');
  const gate = tenet(['diff', `image:${LAB_IMAGES.nodeApp}`, `image:${LAB_IMAGES.nodeApp2}`, '--fail-on', 'widening', '--format', 'markdown']);
  assert.equal(gate.status, 1, 'a CI gate stops the widening');
  assert.match(gate.stdout, /uname/);
});

/** The lab's Node.js app, version 2, pushed to a registry on loopback; the reference and the image ID. */
async function pushed(): Promise<{ host: string; remote: string; imageId: string; digest: string }> {
  const registry = await startRegistry(work);
  cleanups.push(registry.stop);
  const remote = `${registry.host}/lab/node-app:2`;
  docker('tag', LAB_IMAGES.nodeApp2, remote);
  cleanups.push(() => spawnSync('docker', ['rmi', remote], { stdio: 'ignore' }));
  docker('push', remote);
  const digest = docker('inspect', '-f', '{{join .RepoDigests " "}}', remote).split(' ').find((d) => d.startsWith(`${registry.host}/`))!.replace(/^.*@/, '');
  return { host: registry.host, remote, imageId: docker('inspect', '-f', '{{.Id}}', remote), digest };
}

let registry: Awaited<ReturnType<typeof pushed>> | undefined;

test('an intent manifest is pushed beside its image in a registry as an OCI artifact and pulled back unchanged', async (t) => {
  if (!(await inLab(t))) return;
  registry = await pushed();
  const { host, remote, imageId, digest } = registry;
  const none = tenet(['intent', 'pull', remote]);
  assert.deepEqual([none.status, none.stderr], [1, `${remote}: no intent manifest in the registry\n`]);

  const push = tenet(['intent', 'push', remote]);
  assert.equal(push.status, 0, push.stderr);
  const [, artifact, intentDigest] = /^pushed \S+@(sha256:[0-9a-f]{64}): intent (sha256:[0-9a-f]{64}) for /.exec(push.stdout) ?? [];
  assert.ok(artifact !== undefined, push.stdout);

  // what the registry holds, as another tool reads it: the referrers index under its fallback tag, and the artifact
  const skopeo = (ref: string) => JSON.parse(spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/lab/node-app${ref}`], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
  const index = skopeo(`:${digest.replace(':', '-')}`) as { manifests: Array<{ digest: string; artifactType: string }> };
  assert.deepEqual(index.manifests.map((m) => [m.digest, m.artifactType]), [[artifact, INTENT_MEDIA_TYPE]]);
  const manifest = skopeo(`@${artifact}`) as { artifactType: string; subject: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
  assert.deepEqual([manifest.artifactType, manifest.subject.digest, manifest.layers.map((l) => [l.digest, l.mediaType])], [INTENT_MEDIA_TYPE, digest, [[intentDigest, INTENT_MEDIA_TYPE]]]);

  const pull = tenet(['intent', 'pull', remote]);
  assert.equal(pull.status, 0, pull.stderr);
  const pulled = JSON.parse(pull.stdout) as IntentManifest;
  const made = JSON.parse(tenet(['intent', 'make', `image:${LAB_IMAGES.nodeApp2}`]).stdout) as IntentManifest;
  assert.deepEqual([pulled.kind, pulled.image, pulled.model.id], ['IntentManifest', imageId, imageId]);
  // the same image read from the engine: the same model, but for where it was read
  const asPushed = JSON.stringify(made.model).replaceAll(`"image:${LAB_IMAGES.nodeApp2}"`, `"registry:${remote}"`).replaceAll(`"${LAB_IMAGES.nodeApp2}"`, `"${remote}"`);
  assert.deepEqual(pulled.model, JSON.parse(asPushed), 'the model read from the registry\'s image is the one read from the engine\'s');

  // the manifest of another image is refused, and nothing is pushed
  const other = join(work, 'v1.intent.json');
  assert.equal(tenet(['intent', 'make', `image:${LAB_IMAGES.nodeApp}`, '-o', other]).status, 0);
  const wrong = tenet(['intent', 'push', remote, '--file', other]);
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /ERR_IMAGE: .*the intent manifest is for image sha256:[0-9a-f]+, the registry's image is sha256:/);
  const garbage = join(work, 'garbage.json');
  writeFileSync(garbage, '{"apiVersion":"tenet/v1","kind":"IntentManifest","image":"sha256:x"}');
  assert.match(tenet(['intent', 'push', remote, '--file', garbage]).stderr, /ERR_BAD_INTENT: .*garbage\.json: not an intent manifest: image/);
  assert.equal((skopeo(`:${digest.replace(':', '-')}`) as { manifests: unknown[] }).manifests.length, 1);
});

/** A defender on a data folder of its own; its audits and log lines as they come. */
async function defender(name: string, ...args: string[]): Promise<{ data: string; audits: Audit[]; log: string[]; stop: () => Promise<void> }> {
  const data = join(work, name);
  const child = spawn(process.execPath, [BIN, 'defender', '--data', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const audits: Audit[] = [];
  const log: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => audits.push(JSON.parse(line) as Audit));
  createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
  await until(`the ${name} defender runs`, () => (log.some((l) => l.includes('defender running')) ? true : undefined), 60_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });
  await until(`the ${name} defender's sensor runs`, () => (status(data).sensor?.running === true ? true : undefined), 30_000);
  const stop = async () => {
    child.kill('SIGTERM');
    await until(`the ${name} defender stops`, () => (child.exitCode !== null ? true : undefined), 30_000);
  };
  return { data, audits, log, stop };
}

const status = (data: string) => (JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as { defender: { sensor?: { running: boolean } } }).defender;
const modelOf = (data: string, id: string) => (JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[]).find((m) => m.id === id);

test('a defender starts from the intent manifest in the registry: a model learned in staging is enforced from a container\'s first second', { timeout: 180_000 }, async (t) => {
  if (!(await inLab(t))) return;
  assert.ok(registry !== undefined, 'the image was pushed by the test before');
  const { host, remote, imageId } = registry;

  // staging: the model learns from the app at work, its admin port and the program it runs included
  const staging = await defender('staging', '--learn-for', '5s');
  docker('run', '-d', '--label', `${LAB_LABEL}=intent-test`, '--name', STAGING, remote);
  const stagingIp = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', STAGING);
  await answers(`http://${stagingIp}:3000/healthz`);
  await answers(`http://${stagingIp}:9090/`);
  const learned = await until('the staging model is active', () => {
    const m = modelOf(staging.data, imageId);
    return m?.state === 'active' ? m : undefined;
  }, 60_000);
  await staging.stop();
  docker('rm', '-f', STAGING);
  assert.ok(learned.processes.some((p) => p.path === '/usr/bin/uname' && p.sources.some((s) => s.kind === 'learned')), 'uname was learned');
  const models = join(work, 'staging-models.json');
  writeFileSync(models, tenet(['models', '--data', staging.data, '--format', 'json']).stdout);
  // what is pushed: the model as staging left it (the image's own entries may have joined it after it turned active)
  const pushed = (JSON.parse(readFileSync(models, 'utf8')) as IntentModel[]).find((m) => m.id === imageId)!;
  const push = tenet(['intent', 'push', remote, '--model', models]);
  assert.equal(push.status, 0, push.stderr);

  // production: a fresh defender, a long learning window, and the registry to ask
  const production = await defender('production', '--learn-for', '1h', '--intent-registry', host);
  const started = Date.now();
  docker('run', '-d', '--label', `${LAB_LABEL}=intent-test`, '--name', PRODUCTION, remote);
  const model = await until('the production model is active', () => {
    const m = modelOf(production.data, imageId);
    return m?.state === 'active' ? m : undefined;
  }, 20_000).catch((e: Error) => assert.fail(`${e.message}\n${production.log.join('\n')}`));
  t.diagnostic(`container start to an active model: ${Date.now() - started} ms`);
  await until('the defender says where the model came from', () => (production.log.some((l) => l.includes(`model ${imageId} starts from its intent manifest sha256:`)) ? true : undefined), 5000)
    .catch((e: Error) => assert.fail(`${e.message}\n${production.log.join('\n')}`));
  assert.deepEqual(model.processes.map((p) => p.path).sort(), pushed.processes.map((p) => p.path).sort());

  // what the app does is allowed; a program it never ran is an audit at once
  const ip = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', PRODUCTION);
  assert.equal(await (await fetch(`http://${ip}:9090/`, { signal: AbortSignal.timeout(5000) })).text().then((s) => s.trim().length > 0), true);
  docker('exec', PRODUCTION, 'ls', '/');
  const audit = await until('the unexpected program is reported', () => production.audits.find((a) => a.rule === 'unexpected-process'), 20_000);
  assert.equal(audit.lacked?.entry, '/usr/bin/ls');
  assert.equal(production.audits.filter((a) => a.rule === 'unexpected-process').length, 1, production.audits.map((a) => `${a.rule} ${a.lacked?.entry}`).join('\n'));
  await production.stop();
});
