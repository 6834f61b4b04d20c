/**
 * The Node.js APIs whose system calls Tenet maps: one tiny program each, run
 * under strace by generate.ts. A probe touches only its own temporary folder and
 * loopback, then exits; what it adds over the baseline program is its syscall set.
 * Each probe is an ES module body; `dir` is its temporary folder.
 */
export interface Probe {
  /** `module.member` as code uses it: `fs.readFile`, `http.createServer`. */
  api: string;
  code: string;
}

/**
 * A server of `module` that takes one connection from a client and does with it
 * what servers do: read the peer's and its own address (loggers, `req.ip`), set
 * no-delay and keep-alive, then close.
 */
const server = (module: string, create: string) =>
  `import * as m from 'node:${module}';\nimport * as net from 'node:net';\nconst s = ${create};\n`
  + `s.on('connection', (c) => { void [c.remoteAddress, c.remotePort, c.localAddress, c.localPort]; c.setNoDelay(true); c.setKeepAlive(true, 1000); c.destroy(); s.close(); });\n`
  + `s.listen(0, '127.0.0.1', () => net.connect(s.address().port, '127.0.0.1').on('error', () => {}));`;

/**
 * Node's own behaviour, whatever the app does: start-up, the event loop, timers,
 * and V8's garbage collector and compiler threads, which a busy heap wakes.
 */
export const BASELINE = [
  `setTimeout(() => {}, 10);`,
  `let keep = [];\nfor (let i = 0; i < 200000; i++) { keep.push({ i, s: String(i) }); if (keep.length > 50000) keep = []; }\nsetTimeout(() => {}, 50);`,
  `const f = (n) => (n < 2 ? n : f(n - 1) + f(n - 2));\nf(27);\nJSON.parse(JSON.stringify(Array.from({ length: 100000 }, (_, i) => ({ i }))));\nawait new Promise((r) => setTimeout(r, 30));`,
];

export const PROBES: Probe[] = [
  // fs, callback, promise and sync forms share their syscalls; the promise form stands for all three.
  { api: 'fs.readFile', code: `import { readFile, writeFileSync } from 'node:fs';\nwriteFileSync('f', 'x');\nreadFile('f', () => {});` },
  { api: 'fs.writeFile', code: `import { writeFile } from 'node:fs';\nwriteFile('f', 'x', () => {});` },
  { api: 'fs.appendFile', code: `import { appendFile } from 'node:fs';\nappendFile('f', 'x', () => {});` },
  { api: 'fs.stat', code: `import { stat, lstat, statSync } from 'node:fs';\nstat('.', () => {});\nlstat('.', () => {});\nstatSync('.');` },
  { api: 'fs.readdir', code: `import { readdir } from 'node:fs';\nreaddir('.', { withFileTypes: true }, () => {});` },
  { api: 'fs.mkdir', code: `import { mkdir } from 'node:fs';\nmkdir('a/b', { recursive: true }, () => {});` },
  { api: 'fs.mkdtemp', code: `import { mkdtemp } from 'node:fs';\nmkdtemp('t-', () => {});` },
  { api: 'fs.rm', code: `import { mkdirSync, writeFileSync, rm } from 'node:fs';\nmkdirSync('d/e', { recursive: true });\nwriteFileSync('d/e/f', 'x');\nrm('d', { recursive: true }, () => {});` },
  { api: 'fs.unlink', code: `import { writeFileSync, unlink } from 'node:fs';\nwriteFileSync('f', 'x');\nunlink('f', () => {});` },
  { api: 'fs.rename', code: `import { writeFileSync, rename } from 'node:fs';\nwriteFileSync('f', 'x');\nrename('f', 'g', () => {});` },
  { api: 'fs.copyFile', code: `import { writeFileSync, copyFile } from 'node:fs';\nwriteFileSync('f', 'x');\ncopyFile('f', 'g', () => {});` },
  { api: 'fs.open', code: `import { open, close } from 'node:fs';\nopen('f', 'w+', (e, fd) => close(fd, () => {}));` },
  { api: 'fs.access', code: `import { access } from 'node:fs';\naccess('.', () => {});` },
  { api: 'fs.chmod', code: `import { writeFileSync, chmod } from 'node:fs';\nwriteFileSync('f', 'x');\nchmod('f', 0o600, () => {});` },
  { api: 'fs.chown', code: `import { writeFileSync, chown } from 'node:fs';\nwriteFileSync('f', 'x');\nchown('f', process.getuid(), process.getgid(), () => {});` },
  { api: 'fs.utimes', code: `import { writeFileSync, utimes } from 'node:fs';\nwriteFileSync('f', 'x');\nutimes('f', 1, 1, () => {});` },
  { api: 'fs.truncate', code: `import { writeFileSync, truncate } from 'node:fs';\nwriteFileSync('f', 'xx');\ntruncate('f', 1, () => {});` },
  { api: 'fs.symlink', code: `import { symlink, readlink } from 'node:fs';\nsymlink('target', 'l', () => readlink('l', () => {}));` },
  { api: 'fs.link', code: `import { writeFileSync, link } from 'node:fs';\nwriteFileSync('f', 'x');\nlink('f', 'h', () => {});` },
  { api: 'fs.realpath', code: `import { realpath } from 'node:fs';\nrealpath('.', () => {});\nrealpath.native('.', () => {});` },
  { api: 'fs.watch', code: `import { watch, writeFileSync } from 'node:fs';\nconst w = watch('.', () => {});\nwriteFileSync('f', 'x');\nsetTimeout(() => w.close(), 20);` },
  { api: 'fs.watchFile', code: `import { watchFile, unwatchFile } from 'node:fs';\nwatchFile('.', { interval: 5 }, () => {});\nsetTimeout(() => unwatchFile('.'), 30);` },
  { api: 'fs.createReadStream', code: `import { createReadStream, writeFileSync } from 'node:fs';\nwriteFileSync('f', 'x'.repeat(100000));\ncreateReadStream('f').resume();` },
  { api: 'fs.createWriteStream', code: `import { createWriteStream } from 'node:fs';\nconst s = createWriteStream('f');\ns.end('x');` },
  { api: 'fs.opendir', code: `import { opendir } from 'node:fs/promises';\nfor await (const _ of await opendir('.')) { /* */ }` },
  { api: 'fs.fsync', code: `import { openSync, fsync, fdatasync } from 'node:fs';\nconst fd = openSync('f', 'w');\nfsync(fd, () => fdatasync(fd, () => {}));` },
  { api: 'fs.cp', code: `import { mkdirSync, writeFileSync, cp } from 'node:fs';\nmkdirSync('s');\nwriteFileSync('s/f', 'x');\ncp('s', 't', { recursive: true }, () => {});` },
  // network, on loopback only
  { api: 'net.createServer', code: server('net', 'm.createServer()') },
  { api: 'net.connect', code: `import * as net from 'node:net';\nconst s = net.createServer((c) => c.end()).listen(0, '127.0.0.1', () => {\n  const c = net.connect(s.address().port, '127.0.0.1', () => { void [c.remoteAddress, c.localPort]; c.end(); s.close(); });\n});` },
  { api: 'net.connect.ipv6', code: `import * as net from 'node:net';\nconst s = net.createServer((c) => c.end()).listen(0, '::1', () => {\n  const c = net.connect(s.address().port, '::1', () => { void [c.remoteAddress, c.localPort]; c.end(); s.close(); });\n}).on('error', () => {});` },
  { api: 'net.unix', code: `import * as net from 'node:net';\nconst s = net.createServer((c) => c.end()).listen('sock', () => {\n  const c = net.connect('sock', () => { c.end(); s.close(); });\n});` },
  { api: 'http.createServer', code: `import * as http from 'node:http';\nconst s = http.createServer((q, r) => { void [q.socket.remoteAddress, q.socket.remotePort, q.socket.localAddress]; r.end('ok'); }).listen(0, '127.0.0.1', () => {\n  http.get({ host: '127.0.0.1', port: s.address().port, agent: false }, (r) => { void [r.socket.remoteAddress, r.socket.localPort]; r.resume(); r.on('end', () => s.close()); });\n});` },
  { api: 'http.request', code: `import * as http from 'node:http';\nconst s = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => {\n  http.request({ host: '127.0.0.1', port: s.address().port }, (r) => { r.resume(); r.on('end', () => s.close()); }).end();\n});` },
  { api: 'fetch', code: `import * as http from 'node:http';\nconst s = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', async () => {\n  await (await fetch('http://127.0.0.1:' + s.address().port)).text();\n  s.close();\n});` },
  { api: 'http2.createServer', code: server('http2', 'm.createServer()') },
  { api: 'https.createServer', code: server('https', 'm.createServer()') },
  { api: 'tls.connect', code: `import * as tls from 'node:tls';\nimport * as net from 'node:net';\nconst s = net.createServer((c) => c.destroy()).listen(0, '127.0.0.1', () => {\n  tls.connect({ host: '127.0.0.1', port: s.address().port, rejectUnauthorized: false }).on('error', () => s.close()).on('close', () => s.close());\n});` },
  { api: 'dgram.createSocket', code: `import * as dgram from 'node:dgram';\nconst s = dgram.createSocket('udp4');\ns.bind(0, '127.0.0.1', () => s.send('x', s.address().port, '127.0.0.1', () => s.close()));` },
  { api: 'dns.lookup', code: `import * as dns from 'node:dns';\ndns.lookup('localhost', () => {});` },
  { api: 'dns.resolve', code: `import * as dns from 'node:dns';\nconst r = new dns.Resolver({ timeout: 50, tries: 1 });\nr.setServers(['127.0.0.1']);\nr.resolve4('tenet.invalid', () => {});` },
  // processes and threads
  { api: 'child_process.spawn', code: `import { spawn } from 'node:child_process';\nspawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });` },
  { api: 'child_process.exec', code: `import { exec } from 'node:child_process';\nexec('true', () => {});` },
  { api: 'child_process.spawnSync', code: `import { spawnSync } from 'node:child_process';\nspawnSync(process.execPath, ['-e', '0']);` },
  { api: 'child_process.fork', code: `import { fork } from 'node:child_process';\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('c.cjs', 'process.exit(0)');\nfork('c.cjs');` },
  { api: 'worker_threads.Worker', code: `import { Worker } from 'node:worker_threads';\nnew Worker('0', { eval: true });` },
  { api: 'cluster.fork', code: `import cluster from 'node:cluster';\nif (cluster.isPrimary) cluster.fork().on('online', function () { this.kill(); });\nelse setTimeout(() => {}, 10);` },
  // crypto and compression: the threadpool and the kernel's random source
  { api: 'crypto.randomBytes', code: `import { randomBytes } from 'node:crypto';\nrandomBytes(32, () => {});` },
  { api: 'crypto.createHash', code: `import { createHash } from 'node:crypto';\ncreateHash('sha256').update('x').digest();` },
  { api: 'crypto.pbkdf2', code: `import { pbkdf2 } from 'node:crypto';\npbkdf2('p', 's', 1000, 32, 'sha256', () => {});` },
  { api: 'crypto.scrypt', code: `import { scrypt } from 'node:crypto';\nscrypt('p', 's', 32, () => {});` },
  { api: 'crypto.generateKeyPair', code: `import { generateKeyPair } from 'node:crypto';\ngenerateKeyPair('ec', { namedCurve: 'P-256' }, () => {});` },
  { api: 'zlib.gzip', code: `import { gzip, gunzip } from 'node:zlib';\ngzip('x'.repeat(100000), (e, b) => gunzip(b, () => {}));` },
  // the process and the machine
  { api: 'os.cpus', code: `import { cpus } from 'node:os';\ncpus();` },
  { api: 'os.networkInterfaces', code: `import { networkInterfaces } from 'node:os';\nnetworkInterfaces();` },
  { api: 'os.hostname', code: `import { hostname } from 'node:os';\nhostname();` },
  { api: 'os.userInfo', code: `import { userInfo } from 'node:os';\nuserInfo();` },
  { api: 'os.memory', code: `import { freemem, totalmem, loadavg, uptime } from 'node:os';\nfreemem(); totalmem(); loadavg(); uptime();` },
  { api: 'process.memoryUsage', code: `process.memoryUsage(); process.resourceUsage(); process.cpuUsage();` },
  { api: 'process.chdir', code: `process.chdir('..'); process.cwd();` },
  { api: 'process.kill', code: `process.on('SIGUSR2', () => {});\nprocess.kill(process.pid, 'SIGUSR2');` },
  { api: 'process.umask', code: `process.umask(0o22);` },
  { api: 'process.stdout', code: `process.stdout.write('x\\n');` },
  { api: 'process.stdin', code: `process.stdin.resume(); setTimeout(() => process.stdin.pause(), 10);` },
  { api: 'timers.setInterval', code: `const t = setInterval(() => {}, 1);\nsetTimeout(() => clearInterval(t), 20);\nsetImmediate(() => {});` },
  { api: 'v8.writeHeapSnapshot', code: `import { writeHeapSnapshot } from 'node:v8';\nwriteHeapSnapshot('h.heapsnapshot');` },
  { api: 'readline.createInterface', code: `import { createInterface } from 'node:readline';\nimport { writeFileSync, createReadStream } from 'node:fs';\nwriteFileSync('f', 'a\\nb\\n');\ncreateInterface({ input: createReadStream('f') }).on('line', () => {});` },
];
