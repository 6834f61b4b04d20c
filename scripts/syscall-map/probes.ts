/**
 * The Node.js APIs whose system calls Tenet maps: one small program each, run
 * under strace by generate.ts. A probe calls every member its API stands for,
 * in each variant that reaches different syscalls (pipes and inherited stdio,
 * positional and streaming writes, names resolved by a real DNS server, TLS
 * handshakes), touching only its own temporary folder and loopback; what it
 * adds over the baseline program is the API's syscall set. Each probe is an ES
 * module body run in its temporary folder.
 */
export interface Probe {
  /** `module.member` as code uses it: `fs.readFile`, `http.createServer`. */
  api: string;
  code: string;
  /**
   * What the probe needs around it, set up before it is traced:
   * `resolver`: its own network namespace with a DNS server on loopback that
   * answers A (127.0.0.1) and AAAA (::1) for every name under `tenet.test`, the
   * namespace's /etc/resolv.conf naming it (names are not in /etc/hosts);
   * `certificate`: a self-signed key and certificate for `localhost` and
   * `upstream.tenet.test`, in `key.pem` and `cert.pem`;
   * `other-filesystem`: a file of 100 kB on another filesystem than the
   * probe's folder (a tmpfs), its path in PROBE_OTHER_FILE;
   * `packages`: this project's node_modules folder, in PROBE_PACKAGES (real
   * prebuilt native addons from npm).
   */
  needs?: ReadonlyArray<'resolver' | 'certificate' | 'other-filesystem' | 'packages'>;
  /** Files and folders the probe works on, made untraced before it runs (so `mkdir` is not counted as reading a folder's). */
  setup?: string;
  /** The other end of a network probe, run untraced beside it in its folder (and namespace): a client of a server, a server of a client. */
  peer?: string;
}

/** The name the probes' DNS server answers, and the suffix it answers for. */
export const PROBE_HOST = 'upstream.tenet.test';
export const PROBE_DOMAIN = 'tenet.test';

/**
 * The DNS server of a `resolver` probe, run untraced before the probe in its
 * namespace: A and AAAA answers for names under PROBE_DOMAIN, NXDOMAIN else,
 * over UDP on 127.0.0.1 and ::1. Writes `ready` once it listens.
 */
export const DNS_SERVER = `
import * as dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
const answer = (query) => {
  let at = 12;
  const labels = [];
  while (query[at] !== 0 && at < query.length) { labels.push(query.subarray(at + 1, at + 1 + query[at]).toString()); at += query[at] + 1; }
  const type = query.readUInt16BE(at + 1);
  const question = query.subarray(12, at + 5);
  const name = labels.join('.').toLowerCase();
  const ours = name === '${PROBE_DOMAIN}' || name.endsWith('.${PROBE_DOMAIN}');
  const data = type === 1 ? Buffer.from([127, 0, 0, 1]) : type === 28 ? Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) : undefined;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(ours ? 0x8180 : 0x8183, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ours && data ? 1 : 0, 6);
  if (!ours || !data) return Buffer.concat([header, question]);
  const record = Buffer.alloc(12);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(type, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(60, 6);
  record.writeUInt16BE(data.length, 10);
  return Buffer.concat([header, question, record, data]);
};
let listening = 0;
for (const [type, address] of [['udp4', '127.0.0.1'], ['udp6', '::1']]) {
  const socket = dgram.createSocket(type);
  socket.on('message', (query, peer) => { try { socket.send(answer(query), peer.port, peer.address); } catch {} });
  socket.bind(53, address, () => { if (++listening === 2) writeFileSync('ready', ''); });
}
`;

/**
 * The other end of a network probe runs untraced beside it (`peer`), so a
 * server's set holds no client's calls (`connect`) and a client's no server's
 * (`listen`, `accept4`). Whichever end listens writes its port(s) to `port`; the
 * other waits for the file. A peer that serves runs until the probe ends.
 */
const waitPort = `import { existsSync, readFileSync } from 'node:fs';\nconst ports = await (async () => { while (!existsSync('port') || readFileSync('port', 'utf8').indexOf('\\n') === -1) await new Promise((r) => setTimeout(r, 10)); return readFileSync('port', 'utf8').trim().split(' ').map(Number); })();\nconst port = ports[0];\n`;
const writePort = `import { writeFileSync } from 'node:fs';\nconst announce = (...ports) => writeFileSync('port', ports.join(' ') + '\\n');\n`;

/** A server that serves what each client probe asks: HTTP (and a WebSocket upgrade) on 127.0.0.1 and ::1, a TLS server, and HTTP/2 in clear and over TLS. */
const PEER_SERVERS = `${writePort}import * as http from 'node:http';\nimport * as https from 'node:https';\nimport * as http2 from 'node:http2';\nimport { createHash } from 'node:crypto';\nimport { existsSync, readFileSync } from 'node:fs';\n`
  + `const answer = (q, r) => { q.resume(); r.end('ok'); };\n`
  + `const upgrade = (q, socket) => { const accept = createHash('sha1').update(q.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64'); socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n'); socket.end(Buffer.from([0x88, 0])); };\n`
  + `const listen = (server, host, port = 0) => new Promise((r) => server.listen(port, host, () => r(server.address().port)).on('error', () => r(0)));\n`
  + `const plain = await listen(http.createServer(answer).on('upgrade', upgrade), '127.0.0.1');\nawait listen(http.createServer(answer).on('upgrade', upgrade), '::1', plain);\n`
  + `const tls = existsSync('key.pem') ? { key: readFileSync('key.pem'), cert: readFileSync('cert.pem') } : undefined;\n`
  + `const secure = tls ? await listen(https.createServer(tls, answer), '127.0.0.1') : 0;\n`
  + `const h2 = await listen(http2.createServer().on('stream', (st) => { st.respond({ ':status': 200 }); st.end('ok'); }), '127.0.0.1');\n`
  + `const h2s = tls ? await listen(http2.createSecureServer(tls).on('stream', (st) => { st.respond({ ':status': 200 }); st.end('ok'); }), '127.0.0.1') : 0;\n`
  + `announce(plain, secure, h2, h2s);\n`;

/** A client of a server probe: raw TCP, HTTP and HTTPS requests, HTTP/2 in clear and over TLS, to each port the probe announces. */
const PEER_CLIENT = (kind: 'net' | 'http' | 'https' | 'http2') => `${waitPort}`
  + (kind === 'net' ? `import * as net from 'node:net';\nconst c = net.connect(port, '127.0.0.1', () => c.end('x'));\nc.resume();\n` : '')
  + (kind === 'http' ? `for (let i = 0; i < 2; i++) await (await fetch('http://127.0.0.1:' + port + '/')).text();\nawait fetch('http://127.0.0.1:' + port + '/', { method: 'POST', body: 'x' }).then((r) => r.text()).catch(() => {});\n` : '')
  + (kind === 'https' ? `import * as https from 'node:https';\nawait new Promise((r) => https.get({ host: '127.0.0.1', port, rejectUnauthorized: false }, (s) => { s.resume(); s.on('end', r); }).on('error', r));\n` : '')
  + (kind === 'http2' ? `import * as http2 from 'node:http2';\nfor (const [url, options] of [['http://127.0.0.1:' + ports[0], {}], ['https://127.0.0.1:' + ports[1], { rejectUnauthorized: false }]]) await new Promise((r) => { const c = http2.connect(url, options); const q = c.request({ ':path': '/' }); q.resume(); q.on('end', () => { c.close(); r(); }); q.on('error', r); c.on('error', r); });\n` : '');

/** Reads a file's key and certificate, made for the probe (`certificate`). */
const credentials = `import { readFileSync } from 'node:fs';\nconst key = readFileSync('key.pem');\nconst cert = readFileSync('cert.pem');\n`;

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
  // fs: callback, promise and sync forms share their syscalls; each member is called in at least one form.
  { api: 'fs.readFile', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.readFileSync('f');\nawait fs.promises.readFile('f');\nfs.readFile('f', () => {});` },
  { api: 'fs.writeFile', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nawait fs.promises.writeFile('g', 'x'.repeat(100000));\nfs.writeFile('h', 'x', () => {});` },
  { api: 'fs.appendFile', code: `import * as fs from 'node:fs';\nfs.appendFileSync('f', 'x');\nfs.appendFile('f', 'x', () => {});` },
  { api: 'fs.stat', code: `import * as fs from 'node:fs';\nfs.stat('.', () => {});\nfs.lstat('.', () => {});\nfs.statSync('.');\nfs.statfs('.', () => {});\nconst fd = fs.openSync('.', 'r');\nfs.fstat(fd, () => fs.closeSync(fd));\nawait fs.promises.stat('.', { bigint: true });` },
  { api: 'fs.access', code: `import * as fs from 'node:fs';\nfs.access('.', () => {});\nfs.existsSync('missing');\nfs.exists('.', () => {});\nfs.accessSync('.', fs.constants.W_OK);` },
  { api: 'fs.readdir', setup: `import * as fs from 'node:fs';\nfs.mkdirSync('d/e', { recursive: true });`, code: `import * as fs from 'node:fs';\nfs.readdir('.', { withFileTypes: true }, () => {});\nfs.readdirSync('.', { recursive: true });\nfor await (const _ of fs.promises.glob('**')) { /* */ }\nfs.globSync('*');` },
  { api: 'fs.opendir', code: `import * as fs from 'node:fs';\nfor await (const _ of await fs.promises.opendir('.')) { /* */ }\nconst dir = fs.opendirSync('.');\ndir.readSync();\ndir.closeSync();\nvoid fs.Dir;` },
  { api: 'fs.mkdir', code: `import * as fs from 'node:fs';\nfs.mkdir('a/b', { recursive: true }, () => {});\nfs.mkdirSync('c');` },
  { api: 'fs.mkdtemp', code: `import * as fs from 'node:fs';\nfs.mkdtemp('t-', () => {});\nfs.mkdtempSync('u-');` },
  // the callback and promise forms remove in JavaScript, the sync form in C++ (unlinkat): each is called
  { api: 'fs.rm', setup: `import * as fs from 'node:fs';\nfor (const d of ['d', 'e', 'f']) { fs.mkdirSync(d + '/e', { recursive: true }); fs.writeFileSync(d + '/e/f', 'x'); }\nfs.mkdirSync('g');`, code: `import * as fs from 'node:fs';\nfs.rmdirSync('g');\nfs.rmSync('e', { recursive: true });\nawait fs.promises.rm('f', { recursive: true });\nfs.rm('d', { recursive: true }, () => {});` },
  { api: 'fs.unlink', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.unlink('f', () => {});` },
  { api: 'fs.rename', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.rename('f', 'g', () => {});` },
  // copy_file_range within a filesystem; across two (a tmpfs to this folder) libuv falls back to sendfile
  { api: 'fs.copyFile', needs: ['other-filesystem'], code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x'.repeat(100000));\nfs.copyFileSync('f', 'g');\nfs.copyFile(process.env.PROBE_OTHER_FILE, 'h', () => {});` },
  { api: 'fs.cp', setup: `import * as fs from 'node:fs';\nfs.mkdirSync('s/t', { recursive: true });\nfs.writeFileSync('s/t/f', 'x');\nfs.symlinkSync('f', 's/t/l');`, code: `import * as fs from 'node:fs';\nfs.cpSync('s', 'e', { recursive: true });\nawait fs.promises.cp('s', 'f', { recursive: true });\nfs.cp('s', 'd', { recursive: true, preserveTimestamps: true }, () => {});` },
  // open, then positional and vectored reads and writes, through descriptors and file handles
  {
    api: 'fs.open',
    code: `import * as fs from 'node:fs';\nconst fd = fs.openSync('f', 'w+');\nfs.writeSync(fd, 'abc', 0);\nfs.writevSync(fd, [Buffer.from('de'), Buffer.from('fg')], 3);\nconst b = Buffer.alloc(4);\nfs.readSync(fd, b, 0, 4, 1);\nfs.readvSync(fd, [Buffer.alloc(2), Buffer.alloc(2)], 2);\nfs.write(fd, 'h', () => fs.read(fd, b, 0, 1, 0, () => fs.close(fd, () => {})));\n`
      + `const h = await fs.promises.open('g', 'w+');\nawait h.write('xyz', 0);\nawait h.writev([Buffer.from('a'), Buffer.from('b')]);\nawait h.read(Buffer.alloc(3), 0, 3, 0);\nawait h.readv([Buffer.alloc(1)], 0);\nawait h.stat();\nawait h.close();\nfs.open('k', 'a', (e, d) => fs.closeSync(d));\nawait (await fs.openAsBlob('g')).text();`,
  },
  { api: 'fs.chmod', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.chmod('f', 0o600, () => {});\nconst fd = fs.openSync('f', 'r');\nfs.fchmodSync(fd, 0o644);\nfs.closeSync(fd);` },
  { api: 'fs.chown', setup: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.symlinkSync('f', 'l');`, code: `import * as fs from 'node:fs';\nconst [u, g] = [process.getuid(), process.getgid()];\nfs.chown('f', u, g, () => {});\nfs.lchownSync('l', u, g);\nconst fd = fs.openSync('f', 'r');\nfs.fchownSync(fd, u, g);\nfs.closeSync(fd);` },
  { api: 'fs.utimes', setup: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.symlinkSync('f', 'l');`, code: `import * as fs from 'node:fs';\nfs.utimes('f', 1, 1, () => {});\nfs.lutimesSync('l', 2, 2);\nconst fd = fs.openSync('f', 'r');\nfs.futimesSync(fd, 3, 3);\nfs.closeSync(fd);` },
  { api: 'fs.truncate', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'xx');\nfs.truncate('f', 1, () => {});\nconst fd = fs.openSync('f', 'r+');\nfs.ftruncateSync(fd, 0);\nfs.closeSync(fd);` },
  { api: 'fs.symlink', code: `import * as fs from 'node:fs';\nfs.symlink('target', 'l', () => {});\nfs.symlinkSync('target', 'm');` },
  { api: 'fs.link', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x');\nfs.link('f', 'h', () => {});` },
  { api: 'fs.realpath', setup: `import * as fs from 'node:fs';\nfs.symlinkSync('.', 'l');`, code: `import * as fs from 'node:fs';\nfs.realpath('l', () => {});\nfs.realpath.native('l', () => {});\nfs.realpathSync('l');\nfs.readlink('l', () => {});` },
  { api: 'fs.watch', setup: `import * as fs from 'node:fs';\nfs.mkdirSync('d/e', { recursive: true });`, code: `import * as fs from 'node:fs';\nconst w = fs.watch('.', () => {});\nconst r = fs.watch('d', { recursive: true }, () => {});\nconst ac = new AbortController();\n(async () => { try { for await (const _ of fs.promises.watch('d/e', { signal: ac.signal })) { /* */ } } catch {} })();\nfs.writeFileSync('f', 'x');\nfs.writeFileSync('d/e/g', 'x');\nsetTimeout(() => { w.close(); r.close(); ac.abort(); }, 50);` },
  { api: 'fs.watchFile', code: `import * as fs from 'node:fs';\nfs.watchFile('.', { interval: 5 }, () => {});\nsetTimeout(() => fs.unwatchFile('.'), 30);` },
  { api: 'fs.createReadStream', code: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'x'.repeat(200000));\nfs.createReadStream('f').resume();\nfs.createReadStream('f', { start: 10, end: 100000, highWaterMark: 1024 }).resume();\nnew fs.ReadStream('f').resume();` },
  { api: 'fs.createWriteStream', code: `import * as fs from 'node:fs';\nconst s = fs.createWriteStream('f');\ns.cork();\nfor (let i = 0; i < 10; i++) s.write('x'.repeat(1000));\nprocess.nextTick(() => { s.uncork(); s.end('y'); });\nconst t = fs.createWriteStream('g', { flags: 'r+', start: 0 }).on('error', () => {});\nt.end('z');\nnew fs.WriteStream('h').end('w');` },
  { api: 'fs.fsync', code: `import * as fs from 'node:fs';\nconst fd = fs.openSync('f', 'w');\nfs.fsync(fd, () => fs.fdatasync(fd, () => fs.closeSync(fd)));` },
  // network, on loopback only
  // servers, their clients untraced (peer): what serving asks for, and nothing of a client's
  {
    api: 'net.createServer',
    peer: PEER_CLIENT('net'),
    code: `import * as net from 'node:net';\n${writePort}const s = new net.Server();\nnet.createServer().close();\ns.on('connection', (c) => { void [c.remoteAddress, c.remotePort, c.localAddress, c.localPort]; c.setNoDelay(true); c.setKeepAlive(true, 1000); c.resume(); c.on('end', () => { c.end(); s.close(); }); });\ns.listen(0, '127.0.0.1', () => announce(s.address().port));`,
  },
  {
    api: 'http.createServer',
    peer: PEER_CLIENT('http'),
    code: `import * as http from 'node:http';\n${writePort}let served = 0;\nconst s = new http.Server((q, r) => { void [q.socket.remoteAddress, q.socket.remotePort, q.socket.localAddress]; q.resume(); r.setHeader('content-type', 'text/plain'); r.end('ok'); if (++served === 3) s.close(); });\nhttp.createServer().close();\ns.listen(0, '127.0.0.1', () => announce(s.address().port));`,
  },
  {
    api: 'https.createServer',
    needs: ['certificate'],
    peer: PEER_CLIENT('https'),
    code: `import * as https from 'node:https';\nimport * as tls from 'node:tls';\n${credentials}${writePort}const s = new https.Server({ key, cert }, (q, r) => { void [q.socket.remoteAddress, q.socket.remotePort, q.socket.localAddress]; r.end('ok'); s.close(); });\nhttps.createServer({ key, cert }).close();\nnew tls.Server({ key, cert }).close();\ntls.createServer({ key, cert }).close();\ns.listen(0, '127.0.0.1', () => announce(s.address().port));`,
  },
  {
    api: 'http2.createServer',
    needs: ['certificate'],
    peer: PEER_CLIENT('http2'),
    code: `import * as http2 from 'node:http2';\n${credentials}${writePort}let served = 0;\nconst servers = [http2.createServer(), http2.createSecureServer({ key, cert })];\nconst listening = servers.map((s) => new Promise((r) => { s.on('stream', (st) => { void [st.session.socket.remoteAddress, st.session.socket.localAddress]; st.respond({ ':status': 200 }); st.end('ok'); if (++served === 2) servers.forEach((x) => x.close()); }); s.listen(0, '127.0.0.1', () => r(s.address().port)); }));\nannounce(...(await Promise.all(listening)));`,
  },
  // a server on a unix socket (its client untraced; a client of one is net.connect's)
  {
    api: 'net.unix',
    peer: `import { existsSync } from 'node:fs';\nimport * as net from 'node:net';\nwhile (!existsSync('port')) await new Promise((r) => setTimeout(r, 10));\nnet.connect('sock', function () { this.end('x'); }).resume();`,
    code: `import * as net from 'node:net';\n${writePort}const s = net.createServer((c) => { c.resume(); c.on('end', () => { c.end(); s.close(); }); }).listen('sock', () => announce(0));`,
  },
  // clients, their servers untraced (peer); names resolved by the probes' DNS server
  {
    api: 'net.connect',
    needs: ['resolver'],
    peer: PEER_SERVERS,
    code: `import * as net from 'node:net';\n${waitPort}const done = (c) => new Promise((r) => { c.resume(); c.on('close', r).on('error', r); });\nconst c = net.connect(port, '127.0.0.1', () => { void [c.remoteAddress, c.localPort]; c.setNoDelay(true); c.end('GET / HTTP/1.0\\r\\n\\r\\n'); });\nawait done(c);\nawait done(net.createConnection({ port, host: '${PROBE_HOST}', autoSelectFamily: true }).on('connect', function () { this.end('GET / HTTP/1.0\\r\\n\\r\\n'); }));\nawait done(new net.Socket().connect(port, '127.0.0.1').on('connect', function () { this.end('GET / HTTP/1.0\\r\\n\\r\\n'); }));\nvoid net.Stream;`,
  },
  {
    api: 'net.connect.ipv6',
    peer: PEER_SERVERS,
    code: `import * as net from 'node:net';\n${waitPort}await new Promise((r) => { const c = net.connect(port, '::1', () => { void [c.remoteAddress, c.localPort]; c.end('GET / HTTP/1.0\\r\\n\\r\\n'); }); c.resume(); c.on('close', r).on('error', r); });`,
  },
  {
    api: 'http.request',
    needs: ['resolver'],
    peer: PEER_SERVERS,
    code: `import * as http from 'node:http';\n${waitPort}const agent = new http.Agent({ keepAlive: true });\nconst get = (options) => new Promise((resolve) => http.get(options, (r) => { r.resume(); r.on('end', resolve); }).on('error', resolve));\nawait get({ host: '${PROBE_HOST}', port, agent });\nawait get('http://${PROBE_HOST}:' + port + '/');\nawait new Promise((resolve) => { const q = http.request({ hostname: '127.0.0.1', port, method: 'POST', agent: http.globalAgent }, (r) => { r.resume(); r.on('end', resolve); }); q.end('body'); });\nvoid http.ClientRequest;\nagent.destroy();\nhttp.globalAgent.destroy();`,
  },
  {
    api: 'fetch',
    needs: ['resolver'],
    peer: PEER_SERVERS,
    code: `${waitPort}await (await fetch('http://${PROBE_HOST}:' + port + '/')).text();\nawait (await fetch('http://127.0.0.1:' + port + '/', { method: 'POST', body: 'x' })).text();\nawait new Promise((resolve) => { const ws = new WebSocket('ws://127.0.0.1:' + port + '/'); ws.onclose = resolve; ws.onerror = resolve; });`,
  },
  {
    api: 'tls.connect',
    needs: ['resolver', 'certificate'],
    peer: PEER_SERVERS,
    code: `import * as tls from 'node:tls';\nimport * as https from 'node:https';\n${waitPort}const secure = ports[1];\nawait new Promise((resolve) => { const c = tls.connect({ host: '${PROBE_HOST}', port: secure, rejectUnauthorized: false, servername: 'localhost' }, () => c.end('GET / HTTP/1.0\\r\\n\\r\\n')); c.resume(); c.on('close', resolve); c.on('error', resolve); });\nawait new Promise((resolve) => https.get({ host: '${PROBE_HOST}', port: secure, rejectUnauthorized: false, agent: new https.Agent() }, (r) => { r.resume(); r.on('end', resolve); }).on('error', resolve));\nawait new Promise((resolve) => https.request('https://127.0.0.1:' + secure + '/', { rejectUnauthorized: false }, (r) => { r.resume(); r.on('end', resolve); }).on('error', resolve).end());\nvoid [tls.TLSSocket, https.globalAgent];`,
  },
  {
    api: 'http2.connect',
    needs: ['certificate'],
    peer: PEER_SERVERS,
    code: `import * as http2 from 'node:http2';\n${waitPort}for (const [url, options] of [['http://127.0.0.1:' + ports[2], {}], ['https://127.0.0.1:' + ports[3], { rejectUnauthorized: false }]]) await new Promise((r) => { const c = http2.connect(url, options); const q = c.request({ ':path': '/' }); q.resume(); q.on('end', () => { c.close(); r(); }); q.on('error', r); c.on('error', r); });`,
  },
  { api: 'dgram.createSocket', code: `import * as dgram from 'node:dgram';\nconst s = dgram.createSocket('udp4');\ns.on('message', () => s.close());\ns.bind(0, '127.0.0.1', () => s.send('x', s.address().port, '127.0.0.1'));` },
  {
    api: 'dns.lookup',
    needs: ['resolver'],
    code: `import * as dns from 'node:dns';\nawait dns.promises.lookup('${PROBE_HOST}', { all: true });\nawait dns.promises.lookup('${PROBE_HOST}', { family: 6 });\nawait new Promise((r) => dns.lookup('${PROBE_HOST}', { family: 4 }, r));\nawait new Promise((r) => dns.lookup('missing.${PROBE_DOMAIN}', r));\nawait new Promise((r) => dns.lookup('localhost', r));\nawait new Promise((r) => dns.lookupService('127.0.0.1', 22, r));`,
  },
  {
    api: 'dns.resolve',
    needs: ['resolver'],
    code: `import * as dns from 'node:dns';\nawait dns.promises.resolve4('${PROBE_HOST}');\nawait dns.promises.resolve6('${PROBE_HOST}');\nawait dns.promises.resolve('missing.${PROBE_DOMAIN}').catch(() => {});\nconst r = new dns.Resolver({ timeout: 200, tries: 1 });\nawait new Promise((done) => r.resolve4('${PROBE_HOST}', done));\nawait dns.promises.reverse('127.0.0.1').catch(() => {});`,
  },
  // processes and threads: every stdio mode (pipes, inherited, ignored, an IPC channel), the child a Node.js too
  {
    api: 'child_process.spawn',
    code: `import * as cp from 'node:child_process';\nconst done = (child) => new Promise((r) => child.on('close', r));\nconst piped = cp.spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)']);\npiped.stdout.resume();\npiped.stdin.end('data');\nawait done(piped);\nawait done(cp.spawn(process.execPath, ['-e', '0'], { stdio: 'inherit' }));\nawait done(cp.spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', detached: true }));\nawait done(cp.spawn(process.execPath, ['-e', 'process.send("x", () => process.exit())'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] }).on('message', () => {}));\nvoid cp.ChildProcess;`,
  },
  { api: 'child_process.exec', code: `import * as cp from 'node:child_process';\nawait new Promise((r) => cp.exec('echo x | cat', r));\nawait new Promise((r) => cp.execFile(process.execPath, ['-e', 'console.log(1)'], r));\nawait new Promise((r) => cp.execFile('missing-program', r));` },
  { api: 'child_process.spawnSync', code: `import * as cp from 'node:child_process';\ncp.spawnSync(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'x' });\ncp.execSync('echo x');\ncp.execFileSync(process.execPath, ['-e', '0'], { stdio: 'inherit' });` },
  // the programs an app starts that are not Node.js: a shell (dash and bash: pipes, subshells, command substitution,
  // job control's start-up) running basic tools; what a C program with libc needs to start and work, and a shell's own
  {
    api: 'child_process.programs',
    setup: `import * as fs from 'node:fs';\nfs.writeFileSync('f', 'a b\\nc\\n');`,
    code: `import { spawnSync } from 'node:child_process';\nconst script = 'cat f | wc -l >/dev/null; uname -a >/dev/null; (sleep 0); x=$(echo y); echo "$x" >/dev/null; test -x /bin/sh && cd .';\nfor (const shell of ['/bin/sh', '/bin/bash']) spawnSync(shell, ['-c', script], { stdio: 'pipe' });`,
  },
  { api: 'child_process.fork', code: `import * as cp from 'node:child_process';\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('c.cjs', 'process.on("message", (m) => process.send(m, () => process.exit(0)))');\nconst child = cp.fork('c.cjs');\nchild.on('message', () => {});\nchild.send({ hello: 1 });` },
  {
    api: 'worker_threads.Worker',
    code: `import { Worker, MessageChannel, BroadcastChannel } from 'node:worker_threads';\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('w.mjs', "import { parentPort } from 'node:worker_threads'; parentPort.once('message', ({ port }) => { port.postMessage(new Uint8Array(1024)); port.close(); parentPort.close(); });");\nconst w = new Worker('./w.mjs');\nconst { port1, port2 } = new MessageChannel();\nw.postMessage({ port: port2 }, [port2]);\nawait new Promise((r) => port1.once('message', r));\nport1.close();\nawait new Promise((r) => w.on('exit', r));\nconst e = new Worker('require("worker_threads").parentPort.postMessage(1)', { eval: true });\nawait new Promise((r) => e.once('message', r));\nawait e.terminate();\nnew BroadcastChannel('c').close();`,
  },
  { api: 'cluster.fork', code: `import cluster from 'node:cluster';\nif (cluster.isPrimary) cluster.fork().on('online', function () { this.kill(); });\nelse setTimeout(() => {}, 10);` },
  // crypto and compression: the threadpool and the kernel's random source
  { api: 'crypto.randomBytes', code: `import * as crypto from 'node:crypto';\ncrypto.randomBytes(32, () => {});\ncrypto.randomUUID();\ncrypto.getRandomValues(new Uint8Array(8));` },
  { api: 'crypto.createHash', code: `import * as crypto from 'node:crypto';\ncrypto.createHash('sha256').update('x').digest();\ncrypto.createHmac('sha256', 'k').update('x').digest();\nconst k = crypto.randomBytes(32);\nconst c = crypto.createCipheriv('aes-256-gcm', k, crypto.randomBytes(12));\nc.update('x');\nc.final();` },
  { api: 'crypto.pbkdf2', code: `import * as crypto from 'node:crypto';\ncrypto.pbkdf2('p', 's', 1000, 32, 'sha256', () => {});` },
  { api: 'crypto.scrypt', code: `import * as crypto from 'node:crypto';\ncrypto.scrypt('p', 's', 32, () => {});` },
  { api: 'crypto.generateKeyPair', code: `import * as crypto from 'node:crypto';\ncrypto.generateKeyPair('ec', { namedCurve: 'P-256' }, () => {});\nconst { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');\ncrypto.verify(null, Buffer.from('x'), publicKey, crypto.sign(null, Buffer.from('x'), privateKey));` },
  { api: 'zlib.gzip', code: `import * as zlib from 'node:zlib';\nzlib.gzip('x'.repeat(100000), (e, b) => zlib.gunzip(b, () => {}));\nzlib.brotliCompressSync('x'.repeat(1000));\nzlib.createDeflate().end('x'.repeat(1000));` },
  // the process and the machine
  { api: 'os.cpus', code: `import * as os from 'node:os';\nos.cpus();\nos.availableParallelism();` },
  { api: 'os.networkInterfaces', code: `import * as os from 'node:os';\nos.networkInterfaces();` },
  { api: 'os.hostname', code: `import * as os from 'node:os';\nos.hostname();` },
  { api: 'os.userInfo', code: `import * as os from 'node:os';\nos.userInfo();\nos.homedir();` },
  { api: 'os.memory', code: `import * as os from 'node:os';\nos.freemem(); os.totalmem(); os.loadavg(); os.uptime();` },
  { api: 'process.memoryUsage', code: `process.memoryUsage(); process.resourceUsage(); process.cpuUsage();` },
  { api: 'process.chdir', code: `process.chdir('..'); process.cwd();` },
  { api: 'process.kill', code: `process.on('SIGUSR2', () => {});\nprocess.kill(process.pid, 'SIGUSR2');` },
  { api: 'process.umask', code: `process.umask(0o22);` },
  { api: 'process.stdout', code: `process.stdout.write('x\\n');\nprocess.stderr.write('y\\n');\nconsole.log('z');` },
  { api: 'process.stdin', code: `process.stdin.resume(); setTimeout(() => process.stdin.pause(), 10);` },
  { api: 'timers.setInterval', code: `const t = setInterval(() => {}, 1);\nsetTimeout(() => clearInterval(t), 20);\nsetImmediate(() => {});` },
  { api: 'v8.writeHeapSnapshot', code: `import * as v8 from 'node:v8';\nv8.writeHeapSnapshot('h.heapsnapshot');\nv8.getHeapSnapshot().resume();` },
  { api: 'readline.createInterface', code: `import * as readline from 'node:readline';\nimport { writeFileSync, createReadStream } from 'node:fs';\nwriteFileSync('f', 'a\\nb\\n');\nreadline.createInterface({ input: createReadStream('f') }).on('line', () => {});` },
  { api: 'repl.start', code: `import * as repl from 'node:repl';\nimport { PassThrough } from 'node:stream';\nconst input = new PassThrough();\nconst r = repl.start({ input, output: new PassThrough(), terminal: false });\ninput.write('1 + 1\\n');\nsetTimeout(() => r.close(), 20);` },
  { api: 'tty.isatty', code: `import * as tty from 'node:tty';\ntty.isatty(0);\ntty.isatty(1);` },
  // a native addon loaded and run: real prebuilt addons from npm (Lightning CSS, Rolldown, a Rust allocator's own raw calls among them)
  {
    api: 'native.addon',
    needs: ['packages'],
    code: `import { createRequire } from 'node:module';\nimport { writeFileSync } from 'node:fs';\nconst require = createRequire(process.env.PROBE_PACKAGES + '/');\nrequire('lightningcss').transform({ filename: 'a.css', code: Buffer.from('a { color: red }'), minify: true });\nwriteFileSync('in.js', 'export const x = 1;');\nconst { build } = await import(require.resolve('rolldown'));\nawait build({ input: 'in.js', output: { file: 'out.js' }, logLevel: 'silent' });`,
  },
  { api: 'inspector.open', code: `import * as inspector from 'node:inspector';\ninspector.open(0, '127.0.0.1');\ninspector.url();\ninspector.close();` },
];
