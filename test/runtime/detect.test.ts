// Finding a host's runtimes by their processes, on a /proc written here: the
// sockets a runtime daemon listens on (its open sockets that its network
// namespace lists as listening), reached through its root when it is in
// another mount namespace; and the host's root as this process reaches it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostRoot, locateRuntimes, runtimeProcesses } from '../../src/runtime/index.ts';

const proc = mkdtempSync(join(tmpdir(), 'tenet-proc-'));
after(() => rmSync(proc, { recursive: true, force: true }));

const UNIX_HEADER = 'Num       RefCount Protocol Flags    Type St Inode Path';
const unixRow = (inode: number, listening: boolean, path = '') => `0000000000000000: 00000002 00000000 ${listening ? '00010000' : '00000000'} 0001 ${listening ? '01' : '03'} ${inode} ${path}`.trimEnd();

function processDir(pid: number | 'self', facts: { comm?: string; mnt?: string; fds?: string[]; unix?: string[] }, base = proc): void {
  const dir = join(base, String(pid));
  mkdirSync(join(dir, 'ns'), { recursive: true });
  mkdirSync(join(dir, 'fd'));
  mkdirSync(join(dir, 'net'));
  if (facts.comm !== undefined) writeFileSync(join(dir, 'comm'), `${facts.comm}\n`);
  if (facts.mnt !== undefined) symlinkSync(facts.mnt, join(dir, 'ns/mnt'));
  (facts.fds ?? []).forEach((target, fd) => symlinkSync(target, join(dir, 'fd', String(fd + 3))));
  writeFileSync(join(dir, 'net/unix'), [UNIX_HEADER, ...(facts.unix ?? [])].join('\n') + '\n');
}

test('runtime daemons are found by name, with only the sockets they listen on, through their root when in another mount namespace', () => {
  processDir('self', { mnt: 'mnt:[4026531841]' });
  processDir(1, { comm: 'systemd', mnt: 'mnt:[4026531841]' });
  // a containerd in this mount namespace: its listening socket, not the one it is connected by, not another process's
  processDir(120, {
    comm: 'containerd', mnt: 'mnt:[4026531841]', fds: ['socket:[5001]', 'socket:[5002]', '/dev/null', 'pipe:[77]'],
    unix: [unixRow(5001, true, '/run/k3s/containerd/containerd.sock'), unixRow(5002, false), unixRow(6000, true, '/run/other.sock'), unixRow(5003, true, '@abstract')],
  });
  // CRI-O and dockerd in another mount namespace: reached through their roots
  processDir(300, { comm: 'crio', mnt: 'mnt:[4026532000]', fds: ['socket:[7001]'], unix: [unixRow(7001, true, '/var/run/crio/crio.sock')] });
  processDir(400, { comm: 'dockerd', mnt: 'mnt:[4026532000]', fds: ['socket:[8001]', 'socket:[8002]'], unix: [unixRow(8002, true, '/var/run/docker/metrics.sock'), unixRow(8001, true, '/var/run/docker.sock')] });
  // not a runtime; a runtime listening on nothing; a process gone while read
  processDir(500, { comm: 'bash', mnt: 'mnt:[4026531841]', fds: ['socket:[9001]'], unix: [unixRow(9001, true, '/run/bash.sock')] });
  processDir(600, { comm: 'containerd', mnt: 'mnt:[4026531841]' });
  mkdirSync(join(proc, '700'));
  writeFileSync(join(proc, '700/comm'), 'crio\n');

  assert.deepEqual(runtimeProcesses(proc), [
    { pid: 120, name: 'containerd', kind: 'cri', sockets: ['/run/k3s/containerd/containerd.sock'], root: '' },
    { pid: 300, name: 'crio', kind: 'cri', sockets: [`${proc}/300/root/var/run/crio/crio.sock`], root: `${proc}/300/root` },
    { pid: 400, name: 'dockerd', kind: 'docker', sockets: [`${proc}/400/root/var/run/docker.sock`, `${proc}/400/root/var/run/docker/metrics.sock`], root: `${proc}/400/root` },
  ]);
});

test("the host's root: / in the host's mount namespace, /proc/1/root in another, / when PID 1 cannot be read", () => {
  const at = (self: string | undefined, init: string | undefined) => {
    const dir = mkdtempSync(join(proc, 'root-'));
    if (self !== undefined) processDir('self', { mnt: self }, dir);
    if (init !== undefined) processDir(1, { mnt: init }, dir);
    return hostRoot(dir).replace(dir, 'PROC');
  };
  assert.deepEqual([at('mnt:[1]', 'mnt:[1]'), at('mnt:[2]', 'mnt:[1]'), at('mnt:[2]', undefined)], ['', 'PROC/1/root', '']);
});

test('a runtime named on the command line is the host\'s path: reached under the host\'s root when not here, its files through its daemon\'s root', async () => {
  const dir = mkdtempSync(join(proc, 'named-'));
  const host = join(dir, 'host');
  mkdirSync(join(host, 'run/containerd'), { recursive: true });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(host, 'run/containerd/containerd.sock'), resolve));
  try {
    const fake = join(dir, 'proc');
    processDir('self', { mnt: 'mnt:[2]' }, fake);
    processDir(1, { comm: 'systemd', mnt: 'mnt:[1]' }, fake);
    symlinkSync(host, join(fake, '1/root'));
    const at = (specs: Parameters<typeof locateRuntimes>[0]) => JSON.parse(JSON.stringify(locateRuntimes(specs, fake)).replaceAll(fake, 'PROC')) as unknown;
    // no daemon found: the socket under the host's root, the files unsaid (the host's)
    assert.deepEqual(at([{ kind: 'cri', socket: '/run/containerd/containerd.sock' }, { kind: 'cri', socket: '/run/none.sock' }]), [
      { kind: 'cri', socket: 'PROC/1/root/run/containerd/containerd.sock' },
      { kind: 'cri', socket: '/run/none.sock' },
    ]);
    // its daemon found by its process: its root for its files
    processDir(77, { comm: 'containerd', mnt: 'mnt:[1]', fds: ['socket:[4242]'], unix: [unixRow(4242, true, '/run/containerd/containerd.sock')] }, fake);
    symlinkSync(host, join(fake, '77/root'));
    assert.deepEqual(at([{ kind: 'cri', socket: '/run/containerd/containerd.sock' }]), [
      { kind: 'cri', socket: 'PROC/1/root/run/containerd/containerd.sock', root: 'PROC/77/root' },
    ]);
  } finally {
    server.close();
  }
});
