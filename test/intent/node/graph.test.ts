import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { diskTree } from '../../../src/cli/source-tree.ts';
import { appGraph, resolveModule } from '../../../src/intent/node/index.ts';
import { memoryTree as tree } from './memory-tree.ts';

const app = tree({
  '/app/package.json': '{"main": "server.js"}',
  '/app/server.js': "const lib = require('./lib');\nconst cfg = require('./config.json');\nconst express = require('express');\nimport('./lazy.mjs');\nrequire('missing-dep');\nrequire('./native/addon.node');\nrequire('fs').readFileSync('/etc/app.conf');",
  '/app/lib/index.js': "const a = require('./a');\nmodule.exports = a;",
  '/app/lib/a.js': "const lib = require('.');\nconst { spawn } = require('child_process');\nspawn('convert');",
  '/app/lazy.mjs': "import { connect } from 'node:net';\nconnect(6379, 'redis');",
  '/app/config.json': '{}',
  '/app/native/addon.node': '\u007fELF',
  '/app/node_modules/express/package.json': '{"main": "./lib/express", "peerDependenciesMeta": {"fast-json": {"optional": true}}}',
  '/app/node_modules/express/lib/express.js': "const http = require('http');\nhttp.createServer();\nrequire('@scope/util/feature');\ntry { require('fast-json'); } catch {}",
  '/app/node_modules/@scope/util/package.json': '{"exports": {".": "./main.js", "./feature": {"import": "./esm/feature.mjs", "require": "./cjs/feature.cjs"}, "./data/*": "./data/*.js"}, "imports": {"#id": {"node": "./internal/id.js"}, "#dep/*": "http-errors/*.js"}}',
  '/app/node_modules/@scope/util/cjs/feature.cjs': "require('dns').lookup('db');",
  '/app/node_modules/@scope/util/data/x.js': '',
  '/app/node_modules/@scope/util/internal/id.js': '',
  '/app/node_modules/@scope/util/cjs/uses-imports.cjs': "require('#id');\nrequire('#dep/x');\nrequire('#nope');",
  '/app/src/main.ts': "import { helper } from './helper.js';\nhelper();",
  '/app/src/helper.ts': "export function helper() {}",
  '/app/node_modules/http-errors/index.js': '',
});

test('specifiers resolve as Node resolves them', () => {
  const r = (specifier: string, from = '/app/server.js', loader: 'require' | 'import' = 'require') => {
    const found = resolveModule(app, specifier, from, loader);
    return found.kind === 'file' ? found.path : found.kind === 'core' ? `core:${found.module}` : 'missing';
  };
  assert.equal(r('./lib'), '/app/lib/index.js');
  assert.equal(r('./lib/a'), '/app/lib/a.js');
  assert.equal(r('.', '/app/lib/a.js'), '/app/lib/index.js');
  assert.equal(r('express'), '/app/node_modules/express/lib/express.js');
  assert.equal(r('express', '/app/lib/a.js'), '/app/node_modules/express/lib/express.js', 'found up the tree');
  assert.equal(r('@scope/util'), 'missing', 'exports names a file the package lacks');
  assert.equal(r('@scope/util/feature'), '/app/node_modules/@scope/util/cjs/feature.cjs', 'require takes the require condition');
  assert.equal(r('@scope/util/feature', '/app/server.js', 'import'), 'missing', 'import takes the import condition, absent here');
  assert.equal(r('@scope/util/data/x'), '/app/node_modules/@scope/util/data/x.js', 'a subpath pattern');
  assert.equal(r('node:fs'), 'core:fs');
  assert.equal(r('fs/promises'), 'core:fs');
  assert.equal(r('./helper.js', '/app/src/main.ts'), '/app/src/helper.ts', 'TypeScript imported by its compiled name');
  assert.equal(r('missing-dep'), 'missing');
  assert.equal(r('http-errors'), '/app/node_modules/http-errors/index.js', 'a package whose name starts like a URL scheme');
  assert.equal(r('../../../../etc/passwd'), 'missing');
  // subpath imports: the `imports` of the package the file is in, to its own file or to another package
  const within = '/app/node_modules/@scope/util/cjs/uses-imports.cjs';
  assert.equal(r('#id', within), '/app/node_modules/@scope/util/internal/id.js');
  assert.equal(r('#dep/index', within), '/app/node_modules/http-errors/index.js');
  assert.equal(r('#nope', within), 'missing');
  assert.equal(r('#id'), 'missing', 'the app\'s own package.json has no imports');
});

test('the graph holds what the entry reaches, once each, cycles included, and says what it could not follow', () => {
  const graph = appGraph(app, ['/app/server.js', '/app/nope.js']);
  assert.deepEqual(graph.files.map((f) => f.path), [
    '/app/server.js', '/app/lib/index.js', '/app/node_modules/express/lib/express.js', '/app/lazy.mjs',
    '/app/lib/a.js', '/app/node_modules/@scope/util/cjs/feature.cjs',
  ]);
  assert.deepEqual(graph.core.map((c) => `${c.file.replace('/app/', '')}:${c.line} ${c.module}.${c.member}${c.args ? ` ${JSON.stringify(c.args)}` : ''}`), [
    'server.js:7 fs.readFileSync ["/etc/app.conf"]',
    'node_modules/express/lib/express.js:2 http.createServer',
    'lazy.mjs:2 net.connect [6379,"redis"]',
    'lib/a.js:3 child_process.spawn ["convert"]',
    'node_modules/@scope/util/cjs/feature.cjs:1 dns.lookup ["db"]',
  ]);
  assert.deepEqual(graph.missing, [{ specifier: 'missing-dep', file: '/app/server.js', line: 5 }]);
  assert.deepEqual(graph.optional, [{ specifier: 'fast-json', file: '/app/node_modules/express/lib/express.js', line: 4 }], 'absent, and declared optional by the package that asks for it');
  assert.deepEqual(graph.native, [{ path: '/app/native/addon.node', file: '/app/server.js', line: 6 }]);
  assert.deepEqual(graph.unreadable, ['/app/nope.js']);
});

test('on disk: this project\'s CLI reaches its dependencies through their package.json', () => {
  const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
  const graph = appGraph(diskTree(), [main]);
  const paths = graph.files.map((f) => f.path);
  assert.ok(paths.some((p) => p.includes('/node_modules/yaml/')), 'yaml, through its exports');
  assert.ok(paths.some((p) => p.includes('/node_modules/zod/')), 'zod');
  assert.ok(paths.some((p) => p.endsWith('/src/image/archive.ts')));
  // everything this project's own code loads is found (what installed packages load is theirs: some are absent here)
  assert.deepEqual(graph.missing.filter((m) => !m.file.includes('/node_modules/')), []);
  assert.ok(graph.optional.some((o) => o.specifier === 'bufferutil' && o.file.includes('/node_modules/ws/')), 'ws runs without its optional native helpers');
  assert.ok(graph.optional.some((o) => o.specifier === './parser.darwin-arm64.node' && o.file.includes('/node_modules/oxc-parser/')), 'the parser\'s binaries for other platforms are absent, as they should be');
  assert.ok(graph.core.some((c) => c.module === 'fs' && c.member === 'readFileSync'));
});

test('a file the app runs is read as JavaScript only when it is: a shell or Python script (by its #! line) is its interpreter\'s, not parsed', () => {
  const scripts = tree({
    '/app/bin/cli': '#!/bin/sh\nset -e\nexec node "$(dirname "$0")/../lib/cli.js" "$@"\n',
    '/app/bin/tool': '#!/usr/bin/env python3\nimport sys\nprint(sys.argv)\n',
    '/app/bin/run': '#!/usr/bin/env -S node --no-warnings\nrequire(\'../lib/cli.js\');\n',
    '/app/bin/bare': "require('fs').readFileSync('/x');\n",
    '/app/lib/cli.js': "require('net').connect(80, 'api');\n",
  });
  const graph = appGraph(scripts, ['/app/bin/cli', '/app/bin/tool', '/app/bin/run', '/app/bin/bare']);
  assert.deepEqual(graph.foreign, [{ path: '/app/bin/cli', interpreter: 'sh' }, { path: '/app/bin/tool', interpreter: 'python3' }]);
  assert.deepEqual(graph.files.map((f) => f.path), ['/app/bin/run', '/app/bin/bare', '/app/lib/cli.js'], 'a node script, and a file without #! (JavaScript to Node)');
  assert.ok(graph.files.every((f) => f.usage.errors.length === 0), 'nothing misread as JavaScript');
});

test('other platforms\' prebuilt binaries may be absent; a missing script of the app named after a platform is still missing', () => {
  const graph = appGraph(tree({
    '/p/index.js': "try { require('./addon.darwin-arm64.node'); } catch {}\ntry { require('@x/binding-win32-x64-gnu'); } catch {}\nrequire('./parser.wasi.cjs');\nrequire('./linux.js');",
  }), ['/p/index.js']);
  assert.deepEqual(graph.optional.map((o) => o.specifier), ['./addon.darwin-arm64.node', '@x/binding-win32-x64-gnu', './parser.wasi.cjs']);
  assert.deepEqual(graph.missing.map((m) => m.specifier), ['./linux.js']);
});
