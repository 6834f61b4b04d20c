import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, at, mainArgv } from './helpers.ts';

test('ENTRYPOINT and CMD combine as Docker does, exec form and shell form', () => {
  const cases: Array<[string[], string[] | undefined]> = [
    [['CMD ["a", "b"]'], ['a', 'b']],
    [['CMD echo $HOME'], ['/bin/sh', '-c', 'echo $HOME']],
    [['ENTRYPOINT ["a"]', 'CMD ["b"]'], ['a', 'b']],
    [['ENTRYPOINT ["/app"]', 'CMD --port 80'], ['/app', '/bin/sh', '-c', '--port 80']],
    [['ENTRYPOINT /app --x', 'CMD ["ignored"]'], ['/bin/sh', '-c', '/app --x']],
    [['CMD [broken'], ['/bin/sh', '-c', '[broken']],
    [['CMD ["a", 1]'], ['/bin/sh', '-c', '["a", 1]']],
    [['ENTRYPOINT []', 'CMD ["a"]'], ['a']],
    [['CMD []'], undefined],
    [['RUN make'], undefined],
    // Docker keeps a CMD set in the same stage when ENTRYPOINT comes after it.
    [['CMD ["x"]', 'ENTRYPOINT ["y"]'], ['y', 'x']],
    [['ENTRYPOINT ["y"]', 'CMD ["x"]', 'ENTRYPOINT ["z"]'], ['z', 'x']],
  ];
  for (const [lines, argv] of cases) {
    assert.deepEqual(mainArgv(analyze(['FROM alpine', ...lines])), argv, lines.join(' / '));
  }
});

test('a shell-form CMD becomes the shell and the programs its script runs (not its builtins)', () => {
  const result = analyze(['FROM nginx', 'USER 101', "CMD nginx -g 'daemon off;' && echo done && cat /etc/motd"]);
  const source = at(3, "CMD nginx -g 'daemon off;' && echo done && cat /etc/motd");
  assert.deepEqual(result.model.processes, [
    { path: '/bin/sh', argv: ['/bin/sh', '-c', "nginx -g 'daemon off;' && echo done && cat /etc/motd"], role: 'main', user: '101', sources: [source] },
    { path: 'nginx', role: 'main', user: '101', sources: [source] },
    { path: 'cat', role: 'main', user: '101', sources: [source] },
  ]);
  assert.deepEqual(result.config.cmd, { form: 'shell', script: "nginx -g 'daemon off;' && echo done && cat /etc/motd", sources: [source] });
});

test('SHELL changes the shell of later shell-form commands, not of earlier ones', () => {
  const after = analyze(['FROM debian', 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'CMD echo hi | cat']);
  assert.deepEqual(mainArgv(after), ['/bin/bash', '-o', 'pipefail', '-c', 'echo hi | cat']);
  assert.deepEqual(after.config.shell, ['/bin/bash', '-o', 'pipefail', '-c']);
  assert.equal(after.config.cmd?.form, 'shell');

  // Docker bakes the shell into CMD when it is declared, so the config shows it in exec form.
  const before = analyze(['FROM debian', 'CMD echo hi', 'SHELL ["/bin/bash", "-c"]']);
  assert.deepEqual(before.config.cmd, { form: 'exec', argv: ['/bin/sh', '-c', 'echo hi'], sources: [at(2, 'CMD echo hi')] });
  assert.deepEqual(mainArgv(before), ['/bin/sh', '-c', 'echo hi']);

  const windows = analyze(['FROM mcr.microsoft.com/windows/servercore:ltsc2022', 'SHELL ["powershell", "-Command"]', 'ENTRYPOINT Start-Service w3svc']);
  assert.deepEqual(mainArgv(windows), ['powershell', '-Command', 'Start-Service w3svc']);
});

test('HEALTHCHECK CMD is a healthcheck process; HEALTHCHECK NONE turns an inherited one off', () => {
  const result = analyze([
    'FROM alpine AS base',
    'HEALTHCHECK --interval=30s --timeout=3s CMD ["wget", "-qO-", "http://localhost/"]',
    'USER app',
    'CMD ["httpd"]',
  ]);
  const source = at(2, 'HEALTHCHECK --interval=30s --timeout=3s CMD ["wget", "-qO-", "http://localhost/"]');
  assert.deepEqual(result.model.processes, [
    { path: 'httpd', argv: ['httpd'], role: 'main', user: 'app', sources: [at(4, 'CMD ["httpd"]')] },
    { path: 'wget', argv: ['wget', '-qO-', 'http://localhost/'], role: 'healthcheck', user: 'app', sources: [source] },
  ]);
  assert.deepEqual(result.config.healthcheck, { form: 'exec', argv: ['wget', '-qO-', 'http://localhost/'], sources: [source] });

  const off = analyze(['FROM alpine AS base', 'HEALTHCHECK CMD true', 'FROM base', 'HEALTHCHECK NONE', 'CMD ["httpd"]']);
  assert.equal(off.config.healthcheck, 'NONE');
  assert.deepEqual(off.model.processes.map((p) => p.role), ['main']);

  const shell = analyze(['FROM alpine', 'HEALTHCHECK CMD-SHELL-NOT ok', 'HEALTHCHECK CMD', 'HEALTHCHECK NONE now', 'HEALTHCHECK --retries=3']);
  assert.deepEqual(shell.findings.filter((f) => f.code === 'TN009').map((f) => f.location.line), [2, 3, 4, 5]);
  assert.equal(shell.config.healthcheck, undefined);
});

test('USER with uid:gid, and the user carried to every process', () => {
  const result = analyze(['FROM alpine', 'USER 1000:1000', 'ENTRYPOINT ["/bin/app"]', 'HEALTHCHECK CMD /bin/app --ping']);
  assert.deepEqual(result.model.security.user, { value: '1000:1000', sources: [at(2, 'USER 1000:1000')] });
  assert.deepEqual(result.model.processes.map((p) => [p.path, p.role, p.user]), [
    ['/bin/app', 'main', '1000:1000'],
    ['/bin/sh', 'healthcheck', '1000:1000'],
    ['/bin/app', 'healthcheck', '1000:1000'],
  ]);
});
