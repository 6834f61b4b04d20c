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
