import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { diskTree } from '../../../src/cli/source-tree.ts';
import { analyze } from '../../../src/intent/index.ts';
import { appEntries, codeIntent } from '../../../src/intent/node/index.ts';
import { nodeApisOf, nodeApisOfBinding, nodeSyscallMap } from '../../../src/knowledge/index.ts';
import { IntentModel } from '../../../src/model/index.ts';
import { memoryTree } from './memory-tree.ts';

const map = nodeSyscallMap('24', 'x64')!;
const codes = (findings: ReadonlyArray<{ code: string; location: { file: string; line: number } }>) => findings.map((f) => `${f.code} ${f.location.file}:${f.location.line}`);

test('core-module members name the probes of the syscall map; what is unknown widens', () => {
  assert.deepEqual(nodeApisOf('fs', 'readFileSync'), ['fs.readFile']);
  assert.deepEqual(nodeApisOf('fs', 'existsSync'), ['fs.access']);
  assert.deepEqual(nodeApisOf('child_process', 'execFileSync'), ['child_process.spawnSync', 'child_process.programs'], 'and what the program it starts needs');
  assert.deepEqual(nodeApisOf('path', 'join'), [], 'a pure module');
  assert.deepEqual(nodeApisOf('process', 'env'), [], 'process.env is Node\'s own');
  assert.deepEqual(nodeApisOf('net', 'isIP'), []);
  assert.ok(nodeApisOf('fs', '*')!.includes('fs.watch'), 'an escaping fs is every fs probe');
  assert.ok(nodeApisOf('fs', 'someFutureMember')!.includes('fs.watch'), 'an unknown member is every probe of its module');
  assert.equal(nodeApisOf('wasi', 'WASI'), undefined, 'an unknown module is bounded by nothing');
  assert.ok(nodeApisOfBinding('spawn_sync')!.includes('child_process.spawnSync'));
  assert.deepEqual(nodeApisOfBinding('buffer'), []);
  assert.equal(nodeApisOfBinding('something_new'), undefined);
  // names every object has are no members of the map (`let proto = process; proto.constructor`)
  assert.deepEqual(nodeApisOf('process', 'constructor'), []);
  assert.ok(nodeApisOf('fs', 'toString')!.includes('fs.watch'), 'an unknown member of fs');
  assert.equal(nodeApisOf('constructor', 'x'), undefined);
  assert.deepEqual(nodeApisOf('fs', '___graceful-fs.queue'), [], 'a library\'s own mark on the module');
  assert.equal(nodeApisOfBinding('constructor'), undefined);
  for (const apis of ['fs', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'child_process', 'cluster', 'worker_threads', 'crypto', 'zlib', 'os', 'process', 'readline', 'v8', 'inspector', 'globals']) {
    for (const api of nodeApisOf(apis, '*')!) assert.ok(Object.hasOwn(map.apis, api), `${api} (from ${apis}) is a probe of the map`);
  }
});

test('entries: the Dockerfile command first, then package.json bin, main, exports and start script; index.js when nothing is named', () => {
  const app = memoryTree({
    '/app/package.json': JSON.stringify({ name: 'shop', main: 'lib/index.js', bin: { shop: './bin/shop' }, scripts: { start: 'node --enable-source-maps dist/server.js && echo done' } }, null, 2),
    '/app/lib/index.js': '',
    '/app/bin/shop': '#!/usr/bin/env node\n',
    '/app/dist/server.js': '',
    '/app/worker.js': '',
  });
  const entries = appEntries(app, '/app', { argv: ['node', '/srv/app/worker.js'], workdir: '/srv/app', source: { kind: 'declared', file: '/app/Dockerfile', line: 9 } });
  assert.deepEqual(entries.map((e) => `${e.path} ${e.source.path ?? e.source.file}:${e.source.line}`), [
    '/app/worker.js /app/Dockerfile:9',
    '/app/bin/shop bin.shop:5',
    '/app/lib/index.js main:3',
    '/app/dist/server.js scripts.start:8',
  ]);
  assert.deepEqual(appEntries(memoryTree({ '/b/index.js': '' }), '/b').map((e) => e.path), ['/b/index.js']);
  const noExtension = memoryTree({ '/d/package.json': '{"scripts": {"start": "node node_modules/tool/bin/tool --port 80"}}', '/d/node_modules/tool/bin/tool': '#!/usr/bin/env node\n' });
  assert.deepEqual(appEntries(noExtension, '/d').map((e) => e.path), ['/d/node_modules/tool/bin/tool'], 'a start script whose script has no .js');
  assert.deepEqual(appEntries(memoryTree({ '/c/package.json': '{"main": "gone.js"}', '/c/readme.md': '' }), '/c'), []);
});

const shop = memoryTree({
  '/app/package.json': '{"name": "shop", "main": "server.js"}',
  '/app/server.js': [
    "const http = require('node:http');",
    "const { spawn } = require('child_process');",
    "const fs = require('fs');",
    "const cache = require('./cache');",
    'const server = http.createServer((req, res) => res.end());',
    'server.listen(process.env.PORT || 8080);',
    "spawn('convert', ['in.png', 'out.jpg']);",
    "fs.appendFileSync('/var/log/shop.log', 'started');",
    "fs.readFileSync('/etc/shop.conf');",
    "fetch('https://payments.example.com/v1/charge');",
    "require('https').get({ hostname: 'cdn.example.com', path: '/logo.png' });",
  ].join('\n'),
  '/app/cache.js': "const net = require('net');\nconst server = require('./server');\nmodule.exports = net.connect({ port: 6379, host: 'redis' });",
});

test('code intent: syscalls with file:line sources, and the ports, peers, programs and paths literal arguments give', () => {
  const { model, report, findings } = codeIntent(shop, '/app', { map });
  IntentModel.parse(model);
  assert.deepEqual(findings, []);
  assert.equal(model.id, 'app:shop');
  assert.deepEqual(report.entries.map((e) => e.path), ['/app/server.js']);
  assert.equal(report.files, 2, 'the circular require is followed once');
  assert.deepEqual(model.network.listen.map((l) => `${l.port} ${l.sources[0]!.file}:${l.sources[0]!.line}`), ['8080 server.js:6']);
  assert.deepEqual(model.network.egress.map((e) => `${e.host}:${e.port} ${e.sources[0]!.file}:${e.sources[0]!.line}`), ['payments.example.com:443 server.js:10', 'cdn.example.com:443 server.js:11', 'redis:6379 cache.js:3']);
  assert.deepEqual(model.network.dns.map((d) => d.name), ['payments.example.com', 'cdn.example.com', 'redis']);
  assert.deepEqual(model.processes.map((p) => `${p.role} ${p.path}`), ['helper convert', 'main node']);
  assert.deepEqual(model.filesystem.writable.map((w) => w.path), ['/var/log/shop.log']);
  assert.deepEqual(report.reads.map((r) => r.path), ['/etc/shop.conf']);
  assert.equal(report.spawns, true);
  for (const s of [...map.baseline, 'clone', 'wait4', 'listen', 'accept4', 'connect']) assert.ok(model.syscalls.allow.includes(s), s);
  assert.ok(!model.syscalls.allow.includes('inotify_init1'), 'nothing watches files');
  const spawnSource = model.syscalls.sources.find((s) => /^child_process\.(spawn|programs):/.test(s.detail ?? ''));
  assert.deepEqual([spawnSource?.kind, spawnSource?.file, spawnSource?.line], ['code', 'server.js', 7]);
  assert.equal(model.syscalls.sources[0]!.kind, 'knowledge', 'the baseline is Node\'s own');
});

test('an app that starts no process has no process-creation syscall, and says so', () => {
  const app = memoryTree({ '/a/index.js': "require('http').createServer().listen(3000);" });
  const { model, report } = codeIntent(app, '/a', { map });
  assert.equal(report.spawns, false);
  assert.ok(!model.syscalls.allow.includes('clone') && !model.syscalls.allow.includes('wait4'));
  assert.ok(model.syscalls.allow.includes('clone3'), 'threads');
});

test('bad input: syntax errors, a missing dependency, computed and native modules, no entry — findings, and the profile errs on allowing', () => {
  const app = memoryTree({
    '/app/package.json': '{"main": "index.js"}',
    '/app/index.js': "require('./broken');\nrequire('left-pad');\nregister(require(process.env.PLUGIN));\nrequire('./build/addon.node');",
    '/app/broken.js': "const fs = require('fs');\nfs.watch('/etc');\nfunction (\n",
    '/app/build/addon.node': '\u007fELF',
  });
  const { model, report, findings } = codeIntent(app, '/app', { map });
  assert.deepEqual(codes(findings).sort(), ['TN019 broken.js:3', 'TN020 index.js:3', 'TN021 index.js:2', 'TN022 index.js:4']);
  assert.ok(model.syscalls.allow.includes('inotify_add_watch'), 'what parsed before the error is used');
  assert.deepEqual(report.widened.map((w) => w.reason).sort(), ['computed-module', 'native-addon']);
  assert.ok(model.syscalls.allow.includes('clone'), 'native code may start processes: widened to everything mapped');
  assert.ok(['open', 'stat', 'poll', 'pipe'].every((s) => model.syscalls.allow.includes(s)), 'native code may make the older calls glibc would not');
  assert.ok(report.widened.find((w) => w.reason === 'native-addon')!.adds.includes('open'));
  assert.ok(!report.widened.find((w) => w.reason === 'computed-module')!.adds.includes('open'), 'a module named at run time is JavaScript');

  const computedOnly = codeIntent(memoryTree({ '/b/index.js': 'require(name);' }), '/b', { map });
  assert.equal(computedOnly.report.spawns, false, 'a module named at run time widens to every API but process creation');
  assert.ok(computedOnly.model.syscalls.allow.includes('inotify_add_watch'));

  const none = codeIntent(memoryTree({ '/c/package.json': '{"main": "missing.js"}' }), '/c', { map });
  assert.deepEqual(codes(none.findings), ['TN018 /c/package.json:1']);
});

test('a module named at run time is bounded by what it can load: the files under its path, the installed packages (read too), and only the core modules with the members used', () => {
  const app = memoryTree({
    '/d/index.js': "const engine = require(name).__express;\nrequire(`./locale/${lang}.js`);\nrequire(tool).spawnSync('git');",
    '/d/locale/en.js': "require('os').hostname();",
    '/d/locale/fr/index.js': "require('fs').watch('.');",
    '/d/locale/README.md': 'not code',
    '/d/node_modules/pug/package.json': '{"main": "lib/index.js"}',
    '/d/node_modules/pug/lib/index.js': "exports.__express = () => require('fs').readFileSync('view.pug');",
    '/d/node_modules/@scope/x/index.js': "require('zlib').gzipSync('x');",
  });
  const { model, report, findings } = codeIntent(app, '/d', { map });
  assert.deepEqual(report.widened, [], 'nothing unknown');
  const apis = report.apis.map((a) => `${a.api} ${a.file}`);
  for (const expected of ['os.hostname locale/en.js', 'fs.watch locale/fr/index.js', 'fs.readFile node_modules/pug/lib/index.js', 'zlib.gzip node_modules/@scope/x/index.js', 'child_process.spawnSync index.js']) {
    assert.ok(apis.includes(expected), `${expected} in ${apis.join(', ')}`);
  }
  assert.ok(!apis.some((a) => a.startsWith('net.') || a.startsWith('http')), 'no core module but the one with spawnSync');
  assert.ok(model.syscalls.allow.includes('inotify_add_watch') && model.syscalls.allow.includes('wait4'));
  const messages = findings.filter((f) => f.code === 'TN020').map((f) => f.message);
  assert.match(messages[0]!, /may load 2 files of the installed packages.*only its \.__express is used, which no core module has/);
  assert.match(messages[1]!, /may load 2 files of \.\/locale\/…, read as the app's code; no core module/);
  assert.match(messages[2]!, /child_process\.spawnSync if it is a core module/);
});

test('a platform\'s prebuilt binding a package loads by a name made at run time is a native addon, and widens', () => {
  const app = memoryTree({
    '/f/index.js': "const { platform, arch } = process;\nmodule.exports = require(`@x/binding-${platform}-${arch}`);",
    '/f/node_modules/@x/binding-linux-x64/package.json': '{"main": "binding.node"}',
    '/f/node_modules/@x/binding-linux-x64/binding.node': '\u007fELF',
  });
  const { model, report, findings } = codeIntent(app, '/f', { map });
  // a name starting with `@x/binding-` is never a core module: only the addon it finds widens
  assert.deepEqual(report.widened.map((w) => `${w.reason} ${w.file}:${w.line}`).sort(), ['native-addon index.js:2']);
  assert.match(findings.find((f) => f.code === 'TN020')!.message, /it starts with '@x\/binding-', as no core module does: never a core module/);
  assert.ok(model.syscalls.allow.includes('open'));
  assert.deepEqual(codes(findings).sort(), ['TN020 index.js:2', 'TN022 index.js:2']);
});

test('a module that hands on a core module as its exports (graceful-fs) is that module where it is loaded, by the members each importer uses', () => {
  const app = memoryTree({
    '/g/index.mjs': "import gfs from 'graceful-fs';\nimport * as other from './other.cjs';\ngfs.readFile('x', () => {});\nother.go();",
    '/g/other.cjs': "const fs = require('graceful-fs');\nexports.go = () => fs.statSync('.');\nconst { watch } = require('graceful-fs');\nwatch('.');",
    '/g/node_modules/graceful-fs/package.json': '{"main": "graceful-fs.js"}',
    '/g/node_modules/graceful-fs/graceful-fs.js': "var fs = require('fs');\nmodule.exports = patch(clone(fs));\nfunction patch(fs) { fs.close(1, () => {}); return fs; }\nfunction clone(o) { return Object.assign({}, o); }",
  });
  const { report } = codeIntent(app, '/g', { map });
  const apis = report.apis.map((a) => `${a.api} ${a.file}:${a.line}`);
  assert.deepEqual(apis.filter((a) => a.startsWith('fs.')).sort(), ['fs.open node_modules/graceful-fs/graceful-fs.js:3', 'fs.readFile index.mjs:1', 'fs.stat other.cjs:1', 'fs.watch other.cjs:3']);
});

test('everything the app runs is read: worker files, forked modules and Node.js scripts it spawns, from its folder or the file\'s', () => {
  const app = memoryTree({
    '/e/package.json': '{"main": "src/index.mjs"}',
    '/e/src/index.mjs': [
      "import { Worker } from 'node:worker_threads';",
      "import { fork, spawn, exec } from 'node:child_process';",
      "import path from 'node:path';",
      "new Worker(new URL('./hash-worker.js', import.meta.url));",
      "fork('./jobs/child.js');",
      "spawn(process.execPath, ['--max-old-space-size=64', path.join(import.meta.dirname, 'helper.cjs')]);",
      "exec('node scripts/migrate.js --up');",
      "new Worker('./gone.js');",
    ].join('\n'),
    '/e/src/hash-worker.js': "require('crypto').scryptSync('p', 's', 16);",
    '/e/jobs/child.js': "require('fs').watch('.');",
    '/e/src/helper.cjs': "require('zlib').gzipSync('x');",
    '/e/scripts/migrate.js': "require('net').connect(5432, 'db');",
  });
  const { model, report, findings } = codeIntent(app, '/e', { map });
  const apis = report.apis.map((a) => `${a.api} ${a.file}`);
  for (const expected of ['crypto.scrypt src/hash-worker.js', 'fs.watch jobs/child.js', 'zlib.gzip src/helper.cjs', 'net.connect scripts/migrate.js']) {
    assert.ok(apis.includes(expected), `${expected} in ${apis.join(', ')}`);
  }
  assert.equal(report.files, 5);
  // Node.js started again is no other program; a command through the shell is
  assert.deepEqual(report.apis.filter((a) => a.api === 'child_process.programs').map((a) => a.line), [7]);
  assert.ok(model.network.egress.some((e) => e.host === 'db' && e.port === 5432), 'a peer of a spawned script');
  assert.deepEqual(codes(findings), ['TN021 src/index.mjs:8']);
  assert.match(findings[0]!.message, /gone\.js \(run by worker_threads\.Worker\)/);
});

const tmp = mkdtempSync(join(tmpdir(), 'tenet-code-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('on disk: a symbolic-link loop in node_modules and a package that links to itself end nothing', () => {
  const dir = join(tmp, 'loop');
  mkdirSync(join(dir, 'node_modules', 'a'), { recursive: true });
  writeFileSync(join(dir, 'index.js'), "require('a'); require('b'); require('c');");
  writeFileSync(join(dir, 'node_modules', 'a', 'index.js'), "require('a'); require('fs').statSync('.');");
  symlinkSync('.', join(dir, 'node_modules', 'a', 'node_modules'));
  symlinkSync('b', join(dir, 'node_modules', 'b'));
  symlinkSync('../node_modules', join(dir, 'node_modules', 'c'));
  const { report, findings } = codeIntent(diskTree(), dir, { map });
  assert.deepEqual(report.apis.map((a) => a.api), ['fs.stat']);
  assert.deepEqual(findings.map((f) => f.code), ['TN021', 'TN021']);
});

test('on disk: a native addon is bounded by the functions it imports; one Tenet cannot read widens to every mapped API', () => {
  const dir = join(tmp, 'addon');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), "require('./css.node'); require('./broken.node');");
  // a real prebuilt addon from npm (Rust, napi-rs): reads files and makes threads, opens no socket and starts no program
  symlinkSync(createRequire(import.meta.url).resolve('lightningcss-linux-x64-gnu/lightningcss.linux-x64-gnu.node'), join(dir, 'css.node'));
  const bounded = codeIntent(diskTree(), dir, { map });
  assert.match(bounded.findings.find((f) => f.code === 'TN022')!.message, /^Native addon css\.node: bounded by the functions it imports from the C library: .*open/);
  for (const name of ['open', 'futex', 'sched_yield']) assert.ok(bounded.model.syscalls.allow.includes(name), name);
  for (const name of ['connect', 'listen', 'vfork', 'wait4', 'creat']) assert.ok(!bounded.model.syscalls.allow.includes(name), `not ${name}`);
  assert.ok(bounded.report.widened[0]!.adds.includes('open'));
  // bad input: a file named .node that is no shared object is code Tenet cannot read
  writeFileSync(join(dir, 'broken.node'), 'not an ELF');
  const both = codeIntent(diskTree(), dir, { map });
  assert.match(both.findings.filter((f) => f.code === 'TN022')[1]!.message, /broken\.node: its syscalls are unknown \(it is not a 64-bit ELF shared object Tenet can read\); widened to every mapped API/);
  for (const name of ['connect', 'listen', 'vfork', 'creat']) assert.ok(both.model.syscalls.allow.includes(name), name);
});

test('an app folder with a Dockerfile: the code intent joins the Dockerfile\'s model, entered through its command', () => {
  const app = memoryTree({
    'shop/package.json': '{"name": "shop"}',
    'shop/src/main.js': "require('net').createServer().listen(7000);",
  });
  const dockerfile = 'FROM node:24-slim\nWORKDIR /srv\nCOPY . .\nCMD ["node", "src/main.js"]\n';
  const analysis = analyze([{ path: 'shop/Dockerfile', content: Buffer.from(dockerfile) }], { apps: [{ dir: 'shop', tree: app }] });
  assert.equal(analysis.models.length, 1);
  const [model] = analysis.models;
  assert.deepEqual(model!.network.listen.map((l) => `${l.port} ${l.sources[0]!.kind}`), ['7000 code']);
  assert.ok(model!.syscalls.allow.includes('listen'));
  assert.deepEqual(analysis.apps?.map((a) => [a.model, a.node.split('.')[0], a.entries[0]!.path, a.entries[0]!.source.line]), [[model!.id, '24', 'shop/src/main.js', 4]]);
  const old = analyze([{ path: 'shop/Dockerfile', content: Buffer.from(dockerfile.replace('node:24', 'node:12')) }], { apps: [{ dir: 'shop', tree: app }] });
  assert.deepEqual(codes(old.findings.filter((f) => f.code === 'TN023')), ['TN023 shop/package.json:1']);
});
