import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apkDatabase, dpkgPackages, parseOsRelease } from '../../../src/intent/image/packages.ts';

test('dpkg status: installed packages only, with versions', () => {
  const status = [
    'Package: nginx-light', 'Status: install ok installed', 'Architecture: amd64', 'Version: 1.22.1-9+deb12u2',
    'Description: small nginx', ' with continuation', '',
    'Package: removed', 'Status: deinstall ok config-files', 'Version: 1', '',
    'Package: libc6', 'Status: install ok installed', 'Version: 2.36-9+deb12u10', '',
  ].join('\n');
  assert.deepEqual(dpkgPackages([status]), [
    { name: 'nginx-light', version: '1.22.1-9+deb12u2', manager: 'dpkg' },
    { name: 'libc6', version: '2.36-9+deb12u10', manager: 'dpkg' },
  ]);
  assert.deepEqual(dpkgPackages(['Package: distroless-base\nVersion: 1\n']), [{ name: 'distroless-base', version: '1', manager: 'dpkg' }]);
});

test('apk installed: packages and the files they own', () => {
  const db = 'C:Q1abc=\nP:busybox\nV:1.36.1-r29\nF:bin\nR:busybox\nF:etc\nR:securetty\n\nP:musl\nV:1.2.5-r0\nF:lib\nR:ld-musl-x86_64.so.1\n';
  assert.deepEqual(apkDatabase(db), {
    packages: [{ name: 'busybox', version: '1.36.1-r29', manager: 'apk' }, { name: 'musl', version: '1.2.5-r0', manager: 'apk' }],
    files: [['/bin/busybox', 'busybox'], ['/etc/securetty', 'busybox'], ['/lib/ld-musl-x86_64.so.1', 'musl']],
  });
});

test('os-release: ID, VERSION_ID and PRETTY_NAME, quoted or not', () => {
  assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'), {
    id: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)',
  });
  assert.deepEqual(parseOsRelease("NAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.20.3\n"), { id: 'alpine', version: '3.20.3', name: 'Alpine Linux' });
  assert.equal(parseOsRelease('garbage\n'), undefined);
});
