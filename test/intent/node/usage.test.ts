import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coreModule, fileUsage } from '../../../src/intent/node/usage.ts';

const uses = (file: string, code: string) => fileUsage(file, code).core.map((c) => `${c.line} ${c.module}.${c.member}${c.args ? ` ${JSON.stringify(c.args)}` : ''}`);

test('core modules by any name: node: prefix, /promises, not user modules', () => {
  assert.deepEqual(['fs', 'node:fs/promises', 'child_process', 'node:test', 'express', './fs'].map(coreModule), ['fs', 'fs', 'child_process', 'test', undefined, undefined]);
});

test('CommonJS: namespaces, destructuring with aliases, promises, direct require calls, literal arguments', () => {
  const code = [
    "const fs = require('fs');",
    "const { spawn: run, execFile } = require('node:child_process');",
    "const fsp = require('fs').promises;",
    "fs.readFileSync('/etc/app.conf', 'utf8');",
    "fs.promises.writeFile('out');",
    "run('convert', ['in.png', 'out.jpg']);",
    "fsp.stat('.');",
    "require('os').cpus();",
    'module.exports = { execFile };',
  ].join('\n');
  assert.deepEqual(uses('a.cjs', code), [
    '4 fs.readFileSync ["/etc/app.conf","utf8"]',
    '5 fs.writeFile ["out"]',
    '6 child_process.spawn ["convert"]',
    '7 fs.stat ["."]',
    '8 os.cpus',
    '9 child_process.execFile',
  ]);
});

test('ES modules and TypeScript: default, named, namespace and dynamic imports; escaping namespaces widen to *', () => {
  const code = [
    "import net, { connect } from 'node:net';",
    "import * as http from 'http';",
    "import type { Server } from 'node:http';",
    "import { readFile as rf } from 'fs/promises';",
    'const port: number = 3000;',
    'connect(6379, `redis`);',
    'http.createServer().listen(port);',
    "await rf('/data/seed.json');",
    'register(net);',
    "const { randomBytes } = await import('node:crypto');",
    'randomBytes(16);',
    "const method = 'unlink';",
    "import('node:fs').then((fs) => fs[method]('x'));",
    'let s: Server | undefined;',
  ].join('\n');
  assert.deepEqual(uses('server.ts', code), [
    '6 net.connect [6379,"redis"]',
    '7 http.createServer',
    '8 fs.readFile ["/data/seed.json"]',
    '9 net.*',
    '11 crypto.randomBytes [16]',
    '13 fs.unlink ["x"]',
  ]);
  const usage = fileUsage('server.ts', code);
  assert.deepEqual(usage.imports.map((i) => `${i.line} ${i.kind} ${i.specifier}`), [
    '1 import node:net', '2 import http', '4 import fs/promises', '10 dynamic node:crypto', '13 dynamic node:fs',
  ]);
  assert.deepEqual(usage.errors, []);
});

test('names are resolved by scope: a local, a parameter or a method named like a global is not the global', () => {
  const code = [
    'class Client { fetch(url) { return this.fetch(url); } static process = 1; }',
    'function process(path) { return path; }',
    'function get(fetch) { return fetch("http://x/"); }',
    'const o = { fetch: 1, process: 2 };',
    'o.fetch; o.process;',
    "label: for (;;) { break label; }",
    'export function run() { return fetch("http://api:8080/"); }',
  ].join('\n');
  assert.deepEqual(uses('a.mjs', code), ['7 globals.fetch ["http://api:8080/"]']);
  const shadowed = "function main(fetch, require) { fetch('x'); require('child_process').spawn('sh'); }";
  assert.deepEqual(uses('b.js', shadowed), ['1 child_process.spawn ["sh"]'], 'a parameter named require that loads a core module still loads it from Node');
});

test('aliases are followed, not escapes: a tested global, a destructured namespace, a name assigned later, constants as arguments', () => {
  const code = [
    "const proc = typeof process === 'object' && process;",
    'proc.env.HOME; proc.kill(1);',
    "const fs = require('fs');",
    'const { readFileSync } = fs;',
    "readFileSync('/etc/hosts');",
    'let cp;',
    "function lazy() { cp = cp || require('child_process'); return cp.execFileSync('git'); }",
    'const PORT = process.env.PORT || 8080;',
    'server.listen(PORT);',
    "if (process && process.versions) {}",
  ].join('\n');
  assert.deepEqual(uses('a.js', code), [
    '2 process.env',
    '2 process.kill [1]',
    '5 fs.readFileSync ["/etc/hosts"]',
    '7 child_process.execFileSync ["git"]',
    '8 process.env',
    '10 process.versions',
  ]);
  assert.deepEqual(fileUsage('a.js', code).listens, [{ line: 9, port: 8080 }]);
  // passed to a function of the file that only uses members of it: those members
  const passed = "function listeners(emitter, type) { return typeof emitter.listenerCount === 'function' ? emitter.listenerCount(type) : emitter.listeners(type).length; }\nlisteners(process, 'deprecation');\nconst stop = (p) => p.kill(1);\nstop(process);\nconst keep = (p) => store.push(p);\nkeep(process);";
  assert.deepEqual(uses('c.js', passed), ['2 process.listeners', '2 process.listenerCount', '4 process.kill', '6 process.*']);
  // passed on, stored or exported: every member may be used
  assert.deepEqual(uses('b.js', "const fs = require('fs');\nconst net = require('net');\nexports.net = net;\nregister(require('os'));"), ['3 net.*', '4 os.*']);
  // handed on as the module's exports: its importers' uses are its uses (see the graph)
  const wrapper = fileUsage('graceful.js', "const fs = require('fs');\nmodule.exports = patch(clone(fs));");
  assert.deepEqual([wrapper.core, wrapper.exportsCore], [[], ['fs']]);
  // what the wrapper does with it is used; a member it reads to replace is used only where its importers call it
  const patcher = fileUsage('gfs.js', [
    "const fs = require('fs');",
    'module.exports = patch(fs);',
    'function patch(fs) {',
    '  var fs$copyFile = fs.copyFile;',
    '  if (fs$copyFile) fs.copyFile = function (a, b, cb) { return fs$copyFile(a, b, cb); };',
    "  fs.closeSync(fs.openSync('/tmp/lock', 'w'));",
    '  return fs;',
    '}',
  ].join('\n'));
  assert.deepEqual(patcher.core.map((c) => `${c.line} ${c.module}.${c.member}`), ['6 fs.openSync', '6 fs.closeSync']);
  // a function called where it is written binds its parameters to its arguments; a member written is not called
  const iife = fileUsage('g.js', "var fs = require('fs');\nfs.close = (function (fs$close) { return function (fd) { return fs$close.call(fs, fd); }; })(fs.close);\nfs.__patched = true;\nObject.defineProperty(fs, 'q', { value: 1 });");
  assert.deepEqual(iife.core.map((c) => `${c.line} ${c.module}.${c.member}`), ['2 fs.close', '2 fs.close']);
  // a member only tested is not called
  const tests = fileUsage('t.js', "const fs = require('fs');\nif (!fs.__patched && typeof fs.statfs === 'function') fs.statfs('.');\nconst lchmod = fs.lchmod || polyfill;");
  assert.deepEqual(tests.core.map((c) => `${c.line} ${c.module}.${c.member}`), ['2 fs.statfs', '3 fs.lchmod']);
});

test('bundler interop and subpath modules: __toESM(require(\'fs\')).default is fs, path/win32 is path; a path or file URL named at run time is never a core module', () => {
  const code = [
    "let node_fs = require('node:fs');",
    'node_fs = __toESM(node_fs, 1);',
    "node_fs.default.readFileSync('x');",
    "const os_1 = __importDefault(require('os'));",
    'os_1.default.hostname();',
    "const { win32 } = require('path/win32');",
    "require('util/types').isDate(1);",
  ].join('\n');
  assert.deepEqual(uses('a.js', code), ['3 fs.readFileSync ["x"]', '5 os.hostname', '7 util.isDate [1]']);
  // a minified bundle's own helper, by what it does, not by its name; another function of the same name elsewhere is not one
  const minified = [
    'var br = this && this.__importStar || function (n) { if (n && n.__esModule) return n; var t = {}; for (var e in n) t[e] = n[e]; return t; };',
    "var Sr = br(require('node:fs'));",
    "Sr.readlinkSync('x');",
    "function other() { function br(x) { return x; } return br(require('os')); }",
  ].join('\n');
  assert.deepEqual(uses('min.js', minified), ['3 fs.readlinkSync ["x"]', '4 os.*']);
  // rolldown's output calls the helper through its runtime module
  assert.deepEqual(uses('config-utils.js', "let node_fs = require('node:fs');\nnode_fs = require_runtime.__toESM(node_fs);\nnode_fs.default.statSync('x');"), ['3 fs.statSync ["x"]']);
  assert.equal(coreModule('path/win32'), 'path');
  const loads = fileUsage('b.mjs', [
    "import { pathToFileURL } from 'node:url';",
    "import path from 'node:path';",
    'await import(pathToFileURL(x).href);',
    'require(path.resolve(dir, name));',
    'require(require.resolve(name));',
    'require(name);',
    'require(configPath); import(options.fileURL); require(moduleDir);',
    "const binding = `@parcel/watcher-${process.platform}`; require(binding); require('lightningcss-' + arch);",
    "require(`f${x}`); require('node:' + x); require(path.join(globalDir, 'package.json')); require(path.join(x, '..'));",
  ].join('\n')).computed;
  assert.deepEqual(loads.map((c) => c.notCore ?? '-'), [
    'a file', 'a file', 'a file', '-',
    'named as a path (configPath)', 'named as a path (fileURL)', 'named as a path (moduleDir)',
    "it starts with '@parcel/watcher-', as no core module does", "it starts with 'lightningcss-', as no core module does",
    '-', '-', 'a path to a file', '-',
  ]);
});

test('a webpack bundle\'s modules that re-export a core module are that module where the bundle loads them by id', () => {
  const bundle = [
    '(() => { var e = {',
    '  2058: (e) => { "use strict"; e.exports = require("fs"); },',
    '  13: function (e) { e.exports = require("child_process"); },',
    '  7: (e, t, n) => { const fs = n(2058); fs.readFileSync("x"); n(13).execFileSync("git"); },',
    '}; function n(t) { var r = { exports: {} }; return e[t](r, r.exports, n), r.exports; } n(7); })();',
  ].join('\n');
  assert.deepEqual(uses('bundle.js', bundle), ['4 fs.readFileSync ["x"]', '4 child_process.execFileSync ["git"]']);
  assert.deepEqual(uses('b.js', "require('_stream_transform').call(this);"), ['1 stream.call']);
});

test('a computed member over a literal list is those members; over anything else, every member', () => {
  const code = [
    "const fs = require('fs');",
    "for (const m of ['readFile', 'stat']) fs[m + ''];",
    "const methods = ['mkdir', 'rmdir'];",
    'for (const m of methods) exports[m] = fs[m];',
    "['chmod', 'chown'].forEach((name) => { fs[name](); });",
    'fs[userInput]();',
  ].join('\n');
  assert.deepEqual(uses('a.js', code), ['2 fs.*', '4 fs.mkdir', '4 fs.rmdir', '5 fs.chmod', '5 fs.chown', '6 fs.*']);
});

test('a bundle\'s own module system is not Node\'s require; a path from the file\'s own folder is a literal path', () => {
  const bundle = [
    '(function (modules) {',
    '  function load(id) { var module = { exports: {} }; modules[id](module, module.exports, load); return module.exports; }',
    '  return load(0);',
    '})([function (module, exports, require) { var util = require(1); var fs = require("fs"); fs.statSync("."); }]);',
  ].join('\n');
  const usage = fileUsage('bundle.js', bundle);
  assert.deepEqual(usage.imports, []);
  assert.deepEqual(usage.computed, []);
  assert.deepEqual(usage.core.map((c) => `${c.module}.${c.member}`), ['fs.statSync']);
  const paths = fileUsage('lib/cli.js', "const path = require('path');\nconst pkg = require(path.join(__dirname, '..', 'package.json'));\nrequire(path.resolve(__dirname, 'plugins', name));");
  assert.deepEqual(paths.imports.map((i) => i.specifier), ['path', '../package.json']);
  assert.deepEqual(paths.computed.map((c) => c.line), [3]);
});

test('run-time module names are reported, not guessed; re-exports are edges', () => {
  const usage = fileUsage('index.js', "const plugin = require(process.env.PLUGIN);\nexport * from './lib.js';\nexport { x } from './x.js';\nimport(`./locale/${lang}.js`);\n");
  assert.deepEqual(usage.computed, [
    { line: 1, code: 'require(process.env.PLUGIN)', members: [], env: 'PLUGIN' },
    { line: 4, code: 'import(`./locale/${lang}.js`)', prefix: './locale/' },
  ]);
  const used = fileUsage('view.js', "const fn = require(mod).__express;\nconst engine = require(name);\nengine.render(); engine.compile;\nregister(require(other));\nrequire('./plugins/' + name);");
  assert.deepEqual(used.computed.map((c) => [c.line, c.members, c.prefix]), [[1, ['__express'], undefined], [2, ['render', 'compile'], undefined], [4, undefined, undefined], [5, undefined, './plugins/']]);
  assert.deepEqual(usage.imports.map((i) => `${i.line} ${i.kind} ${i.specifier}`), ['2 export ./lib.js', '3 export ./x.js']);
});

test('a syntax error is reported with its line; what parsed is still used', () => {
  const usage = fileUsage('broken.js', "const fs = require('fs');\nfs.readFileSync('a');\nfunction (\n");
  assert.equal(usage.errors.length > 0, true);
  assert.equal(usage.errors[0]!.line, 3);
});

test('a 5 MB minified bundle is read through (a few seconds on these machines)', () => {
  const chunk = "var a=require('fs');a.readFileSync('x');function f(n){return n<2?n:f(n-1)+f(n-2)}var o={k:[1,2,3],s:'str'};";
  const bundle = chunk.repeat(Math.ceil(5_000_000 / chunk.length));
  const started = Date.now();
  const usage = fileUsage('bundle.min.js', bundle);
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  assert.equal(new Set(usage.core.map((c) => `${c.module}.${c.member}`)).size, 1);
});

test('defaults and private fields: a namespace given as a default or kept in a #field is used through its members; kept whole, it escapes', () => {
  const code = [
    "const os = require('os');",
    "const nativeFsp = require('fs/promises');",
    'function workers({ availableParallelism } = os) { return availableParallelism(); }',
    'class Hfs {',
    '  #fsp;',
    '  constructor({ fsp = nativeFsp } = {}) { this.#fsp = fsp; }',
    '  text(p) { return this.#fsp.readFile(p); }',
    '  size(p) { return this.#fsp.stat(p).then((s) => s.size); }',
    '}',
    "class Watcher { #fs = require('fs'); watch(p) { return this.#fs.watch(p); } }",
    "function f({ ...all } = require('child_process')) { return all; }",
    "const { ...everything } = require('net');",
    "setImmediate(require('process').nextTick.bind(require('process')));",
    'keep(this.#missing);',
  ].join('\n');
  assert.deepEqual(uses('a.js', code), [
    '3 os.availableParallelism',
    '7 fs.readFile',
    '8 fs.stat',
    '10 fs.watch',
    '11 child_process.*',
    '12 net.*',
    '13 process.nextTick',
  ]);
  // a #field given a namespace and passed on escapes like a name would
  assert.deepEqual(uses('b.js', "class A { #fs = require('fs'); go() { keep(this.#fs); } }"), ['1 fs.*']);
  // fs.promises passed on is all of fs
  assert.deepEqual(uses('c.js', "const fs = require('fs'); keep(fs.promises);"), ['1 fs.*']);
  // a private name is the class's wherever it is written in it, whatever `this` is
  assert.deepEqual(uses('d.js', "class A { #fs = require('fs'); go() { return function () { return this.#fs.readFile(); }; } }"), ['1 fs.readFile']);
});

test('a namespace kept in a property the file reads itself is used through that property; handed out with its object, it escapes', () => {
  // fdir: the walker keeps fs in its state and reads it back by destructuring and through members
  const kept = [
    "const fs = require('fs');",
    'class Walker {',
    '  constructor(options) { this.state = { queue: [], fs: options.fs || fs }; }',
    '  walk(state) {',
    '    const { fs: fs$1, queue } = state;',
    "    fs$1.readdir('.', () => {});",
    "    return state.fs.realpathSync('.');",
    '  }',
    '}',
    'const holder = {}; holder.fs = fs; holder.fs.statSync(".");',
  ].join('\n');
  assert.deepEqual(uses('fdir.js', kept), ['6 fs.readdir ["."]', '7 fs.realpathSync ["."]', '10 fs.statSync ["."]']);
  // every value the property is given must be the module: one other value and nothing is known of it
  assert.deepEqual(uses('mixed.js', "const fs = require('fs');\nconst a = { fs };\nconst b = { fs: memfs };\na.fs.readFile('x');"), ['2 fs.*']);
  // not read in the file, or handed out in the object that holds it: another file may use any member
  for (const code of [
    "const fs = require('fs');\nconst state = { fs };\nrun(state);",
    "const fs = require('fs');\nmodule.exports = { fs };\nmodule.exports.fs.stat('.');",
    "const fs = require('fs');\nfunction make() { return { io: { fs } }; }\nmake().io.fs.stat('.');",
    "const fs = require('fs');\ncreate({ fs });\nopts.fs.stat('.');",
    "const fs = require('fs');\nexport const io = { fs };\nio.fs.stat('.');",
  ]) assert.ok(uses('out.mjs', code).includes('2 fs.*'), code);
});

test('a member computed from a parameter is the strings the file calls its function with; called from elsewhere, every member', () => {
  // path-type: the function is only called through bind with a literal, the bound functions are what it exports
  const bound = [
    "const fs = require('fs');",
    'function isType(fsStatType, statsMethodName, filePath) {',
    '  return fs[fsStatType](filePath)[statsMethodName]();',
    '}',
    "exports.isFile = isType.bind(null, 'stat', 'isFile');",
    "exports.isSymlink = isType.bind(null, 'lstat', 'isSymbolicLink');",
    "const check = (how) => fs[how + 'Sync']('.');",
    "const m = (method) => fs[method]('.');",
    "m('readdir'); m(process.platform === 'win32' ? 'stat' : 'access');",
  ].join('\n');
  // either branch of a condition may be the one taken
  assert.deepEqual(uses('path-type.js', bound), ['3 fs.stat', '3 fs.lstat', '7 fs.* ["."]', '8 fs.readdir ["."]', '8 fs.stat ["."]', '8 fs.access ["."]']);
  // the function handed out, reassigned, or called with something unknown: its callers are not all here
  for (const code of [
    "const fs = require('fs');\nfunction f(m) { return fs[m](); }\nf('stat');\nmodule.exports = f;",
    "const fs = require('fs');\nexport function f(m) { return fs[m](); }\nf('stat');",
    "const fs = require('fs');\nlet f = function (m) { return fs[m](); };\nf('stat');\nf = other;",
    "const fs = require('fs');\nconst f = (m) => fs[m]();\nf('stat');\nf(name);",
    "const fs = require('fs');\nconst f = (m) => fs[m]();\nf(...names);",
    // passed back to itself: followed no further (and not round for ever)
    "const fs = require('fs');\nfunction f(m, n) { if (n) f(m, n - 1); return fs[m](); }\nf('stat', 2);",
  ]) assert.deepEqual(uses('f.mjs', code).filter((u) => u.includes('fs.')).map((u) => u.slice(u.indexOf(' ') + 1)), ['fs.*'], code);
});
