import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTES } from '../../src/console/index.ts';
import { emptyModel, type Audit, type Incident, type IntentModel } from '../../src/model/index.ts';
import { PASSWORD, testConsole } from './console.ts';

const V1 = '/api/v1';
/** A route's path with its parameters filled in. */
const concrete = (path: string) => V1 + path.replace('{id}', 'sha256%3A1').replace('{kind}', 'seccomp').replace('{name}', 'x').replace('{app}', 'shop');
const ROLES = ['auditor', 'operator', 'admin'] as const;
/** The roles below the one a route needs (an enrollment route: every role but admin). */
const weaker = (role: string) => (role === 'enroll' ? ROLES.slice(0, 2) : ROLES.slice(0, ROLES.indexOf(role as (typeof ROLES)[number])));

const model = (id: string, fields: Partial<IntentModel> = {}): IntentModel => ({
  ...emptyModel(id, { image: 'nginx:1.27' }), state: 'active', syscalls: { allow: ['read', 'write'], sources: [] },
  processes: [{ path: '/usr/sbin/nginx', argv: ['nginx', '-g', 'daemon off;'], role: 'main', sources: [{ kind: 'declared', format: 'dockerfile', file: 'Dockerfile', line: 9 }] }], ...fields,
});
const audit = (i: number): Audit => ({
  id: `a${i}`, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), rule: i % 2 === 0 ? 'drift' : 'reverse-shell', severity: i % 2 === 0 ? 'critical' : 'high',
  message: `m${i}`, container: { id: `c${i % 2}` }, model: 'sha256:1', event: { kind: 'exec', time: '2026-01-01T00:00:00Z', source: 'tenet' },
});
const incident = (i: number): Incident => ({
  id: `i${i}`, pattern: 'reverse-shell', title: 'Reverse shell', severity: 'critical', container: { id: 'c1' }, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:01Z',
  timeline: [{ audit: 'a1', time: '2026-01-01T00:00:00Z', lastTime: '2026-01-01T00:00:00Z', rule: 'reverse-shell', severity: 'critical', message: 'm', count: 1 }], count: 1,
});

async function errorOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error?: { code: string; message: string } };
  assert.equal(typeof body.error?.message, 'string', 'an error body has a message');
  return { status: res.status, code: body.error!.code };
}

test('every route refuses the unauthenticated and the under-privileged, and says so in the log', async () => {
  const c = await testConsole();
  const guarded = ROUTES.filter((r) => r.role !== 'public');
  assert.ok(guarded.length >= 20);
  for (const r of guarded) {
    const method = r.route.method.toUpperCase();
    const path = concrete(r.route.path);
    const refused = async (as: Parameters<typeof c.call>[2] extends infer O ? O extends { as?: infer A } ? A : never : never) => errorOf(await c.call(method, path, { as, body: method === 'GET' || method === 'DELETE' && !path.endsWith('/modes') ? undefined : {} }));
    const none = await c.app.request(path, { method });
    assert.equal(none.status, 401, `${method} ${path} without credentials`);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="tenet"/);
    assert.deepEqual(await refused('nobody'), { status: 401, code: 'ERR_UNAUTHENTICATED' }, `${method} ${path}`);
    for (const role of weaker(r.role)) assert.deepEqual(await refused(role), { status: 403, code: 'ERR_FORBIDDEN' }, `${method} ${path} as ${role}`);
    assert.deepEqual(await refused('defender'), { status: 403, code: 'ERR_FORBIDDEN' }, `${method} ${path} with a defender's token`);
    if (r.role === 'enroll') assert.deepEqual(await refused('enroll'), { status: 400, code: 'ERR_BAD_REQUEST' }, 'an enrollment token enrolls (here with an empty body)');
    else assert.deepEqual(await refused('enroll'), { status: 403, code: 'ERR_FORBIDDEN' }, `${method} ${path} with an enrollment token`);
    const wrong = await c.app.request(path, { method, headers: { authorization: 'Bearer tnt_not-a-token' } });
    assert.deepEqual(await errorOf(wrong), { status: 401, code: 'ERR_UNAUTHENTICATED' });
  }
  assert.ok(c.logged.length >= guarded.length * 4);
  assert.ok(c.logged.every((e) => typeof e.requestId === 'string' && typeof e.status === 'number' && e.status >= 400 && typeof e.code === 'string'), 'every refusal is logged with its code');
  assert.equal((await c.store.changes({})).items.length, 0, 'nothing refused changed anything');
});

test('the OpenAPI document validates and describes exactly the routes served', async () => {
  const c = await testConsole();
  const res = await c.app.request(`${V1}/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };
  const result = await new Validator().validate(doc as never);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
  const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`)).sort();
  const served = ROUTES.map((r) => `${r.route.method.toUpperCase()} ${r.route.path}`).sort();
  assert.deepEqual(documented, served);
  for (const r of ROUTES) {
    const op = doc.paths[r.route.path]![r.route.method]!;
    assert.ok(op.responses['400'] !== undefined, `${r.route.path} documents its 400`);
    if (r.role !== 'public') assert.ok(op.security !== undefined && op.responses['401'] !== undefined && op.responses['403'] !== undefined, `${r.route.path} documents its auth`);
  }
  // the routes Hono really serves under /api/v1 are those (and the document itself)
  const routed = new Set(c.app.routes.filter((r) => r.path.startsWith(V1) && r.method !== 'ALL').map((r) => `${r.method} ${r.path.slice(V1.length).replace(/:(\w+)/g, '{$1}')}`));
  assert.deepEqual([...routed].filter((r) => r !== 'GET /openapi.json').sort(), served);
});

test('profiles: models with _id and entrypoint, filters, pages with a cursor, one by id, relearn and extend', async () => {
  const c = await testConsole();
  await c.store.putModels([
    model('sha256:1'), model('sha256:2', { image: 'redis:7', state: 'learning', remainingLearningDurationSec: 120 }), model('sha256:3', { image: 'nginx:1.26' }),
  ]);
  const first = await c.call('GET', `${V1}/profiles/container?limit=2`, { as: 'auditor' });
  assert.equal(first.status, 200);
  const page = (await first.json()) as { items: Array<{ _id: string; entrypoint?: unknown; image: string }>; next: string };
  assert.deepEqual(page.items.map((p) => p._id), ['sha256:1', 'sha256:2']);
  assert.deepEqual(page.items[0]!.entrypoint, { path: '/usr/sbin/nginx', argv: ['nginx', '-g', 'daemon off;'] });
  const second = (await (await c.call('GET', `${V1}/profiles/container?limit=2&cursor=${page.next}`)).json()) as { items: Array<{ _id: string }>; next?: string };
  assert.deepEqual(second.items.map((p) => p._id), ['sha256:3']);
  assert.equal(second.next, undefined);
  const ids = async (query: string) => ((await (await c.call('GET', `${V1}/profiles/container?${query}`)).json()) as { items: Array<{ _id: string }> }).items.map((p) => p._id);
  assert.deepEqual(await ids('image=nginx'), ['sha256:1', 'sha256:3']);
  assert.deepEqual(await ids('image=redis%3A7'), ['sha256:2']);
  assert.deepEqual(await ids('state=learning'), ['sha256:2']);
  assert.deepEqual(await ids('namespace=shop'), []);
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/profiles/container?state=sleeping`)), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/profiles/container?cursor=not-ours`)), { status: 400, code: 'ERR_BAD_CURSOR' });
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/profiles/container?limit=5000`)), { status: 400, code: 'ERR_BAD_REQUEST' });

  const one = (await (await c.call('GET', `${V1}/profiles/container/sha256%3A2`)).json()) as { _id: string; remainingLearningDurationSec: number; os?: unknown };
  assert.equal(one._id, 'sha256:2');
  assert.equal(one.remainingLearningDurationSec, 120);
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/profiles/container/sha256%3A9`)), { status: 404, code: 'ERR_NOT_FOUND' });

  assert.equal((await c.call('POST', `${V1}/profiles/container/sha256%3A2/relearn`, { as: 'operator' })).status, 202);
  assert.equal((await c.call('POST', `${V1}/profiles/container/sha256%3A2/extend`, { as: 'operator', body: { seconds: 600 } })).status, 202);
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/profiles/container/sha256%3A2/extend`, { as: 'operator', body: { seconds: -1 } })), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.deepEqual(await c.store.takeCommands(), [{ action: 'relearn', model: 'sha256:2' }, { action: 'extend', model: 'sha256:2', seconds: 600 }]);
  const changes = (await c.store.changes({})).items;
  assert.deepEqual(changes.map((ch) => [ch.actor, ch.action, ch.target]), [['token:operator', 'profile.extend', 'sha256:2'], ['token:operator', 'profile.relearn', 'sha256:2']]);
});

test('artifacts: every kind by name, nothing else; a model without what an artifact needs is 422', async () => {
  const c = await testConsole();
  await c.store.putModels([model('sha256:1'), model('sha256:2', { syscalls: { allow: [], sources: [] } })]);
  const seccomp = await c.call('GET', `${V1}/profiles/container/sha256%3A1/artifacts/seccomp`, { as: 'auditor' });
  assert.equal(seccomp.status, 200);
  assert.equal(seccomp.headers.get('content-type'), 'application/json');
  const profile = (await seccomp.json()) as { defaultAction: string; syscalls: Array<{ names: string[] }> };
  assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(profile.syscalls.some((s) => s.names.includes('read')));
  const apparmor = await c.call('GET', `${V1}/profiles/container/sha256%3A1/artifacts/apparmor`);
  assert.equal(apparmor.status, 200);
  assert.match(await apparmor.text(), /profile /);
  for (const kind of ['..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fshadow', 'constructor', '__proto__', 'toString', 'SECCOMP', 'seccomp%00']) {
    assert.deepEqual(await errorOf(await c.call('GET', `${V1}/profiles/container/sha256%3A1/artifacts/${kind}`)), { status: 404, code: 'ERR_NOT_FOUND' }, kind);
  }
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/profiles/container/sha256%3A2/artifacts/seccomp`)), { status: 422, code: 'ERR_UNPROCESSABLE' });
});

test('audits, incidents and events: newest first, filters, cursors; hostile filter values change nothing', async () => {
  const c = await testConsole();
  await c.store.addAudits(Array.from({ length: 12 }, (_, i) => audit(i)));
  await c.store.putIncidents([incident(1), incident(2)]);
  await c.store.addEvents([{ event: { kind: 'exec', time: '2026-01-01T00:00:00Z', source: 'tenet' }, container: 'c1' }]);
  const all: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await c.call('GET', `${V1}/audits?limit=5${cursor !== undefined ? `&cursor=${cursor}` : ''}`, { as: 'auditor' });
    const page = (await res.json()) as { items: Audit[]; next?: string };
    all.push(...page.items.map((a) => a.id));
    cursor = page.next;
  } while (cursor !== undefined);
  assert.deepEqual(all, Array.from({ length: 12 }, (_, i) => `a${11 - i}`));
  const ids = async (path: string) => ((await (await c.call('GET', `${V1}${path}`)).json()) as { items: Array<{ id: string }> }).items.map((a) => a.id);
  assert.deepEqual(await ids('/audits?rule=drift&container=c0&since=2026-01-01T00:00:06Z'), ['a10', 'a8', 'a6']);
  assert.deepEqual(await ids('/audits?severity=high&until=2026-01-01T00:00:04Z'), ['a3', 'a1']);
  assert.deepEqual(await ids('/incidents'), ['i2', 'i1']);
  assert.equal(((await (await c.call('GET', `${V1}/incidents/i1`)).json()) as Incident).pattern, 'reverse-shell');
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/incidents/nope`)), { status: 404, code: 'ERR_NOT_FOUND' });
  assert.equal(((await (await c.call('GET', `${V1}/events?kind=exec`)).json()) as { items: unknown[] }).items.length, 1);
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/audits?since=yesterday`)), { status: 400, code: 'ERR_BAD_REQUEST' });

  const hostile = ["' OR '1'='1", "x'; DROP TABLE audits; --", '%', '_', '\\', '$1', '?', '%27%20OR%201%3D1'];
  for (const value of hostile) {
    const q = encodeURIComponent(value);
    for (const path of [`/audits?rule=${q}&container=${q}&model=${q}`, `/incidents?pattern=${q}&container=${q}`, `/events?kind=${q}&container=${q}`, `/profiles/container?image=${q}&namespace=${q}`]) {
      const res = await c.call('GET', `${V1}${path}`);
      assert.equal(res.status, 200, `${path}`);
      assert.deepEqual(((await res.json()) as { items: unknown[] }).items, [], path);
    }
  }
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/audits?rule=${encodeURIComponent('a\u0000b')}`)), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.equal((await ids('/audits?limit=100')).length, 12, 'every audit is still there');
});

test('modes, feeds and supermodels: changes by operators, kept, logged; bad bodies refused', async () => {
  const c = await testConsole();
  const set = await c.call('PUT', `${V1}/modes`, { as: 'operator', body: { scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'prevent' } });
  assert.equal(set.status, 200);
  assert.deepEqual((await c.store.modes()).map((m) => [m.scope.kind, m.dimension, m.mode]), [['image', 'processes', 'prevent']]);
  assert.deepEqual(await errorOf(await c.call('PUT', `${V1}/modes`, { as: 'operator', body: { scope: { kind: 'galaxy' }, mode: 'prevent' } })), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.deepEqual(await errorOf(await c.call('PUT', `${V1}/modes`, { as: 'operator', body: '{"scope": ' })), { status: 400, code: 'ERR_BAD_JSON' });
  assert.equal((await c.call('DELETE', `${V1}/modes`, { as: 'operator', body: { scope: { kind: 'image', value: 'nginx' }, dimension: 'processes' } })).status, 204);
  assert.deepEqual(await errorOf(await c.call('DELETE', `${V1}/modes`, { as: 'operator', body: { scope: { kind: 'image', value: 'nginx' }, dimension: 'processes' } })), { status: 404, code: 'ERR_NOT_FOUND' });

  const feed = await c.call('POST', `${V1}/intel/feeds`, { as: 'operator', body: { name: 'c2', content: '# c2 servers\n203.0.113.7\n198.51.100.0/24\nevil.example\n' } });
  assert.equal(feed.status, 201);
  assert.equal(((await feed.json()) as { count: number }).count, 3);
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/intel/feeds`, { as: 'operator', body: { name: 'junk', content: 'nothing here at all' } })), { status: 422, code: 'ERR_UNPROCESSABLE' });
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/intel/feeds`, { as: 'operator', body: { url: 'file:///etc/passwd' } })), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.deepEqual(((await (await c.call('GET', `${V1}/intel/feeds`, { as: 'auditor' })).json()) as { items: Array<{ name: string }> }).items.map((f) => f.name), ['c2']);
  assert.equal((await c.call('DELETE', `${V1}/intel/feeds/c2`, { as: 'operator' })).status, 204);

  await c.store.putSupermodels([{ apiVersion: 'tenet/v1', kind: 'Supermodel', app: 'shop', nodes: [{ id: 'shop/web', models: [] }], edges: [] }]);
  assert.equal(((await (await c.call('GET', `${V1}/supermodels/shop`)).json()) as { app: string }).app, 'shop');
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/supermodels/bank`)), { status: 404, code: 'ERR_NOT_FOUND' });

  const log = ((await (await c.call('GET', `${V1}/changes`, { as: 'auditor' })).json()) as { items: Array<{ action: string }> }).items.map((ch) => ch.action);
  assert.deepEqual(log, ['feed.remove', 'feed.load', 'mode.unset', 'mode.set']);
});

test('oversized bodies are refused before they are read', async () => {
  const c = await testConsole({ bodyLimit: 4096 });
  const big = { name: 'big', content: '203.0.113.7\n'.repeat(1000) };
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/intel/feeds`, { as: 'operator', body: big })), { status: 413, code: 'ERR_TOO_LARGE' });
  assert.deepEqual(await c.store.feeds(), []);
});

test('users and tokens: admins make them, a token is shown once and works, revoked it does not; the last admin stays', async () => {
  const c = await testConsole();
  const made = await c.call('POST', `${V1}/users`, { body: { name: 'carol', role: 'operator', password: 'a long enough password' } });
  assert.equal(made.status, 201);
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/users`, { body: { name: 'carol', role: 'operator', password: 'a long enough password' } })), { status: 409, code: 'ERR_CONFLICT' });
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/users`, { body: { name: 'dave', role: 'operator', password: 'short' } })), { status: 400, code: 'ERR_BAD_REQUEST' });
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/users`, { body: { name: "x' OR 1=1; --", role: 'admin', password: 'a long enough password' } })), { status: 400, code: 'ERR_BAD_REQUEST' });
  const users = (await (await c.call('GET', `${V1}/users`)).json()) as { items: Array<Record<string, unknown>> };
  assert.ok(users.items.every((u) => !('passwordHash' in u)), 'no hash leaves the console');

  const token = (await (await c.call('POST', `${V1}/tokens`, { body: { name: 'ci', user: 'carol' } })).json()) as { id: string; token: string; role: string };
  assert.equal(token.role, 'operator');
  assert.match(token.token, /^tnt_/);
  assert.deepEqual(await errorOf(await c.call('POST', `${V1}/tokens`, { body: { name: 'more', user: 'carol', role: 'admin' } })), { status: 403, code: 'ERR_FORBIDDEN' });
  const listed = (await (await c.call('GET', `${V1}/tokens`)).json()) as { items: Array<Record<string, unknown>> };
  assert.ok(listed.items.every((t) => !('hash' in t) && !('token' in t)), 'no secret is listed');
  const asCarol = (path: string) => c.app.request(path, { headers: { authorization: `Bearer ${token.token}` } });
  assert.equal((await asCarol(`${V1}/audits`)).status, 200);
  assert.equal((await c.call('DELETE', `${V1}/tokens/${token.id}`)).status, 204);
  assert.equal((await asCarol(`${V1}/audits`)).status, 401);

  const expiring = (await (await c.call('POST', `${V1}/tokens`, { body: { name: 'short-lived', user: 'auditor', expiresInSec: 60 } })).json()) as { token: string };
  const res = await c.app.request(`${V1}/audits`, { headers: { authorization: `Bearer ${expiring.token}` } });
  assert.equal(res.status, 200);
  c.clock.now = Date.now() + 120_000;
  assert.equal((await c.app.request(`${V1}/audits`, { headers: { authorization: `Bearer ${expiring.token}` } })).status, 401, 'an expired token is refused');

  assert.equal((await c.call('DELETE', `${V1}/users/carol`)).status, 204);
  assert.deepEqual(await errorOf(await c.call('DELETE', `${V1}/users/admin`)), { status: 409, code: 'ERR_CONFLICT' });
  assert.deepEqual(await errorOf(await c.call('DELETE', `${V1}/users/nobody`)), { status: 404, code: 'ERR_NOT_FOUND' });
});

test('basic auth for scripts; failed logins are throttled per user and address', async () => {
  const c = await testConsole();
  const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const ok = await c.app.request(`${V1}/session`, { headers: basic('auditor', PASSWORD) });
  assert.deepEqual(await ok.json(), { name: 'auditor', role: 'auditor', via: 'basic' });
  for (let i = 0; i < 5; i++) assert.equal((await c.app.request(`${V1}/audits`, { headers: basic('auditor', 'wrong') })).status, 401);
  const throttled = await c.app.request(`${V1}/audits`, { headers: basic('auditor', PASSWORD) });
  assert.deepEqual(await errorOf(throttled), { status: 429, code: 'ERR_THROTTLED' });
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  assert.equal((await c.app.request(`${V1}/audits`, { headers: basic('nobody', 'x') })).status, 429, 'the address is throttled too, whatever the name');
  c.clock.now += 2000;
  assert.equal((await c.app.request(`${V1}/audits`, { headers: basic('auditor', PASSWORD) })).status, 200, 'after the wait, the right password works');
  assert.equal((await c.app.request(`${V1}/audits`, { headers: { authorization: 'Digest x' } })).status, 401);
  assert.equal((await c.app.request(`${V1}/audits`, { headers: { authorization: 'Basic bm9jb2xvbg==' } })).status, 401);
});

test('browser sessions: a cookie that is HttpOnly and SameSite=Strict; changes need the CSRF token and an origin of ours', async () => {
  const c = await testConsole();
  const login = await c.app.request(`${V1}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'operator', password: PASSWORD }) });
  assert.equal(login.status, 201);
  const setCookie = login.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /tenet_session=[^;]+; .*HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const { csrf } = (await login.json()) as { csrf: string };
  const cookie = setCookie.split(';')[0]!;
  const change = (headers: Record<string, string>) => c.app.request(`${V1}/modes`, {
    method: 'PUT', headers: { cookie, 'content-type': 'application/json', 'x-requested-with': 'tenet-ui', ...headers }, body: JSON.stringify({ scope: { kind: 'all' }, mode: 'alert' }),
  });
  assert.equal((await c.app.request(`${V1}/audits`, { headers: { cookie } })).status, 200, 'reads need no CSRF token');
  const noToken = await change({});
  assert.deepEqual(await errorOf(noToken), { status: 403, code: 'ERR_CSRF' });
  assert.deepEqual(await errorOf(await change({ 'x-csrf-token': 'forged' })), { status: 403, code: 'ERR_CSRF' });
  assert.deepEqual(await errorOf(await change({ 'x-csrf-token': csrf, origin: 'https://evil.example' })), { status: 403, code: 'ERR_CSRF' });
  assert.equal((await change({ 'x-csrf-token': csrf })).status, 200);
  assert.equal((await c.app.request(`${V1}/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } })).status, 204);
  const after = await c.app.request(`${V1}/audits`, { headers: { cookie, 'x-requested-with': 'tenet-ui' } });
  assert.equal(after.status, 401, 'the session is gone');
  assert.equal(after.headers.get('www-authenticate'), null, 'no Basic challenge for the UI\'s own requests');
  const bad = await c.app.request(`${V1}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'operator', password: 'nope' }) });
  assert.deepEqual(await errorOf(bad), { status: 401, code: 'ERR_UNAUTHENTICATED' });
});

test('an unknown route is answered with an error body too', async () => {
  const c = await testConsole();
  assert.deepEqual(await errorOf(await c.call('GET', `${V1}/no-such-thing`)), { status: 404, code: 'ERR_NOT_FOUND' });
  assert.deepEqual(await errorOf(await c.call('GET', '/etc/passwd', { as: 'nobody' })), { status: 404, code: 'ERR_NOT_FOUND' });
});

test('CORS: an origin the console is told of may call it from a browser; any other gets no grant and cannot change anything', async () => {
  const { consoleApp } = await import('../../src/console/index.ts');
  const c = await testConsole();
  const app = consoleApp({ store: c.store, version: 'test', secureCookies: false, corsOrigins: ['https://ops.example'], log: () => {} });
  const preflight = (origin: string) => app.request(`${V1}/modes`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type' } });
  const granted = await preflight('https://ops.example');
  assert.equal(granted.headers.get('access-control-allow-origin'), 'https://ops.example');
  assert.equal(granted.headers.get('access-control-allow-credentials'), 'true');
  assert.equal((await preflight('https://evil.example')).headers.get('access-control-allow-origin'), null);
  const change = (origin: string) => app.request(`${V1}/modes`, {
    method: 'PUT', headers: { origin, authorization: `Bearer ${c.tokens.operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ scope: { kind: 'all' }, mode: 'alert' }),
  });
  assert.equal((await change('https://ops.example')).status, 200);
  assert.deepEqual(await errorOf(await change('https://evil.example')), { status: 403, code: 'ERR_CSRF' });
  assert.equal((await app.request(`${V1}/health`, { headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin'), null);
});
