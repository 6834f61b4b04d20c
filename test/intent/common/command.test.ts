import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineEntrypoint, processesOf, programsOfScript, splitWords, type CommandForm } from '../../../src/intent/common/command.ts';
import type { Source } from '../../../src/model/index.ts';

const src = (line: number): Source => ({ kind: 'declared', format: 'dockerfile', file: 'Dockerfile', line });
const exec = (argv: string[], line = 1): CommandForm => ({ form: 'exec', argv, sources: [src(line)] });
const shell = (script: string, line = 1): CommandForm => ({ form: 'shell', script, sources: [src(line)] });

test('ENTRYPOINT and CMD combine as Docker does', () => {
  assert.deepEqual(combineEntrypoint(exec(['nginx']), exec(['-g', 'daemon off;']))?.argv, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(combineEntrypoint(exec(['docker-entrypoint.sh']), shell('redis-server'))?.argv, ['docker-entrypoint.sh', '/bin/sh', '-c', 'redis-server']);
  assert.deepEqual(combineEntrypoint(shell('exec java -jar app.jar'), exec(['--ignored']))?.argv, ['/bin/sh', '-c', 'exec java -jar app.jar']);
  assert.deepEqual(combineEntrypoint(undefined, shell('npm start'), ['/bin/bash', '-c'])?.argv, ['/bin/bash', '-c', 'npm start']);
  assert.deepEqual(combineEntrypoint(exec([]), exec(['python', 'app.py']))?.argv, ['python', 'app.py']);
  assert.equal(combineEntrypoint(undefined, undefined), undefined);
  assert.deepEqual(combineEntrypoint(exec(['tini', '--'], 5), exec(['node'], 9))?.sources.map((s) => s.line), [5, 9]);
});

test('a shell script names the programs it runs, not its keywords and builtins', () => {
  assert.deepEqual(programsOfScript('set -e; FOO=1 exec gunicorn app:app && echo done | tee /tmp/x'), ['gunicorn', 'tee']);
  assert.deepEqual(programsOfScript('curl -f http://localhost/ || exit 1'), ['curl']);
  assert.deepEqual(programsOfScript('for f in /x/*; do cat $f; done; if [ -f /y ]; then nginx; fi'), ['cat', 'nginx']);
  assert.deepEqual(programsOfScript('$CMD --flag'), []);
  assert.deepEqual(programsOfScript('"unterminated'), ['unterminated']);
});

test('processesOf lists the executable and, for sh -c, the programs of the script', () => {
  const sources = [src(3)];
  assert.deepEqual(processesOf(['/bin/sh', '-c', 'nginx -g "daemon off;"'], 'main', sources, '101'), [
    { path: '/bin/sh', argv: ['/bin/sh', '-c', 'nginx -g "daemon off;"'], role: 'main', sources, user: '101' },
    { path: 'nginx', role: 'main', sources, user: '101' },
  ]);
  assert.deepEqual(processesOf(['redis-server', '--port', '6379'], 'main', sources), [
    { path: 'redis-server', argv: ['redis-server', '--port', '6379'], role: 'main', sources },
  ]);
  assert.deepEqual(processesOf([], 'main', sources), []);
});

test('splitWords splits like Compose, quotes kept together', () => {
  assert.deepEqual(splitWords(`redis-server --appendonly yes --save "60 1"`), ['redis-server', '--appendonly', 'yes', '--save', '60 1']);
  assert.deepEqual(splitWords(`sh -c 'echo $HOME'`), ['sh', '-c', 'echo $HOME']);
});

test('a script is read as the shell reads it: each line a command, here-documents\' bodies are data, comments and continued lines', () => {
  const script = [
    'set -e',
    '# apt-get would be a comment here',
    'apt-get update && \\',
    '  apt-get install -y curl',
    'cat <<EOF > /etc/motd',
    'rm -rf / is text, not a command',
    'EOF',
    'cat <<-\'END\' | tee /tmp/x',
    '\tnot-a-command either',
    '\tEND',
    'chroot /rootfs /bin/bash',
    'echo "a # not a comment"; nginx -g "daemon off;" # the server',
  ].join('\n');
  assert.deepEqual(programsOfScript(script), ['apt-get', 'cat', 'tee', 'chroot', '/bin/bash', 'nginx']);
  assert.deepEqual(programsOfScript('cat <<< "here string"\nls'), ['cat', 'ls']);
});

test('wrappers are read through to the command they run, with their options and operands', () => {
  const cases: Array<[string, string[]]> = [
    ['sudo -u app -E node server.js', ['sudo', 'node']],
    ['su -s /bin/sh app -c "python app.py && celery worker"', ['su', 'python', 'celery']],
    ['env -i FOO=1 BAR=2 java -jar app.jar', ['env', 'java']],
    ['timeout -s KILL 5 wget http://x/', ['timeout', 'wget']],
    ['nice -n 10 ionice -c 3 /usr/local/bin/backup.sh', ['nice', 'ionice', '/usr/local/bin/backup.sh']],
    ['nsenter -t 1 -m -u -n -i sh -c "mount -o remount,rw /"', ['nsenter', 'sh', 'mount']],
    ['nsenter --target 1 --mount', ['nsenter', '/bin/sh']],
    ['chroot /host', ['chroot', '/bin/sh']],
    ['find / -name x | xargs -n 1 rm -f', ['find', 'xargs', 'rm']],
    ['ls | xargs', ['ls', 'xargs', 'echo']],
    ['exec gosu app redis-server', ['gosu', 'redis-server']],
    ['exec su-exec app:app node index.js', ['su-exec', 'node']],
    ['tini -- /docker-entrypoint.sh', ['tini', '/docker-entrypoint.sh']],
    ['runuser -u app -- bash -c "exec java -jar x.jar"', ['runuser', 'bash', 'java']],
    ['flock /tmp/lock rsync -a /a /b', ['flock', 'rsync']],
  ];
  for (const [script, programs] of cases) assert.deepEqual(programsOfScript(script), programs, script);
});

test('an exec-form command runs what its wrapper runs too', () => {
  const sources: Source[] = [{ kind: 'declared', file: 'Dockerfile', line: 3 }];
  assert.deepEqual(processesOf(['chroot', '/rootfs', '/bin/bash'], 'main', sources).map((p) => p.path), ['chroot', '/bin/bash']);
  assert.deepEqual(processesOf(['/sbin/tini', '--', 'sh', '-c', 'nginx; exec sleep 1'], 'main', sources).map((p) => p.path), ['/sbin/tini', 'sh', 'nginx', 'sleep']);
  assert.deepEqual(processesOf(['env', 'A=1', 'node', 'server.js'], 'main', sources).map((p) => p.path), ['env', 'node']);
});
