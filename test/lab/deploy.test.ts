// Tenet deployed as users deploy it on one Docker host: the console and defender
// images built from this repository (deploy/Dockerfile), started with
// deploy/compose.yaml; the console answers, the defender enrolls, runs its
// sensor inside its container with only the privileges the compose file gives,
// reports a container it learned, and kills a program outside its model when
// the console sets prevent mode.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { buildTenetImage, consoleCall, docker, freePort, inLab, LAB_IMAGES, LAB_LABEL, until } from './lab.ts';

const COMPOSE = fileURLToPath(new URL('../../deploy/compose.yaml', import.meta.url));
const PROJECT = 'tenet-lab-deploy';
const PROBE = 'tenet-lab-deploy-probe';
const PASSWORD = 'lab-admin-password-0123';
let env: NodeJS.ProcessEnv = {};

const compose = (...args: string[]) => spawnSync('docker-compose', ['-f', COMPOSE, '-p', PROJECT, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });

after(() => {
  spawnSync('docker', ['rm', '-f', PROBE], { stdio: 'ignore' });
  if (env.TENET_ENROLL_TOKEN !== undefined) compose('down', '-v', '--timeout', '5');
});

const call = (url: string, ca: string, method = 'GET', body?: unknown) => consoleCall(url, ca, `admin:${PASSWORD}`, method, body);

test('the console and defender images built from the repository run under deploy/compose.yaml: the console answers, the defender enrolls, reports a container, and prevents from inside its container', { timeout: 600_000 }, async (t) => {
  if (!(await inLab(t))) return;
  assert.ok(existsSync(new URL('../../web/dist/index.html', import.meta.url)), 'the web UI is built (npm run build:web) before the images');
  const IMAGES = { console: buildTenetImage('console'), defender: buildTenetImage('defender') };
  const port = await freePort();
  env = {
    TENET_CONSOLE_IMAGE: IMAGES.console, TENET_DEFENDER_IMAGE: IMAGES.defender,
    TENET_ADMIN_PASSWORD: PASSWORD, TENET_ENROLL_TOKEN: 'lab-enrollment-secret-0123456789', TENET_CONSOLE_PORT: `127.0.0.1:${port}`, TENET_LEARN_FOR: '8s',
  };
  compose('down', '-v', '--timeout', '5');
  const up = compose('up', '-d');
  assert.equal(up.status, 0, up.stderr);

  const container = (service: string) => `${PROJECT}_${service}_1`;
  const ca = await until('the console wrote its certificate', () => {
    const cp = spawnSync('docker', ['exec', container('console'), 'cat', '/var/lib/tenet-ca/console.pem'], { encoding: 'utf8' });
    return cp.status === 0 && cp.stdout.includes('BEGIN CERTIFICATE') ? cp.stdout : undefined;
  }, 60_000);
  const api = `https://127.0.0.1:${port}/api/v1`;
  const health = await until('the console answers', () => call(`${api}/health`, ca).then((r) => (r.status === 200 ? r.body : undefined), () => undefined), 60_000);
  assert.equal((health as { status: string }).status, 'ok');

  type Defenders = { items: Array<{ connected: boolean; status?: { sensor?: { running: boolean } } }> };
  await until('the defender enrolls, connects and runs its sensor', async () => {
    const { body } = await call(`${api}/defenders`, ca);
    const items = (body as Defenders).items;
    return items.length === 1 && items[0]!.connected && items[0]!.status?.sensor?.running === true ? true : undefined;
  }, 120_000).catch((e: Error) => assert.fail(`${e.message}\n${compose('logs', '--tail', '40', 'defender').stdout}`));

  // a container started now: the defender's sensor, inside its own container, sees a program run in it
  docker('run', '-d', '--label', `${LAB_LABEL}=deploy`, '--name', PROBE, LAB_IMAGES.debian, 'bash', '-c', 'while true; do sleep 1; done');
  const imageId = docker('inspect', '-f', '{{.Image}}', PROBE);
  await until('the container is known', async () => {
    docker('exec', PROBE, 'ls', '/');
    const { body } = await call(`${api}/profiles/container?image=${encodeURIComponent(LAB_IMAGES.debian)}`, ca);
    const model = (body as { items: Array<{ _id: string; processes: Array<{ path: string }> }> }).items.find((m) => m._id === imageId);
    return model?.processes.some((p) => p.path.endsWith('/ls')) ? true : undefined;
  }, 60_000).catch((e: Error) => assert.fail(`${e.message}\n${compose('logs', '--tail', '40', 'defender').stdout}`));

  // prevent mode from the console: inside its container, with only its capabilities, the defender kills a program the model lacks
  await until('the model is active', async () => {
    const { body } = await call(`${api}/profiles/container?image=${encodeURIComponent(LAB_IMAGES.debian)}`, ca);
    return (body as { items: Array<{ _id: string; state: string }> }).items.some((m) => m._id === imageId && m.state === 'active') ? true : undefined;
  }, 60_000);
  const mode = await call(`${api}/modes`, ca, 'PUT', { scope: { kind: 'image', value: LAB_IMAGES.debian }, dimension: 'processes', mode: 'prevent' });
  assert.equal(mode.status, 200, JSON.stringify(mode.body));
  type Guarded = { items: Array<{ status?: { guard?: { running: boolean; containers: number } } }> };
  await until('the guard holds the container', async () => {
    const guard = ((await call(`${api}/defenders`, ca)).body as Guarded).items[0]?.status?.guard;
    return guard?.running === true && guard.containers === 1 ? true : undefined;
  }, 60_000).catch((e: Error) => assert.fail(`${e.message}\n${compose('logs', '--tail', '40', 'defender').stdout}`));
  const exec = (...args: string[]) => spawnSync('docker', ['exec', PROBE, ...args], { stdio: 'ignore', timeout: 20_000 }).status;
  assert.equal(exec('cat', '/etc/hostname'), 137, 'a program the model lacks is killed before it runs');
  assert.equal(exec('ls', '/'), 0, 'a program the model has still runs');
  // files and network too: read-only folders and an nftables table in the container's own namespaces
  for (const dimension of ['writable', 'egress']) {
    assert.equal((await call(`${api}/modes`, ca, 'PUT', { scope: { kind: 'image', value: LAB_IMAGES.debian }, dimension, mode: 'prevent' })).status, 200);
  }
  type Held = { items: Array<{ status?: { fileGuard?: { containers: number }; networkGuard?: { containers: number } } }> };
  await until('the folders are read-only and the table is in place', async () => {
    const status = ((await call(`${api}/defenders`, ca)).body as Held).items[0]?.status;
    return status?.fileGuard?.containers === 1 && status.networkGuard?.containers === 1 ? true : undefined;
  }, 60_000).catch((e: Error) => assert.fail(`${e.message}\n${compose('logs', '--tail', '40', 'defender').stdout}`));
  const write = spawnSync('docker', ['exec', PROBE, 'bash', '-c', 'echo x > /etc/tenet-test'], { encoding: 'utf8', timeout: 20_000 });
  assert.match(write.stderr, /Read-only file system/, 'a write where the model writes nothing fails');
  assert.equal(docker('inspect', '-f', '{{.State.Running}} {{.RestartCount}}', PROBE), 'true 0', 'the container runs on');

  // the privileges the defender runs with are the compose file's, not more
  const inspect = JSON.parse(docker('inspect', container('defender'))) as Array<{ HostConfig: { Privileged: boolean; CapAdd: string[]; CapDrop: string[]; PidMode: string } }>;
  const host = inspect[0]!.HostConfig;
  const declared = (parse(readFileSync(COMPOSE, 'utf8')) as { services: { defender: { cap_add: string[] } } }).services.defender.cap_add;
  assert.deepEqual([host.Privileged, host.PidMode, host.CapDrop, [...host.CapAdd].map((c) => c.replace(/^CAP_/, '')).sort()], [false, 'host', ['ALL'], [...declared].sort()]);
  const consoleHost = (JSON.parse(docker('inspect', container('console'))) as Array<{ Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] } }>)[0]!;
  assert.deepEqual([consoleHost.Config.User, consoleHost.HostConfig.ReadonlyRootfs, consoleHost.HostConfig.CapDrop], ['10001:10001', true, ['ALL']]);
});
