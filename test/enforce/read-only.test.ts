import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownMounts, parseMountInfo, readOnlyPlan, readOnlyScript, refusedBy, type RootView } from '../../src/enforce/index.ts';

// the mount table of a Docker container of nginx, as the kernel writes it
const MOUNTINFO = `74 52 0:39 / / rw,relatime master:2 - overlay overlay rw,lowerdir=/l/A:/l/B,upperdir=/d/diff,workdir=/d/work
75 74 0:41 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
76 74 0:42 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
81 74 0:43 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
83 74 254:0 /var/lib/docker/containers/7bff/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw
84 74 254:0 /var/lib/docker/containers/7bff/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw
85 74 254:0 /srv/my\\040data /data rw,relatime - ext4 /dev/vda rw
`;

const FILES = new Set([
  '/etc', '/usr', '/var', '/var/log', '/var/log/nginx', '/var/cache', '/var/cache/nginx',
  '/var/lib', '/run', '/tmp', '/run/nginx.pid', '/home', '/data',
]);

function view(mountinfo = MOUNTINFO): RootView {
  return {
    dirs: ['etc', 'usr', 'var', 'run', 'tmp', 'home', 'proc', 'dev', 'sys', 'data'],
    mounts: parseMountInfo(mountinfo),
    find: (path) => {
      const real = path.replace(/^\/var\/run(?=\/|$)/, '/run');
      return FILES.has(real) ? real : undefined;
    },
  };
}

test('mountinfo: devices, roots and mount points, with octal escapes undone', () => {
  const mounts = parseMountInfo(MOUNTINFO);
  assert.equal(mounts.length, 7);
  assert.deepEqual(mounts[0], { device: '0:39', root: '/', mountPoint: '/' });
  assert.deepEqual(mounts[6], { device: '254:0', root: '/srv/my data', mountPoint: '/data' });
});

test('every folder of the image is protected except those the model writes to, with holes for the paths inside', () => {
  const plan = readOnlyPlan(['/var/log/nginx/*', '/var/cache/nginx/*', '/var/run/nginx.pid', '/tmp/*', '/var/lib/app/cache.db'], view());
  assert.deepEqual(plan.protect, ['/etc', '/home', '/run', '/usr', '/var']);
  // a file that exists is its own hole (links followed); a path not made yet leaves its nearest existing folder writable
  assert.deepEqual(plan.holes, ['/run/nginx.pid', '/var/cache/nginx', '/var/lib', '/var/log/nginx']);
  assert.deepEqual(plan.mounted, ['/etc/hosts', '/etc/resolv.conf']);
  assert.deepEqual(plan.open, [
    { path: '/data', reason: 'a mount of its own' },
    { path: '/dev', reason: 'a mount of its own' },
    { path: '/proc', reason: 'a mount of its own' },
    { path: '/sys', reason: 'a mount of its own' },
    { path: '/tmp', reason: 'the model writes to it (/tmp/*)' },
  ]);
  assert.equal(refusedBy(plan, '/etc/passwd'), '/etc');
  assert.equal(refusedBy(plan, '/var/www/index.html'), '/var');
  assert.equal(refusedBy(plan, '/var/log/nginx/access.log'), undefined);
  assert.equal(refusedBy(plan, '/var/log/nginx-other'), '/var', 'a hole is a folder, not a prefix');
  assert.equal(refusedBy(plan, '/etc/resolv.conf'), undefined, 'the runtime\'s mounts keep their flags');
  assert.equal(refusedBy(plan, '/tmp/x'), undefined);
  assert.equal(refusedBy(plan, '/x'), undefined, 'files directly in / are not covered');
  assert.equal(refusedBy(plan, 'relative/path'), undefined);
});

test('a model that writes anywhere protects nothing; one that writes nothing protects every folder', () => {
  assert.deepEqual(readOnlyPlan(['*'], view()).protect, []);
  assert.deepEqual(readOnlyPlan(['/*'], view()).protect, []);
  const none = readOnlyPlan([], view());
  assert.deepEqual(none.protect, ['/etc', '/home', '/run', '/tmp', '/usr', '/var']);
  assert.deepEqual(none.holes, []);
  // nested holes: the outer one is enough
  assert.deepEqual(readOnlyPlan(['/var/log/*', '/var/log/nginx/*'], view()).holes, ['/var/log']);
});

test('the script takes the previous mounts away (found again from the mount table) and puts the plan\'s in place', () => {
  const plan = readOnlyPlan(['/var/log/nginx/*'], { ...view(), dirs: ['etc', 'var'] });
  assert.equal(readOnlyScript('/proc/42/root', parseMountInfo(MOUNTINFO), plan), `set -e
mount --no-canonicalize --rbind '/proc/42/root/etc' '/proc/42/root/etc'
mount --no-canonicalize -o remount,bind,ro '/proc/42/root/etc'
mount --no-canonicalize --rbind '/proc/42/root/var' '/proc/42/root/var'
mount --no-canonicalize -o remount,bind,ro '/proc/42/root/var'
mount --no-canonicalize --rbind '/proc/42/root/var/log/nginx' '/proc/42/root/var/log/nginx'
mount --no-canonicalize -o remount,bind,rw '/proc/42/root/var/log/nginx'
`);
  const held = `${MOUNTINFO}90 74 0:39 /etc /etc ro,relatime master:2 - overlay overlay rw
91 74 0:39 /var /var ro,relatime master:2 - overlay overlay rw
92 91 0:39 /var/log/nginx /var/log/nginx rw,relatime master:2 - overlay overlay rw
93 90 254:0 /var/lib/docker/containers/7bff/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw
`;
  assert.deepEqual(ownMounts(parseMountInfo(held)).map((m) => m.mountPoint), ['/etc', '/var', '/var/log/nginx']);
  // held mounts are not mount points of their own to the next plan
  assert.deepEqual(readOnlyPlan([], { ...view(held), dirs: ['etc', 'var'] }).protect, ['/etc', '/var']);
  assert.equal(readOnlyScript('/proc/42/root', parseMountInfo(held), undefined), `set -e
umount --no-canonicalize -l '/proc/42/root/etc'
umount --no-canonicalize -l '/proc/42/root/var'
`);
  assert.match(readOnlyScript("/proc/4'2/root", [], plan), /'\/proc\/4'\\''2\/root\/etc'/, 'paths are quoted');
});
