import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDotenv } from '../../../src/intent/compose/dotenv.ts';
import { interpolate } from '../../../src/intent/compose/interpolate.ts';
import { parseExposeSpec, parseLongPort, parsePortSpec } from '../../../src/intent/compose/ports.ts';
import { looksLikeSecret } from '../../../src/intent/compose/secrets.ts';
import { parseLongVolume, parseVolumeSpec } from '../../../src/intent/compose/volumes.ts';

const vars: Record<string, string> = { HOST: 'db', EMPTY: '', PORT: '5432' };
const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined);

test('interpolation follows Compose: defaults, alternatives, errors and $$', () => {
  const cases: Array<[string, string]> = [
    ['$HOST:$PORT', 'db:5432'],
    ['${HOST}x', 'dbx'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${UNSET-fallback}', 'fallback'],
    ['${HOST:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET:-${HOST}-${PORT}}', 'db-5432'],
    ['$$HOME and $${HOST}', '$HOME and ${HOST}'],
    ['cost: 5$', 'cost: 5$'],
    ['no variables', 'no variables'],
  ];
  for (const [text, expected] of cases) assert.deepEqual(interpolate(text, lookup), { value: expected, problems: [] }, text);
});

test('interpolation reports what it cannot resolve and uses an empty string', () => {
  assert.deepEqual(interpolate('a${UNSET}b$ALSO_UNSET', lookup), {
    value: 'ab',
    problems: [{ kind: 'unset', message: 'variable UNSET is not set' }, { kind: 'unset', message: 'variable ALSO_UNSET is not set' }],
  });
  assert.deepEqual(interpolate('${EMPTY:?needs a value}', lookup), {
    value: '',
    problems: [{ kind: 'required', message: 'required variable EMPTY has no value: needs a value' }],
  });
  assert.deepEqual(interpolate('${EMPTY?set is enough}', lookup), { value: '', problems: [] });
  assert.equal(interpolate('${not valid}', lookup).problems[0]?.kind, 'invalid');
  assert.equal(interpolate('${UNCLOSED', lookup).problems[0]?.kind, 'invalid');
  // An unused default is never expanded, so it reports nothing.
  assert.deepEqual(interpolate('${HOST:-$UNSET}', lookup), { value: 'db', problems: [] });
});

test('env files: assignments, export, quotes, comments, bare names and earlier variables', () => {
  const text = [
    '# a comment',
    'export A=1',
    'B = two words # trailing comment',
    "C='literal $A'",
    'D="line one',
    'line two $A"',
    'E=${A}-${UNSET:-dflt}',
    'HOST',
    'MISSING',
    'F=${NOPE}',
    '',
  ].join('\n');
  const parsed = parseDotenv(text, lookup);
  assert.deepEqual(parsed.entries, [
    { name: 'A', value: '1', line: 2 },
    { name: 'B', value: 'two words', line: 3 },
    { name: 'C', value: 'literal $A', line: 4 },
    { name: 'D', value: 'line one\nline two 1', line: 5 },
    { name: 'E', value: '1-dflt', line: 7 },
    { name: 'HOST', value: 'db', line: 8 },
    { name: 'F', value: '', line: 10 },
  ]);
  assert.deepEqual(parsed.problems, [{ kind: 'unset', message: 'variable NOPE is not set', line: 10 }]);
});

test('short port syntax, with ranges, IPs and protocols', () => {
  const ok = (spec: string | number) => {
    const r = parsePortSpec(spec);
    assert.ok(r.ok, `${spec}: ${r.ok ? '' : r.reason}`);
    return r.mapping;
  };
  assert.deepEqual(ok('3000'), { port: 3000, protocol: 'tcp' });
  assert.deepEqual(ok(8080), { port: 8080, protocol: 'tcp' });
  assert.deepEqual(ok('8000:8000'), { port: 8000, protocol: 'tcp', hostPort: 8000 });
  assert.deepEqual(ok('49100:22'), { port: 22, protocol: 'tcp', hostPort: 49100 });
  assert.deepEqual(ok('127.0.0.1:80:80/udp'), { port: 80, protocol: 'udp', hostPort: 80 });
  assert.deepEqual(ok('127.0.0.1::5000'), { port: 5000, protocol: 'tcp' });
  assert.deepEqual(ok('[::1]:6001:6001'), { port: 6001, protocol: 'tcp', hostPort: 6001 });
  assert.deepEqual(ok('8000-8010:8000-8010'), { port: 8000, endPort: 8010, protocol: 'tcp' });
  assert.deepEqual(ok('9090-9091:8080-8081'), { port: 8080, endPort: 8081, protocol: 'tcp' });
  assert.deepEqual(ok('49152-65535/udp'), { port: 49152, endPort: 65535, protocol: 'udp' });
  assert.deepEqual(ok('8000-8010:80'), { port: 80, protocol: 'tcp' }, 'a host range for one container port');
  assert.deepEqual(ok('53:53/SCTP'), { port: 53, protocol: 'sctp', hostPort: 53 });
  for (const bad of ['abc', '70000:80', '80:70000', '80-70:80', '0', '80/icmp', '8000:8000-8001', '8000-8001:9000-9005', 'host:80:80', '1:2:3:4', '']) {
    assert.equal(parsePortSpec(bad).ok, false, bad);
  }
});

test('long port syntax and expose', () => {
  assert.deepEqual(parseLongPort({ target: 80, published: '8080', protocol: 'udp', host_ip: '0.0.0.0' }), { ok: true, mapping: { port: 80, protocol: 'udp', hostPort: 8080 } });
  assert.deepEqual(parseLongPort({ target: '443', published: '8443-8453' }), { ok: true, mapping: { port: 443, protocol: 'tcp' } });
  assert.deepEqual(parseLongPort({ target: 9000 }), { ok: true, mapping: { port: 9000, protocol: 'tcp' } });
  assert.equal(parseLongPort({ published: 80 }).ok, false);
  assert.equal(parseLongPort({ target: 80, published: 99999 }).ok, false);
  assert.deepEqual(parseExposeSpec('3000-3005/udp'), { ok: true, mapping: { port: 3000, endPort: 3005, protocol: 'udp' } });
  assert.equal(parseExposeSpec('80:80').ok, false);
});

test('short volume syntax: bind mounts, named and anonymous volumes, modes', () => {
  const ok = (spec: string) => {
    const r = parseVolumeSpec(spec);
    assert.ok(r.ok, `${spec}: ${r.ok ? '' : r.reason}`);
    return r.volume;
  };
  assert.deepEqual(ok('./data:/data:ro'), { target: '/data', type: 'bind', source: './data', readOnly: true });
  assert.deepEqual(ok('named:/x'), { target: '/x', type: 'volume', source: 'named', readOnly: false });
  assert.deepEqual(ok('/host:/c'), { target: '/c', type: 'bind', source: '/host', readOnly: false });
  assert.deepEqual(ok('/var/run/docker.sock:/var/run/docker.sock'), { target: '/var/run/docker.sock', type: 'bind', source: '/var/run/docker.sock', readOnly: false });
  assert.deepEqual(ok('~/configs:/etc/configs:ro,z'), { target: '/etc/configs', type: 'bind', source: '~/configs', readOnly: true });
  assert.deepEqual(ok('.:/code'), { target: '/code', type: 'bind', source: '.', readOnly: false });
  assert.deepEqual(ok('/var/lib/anonymous'), { target: '/var/lib/anonymous', type: 'volume', readOnly: false });
  assert.deepEqual(ok(':/media/'), { target: '/media', type: 'volume', readOnly: false }, 'an unset variable as the source');
  assert.deepEqual(ok('C:\\data:/data:rw'), { target: '/data', type: 'bind', source: 'C:\\data', readOnly: false });
  for (const bad of ['relative/target', 'a:b:c:d', 'vol:relative']) assert.equal(parseVolumeSpec(bad).ok, false, bad);
});

test('long volume syntax', () => {
  assert.deepEqual(parseLongVolume({ type: 'bind', source: './opt', target: '/opt/cached', read_only: true }), { ok: true, volume: { target: '/opt/cached', type: 'bind', source: './opt', readOnly: true } });
  assert.deepEqual(parseLongVolume({ type: 'tmpfs', target: '/opt/tmpfs', tmpfs: { size: 10000 } }), { ok: true, volume: { target: '/opt/tmpfs', type: 'tmpfs', readOnly: false } });
  assert.deepEqual(parseLongVolume({ type: 'npipe', source: '\\\\.\\pipe\\x', target: '/pipe' }), { ok: true, volume: { target: '/pipe', type: 'other', source: '\\\\.\\pipe\\x', readOnly: false } });
  assert.deepEqual(parseLongVolume({ source: 'data', target: '/data' }), { ok: true, volume: { target: '/data', type: 'volume', source: 'data', readOnly: false } });
  assert.equal(parseLongVolume({ type: 'volume', source: 'x' }).ok, false);
});

test('secrets in environment variables', () => {
  const yes: Array<[string, string]> = [['POSTGRES_PASSWORD', 'gitea'], ['DB_PASSWD', 'x'], ['GITHUB_TOKEN', 'ghp_x'], ['STRIPE_API_KEY', 'sk'], ['SSH_PRIVATE_KEY', 'k'], ['AWS_CREDENTIALS', 'c'], ['WEBPASSWORD', 'p w']];
  const no: Array<[string, string]> = [['POSTGRES_PASSWORD_FILE', '/run/secrets/db'], ['DATABASE_PASSWORD', '/run/secrets/db-password'], ['DB_PASSWORD', ''], ['USE_TOKEN', 'true'], ['DB_USER', 'root'], ['TOKEN_URL', 'https://x']];
  for (const [name, value] of yes) assert.equal(looksLikeSecret(name, value), true, name);
  for (const [name, value] of no) assert.equal(looksLikeSecret(name, value), false, name);
});
