/**
 * Which probes of the Node.js syscall map a use of a core module stands for:
 * `fs.promises.readFile`, `fs.readFileSync` and `readFile` from `node:fs` are
 * all the probe `fs.readFile`. A member Tenet does not know widens to every
 * probe of its module; a module Tenet does not know widens to every probe.
 */

/** Modules whose members ask the kernel for nothing beyond Node's own baseline. */
const PURE = new Set([
  'assert', 'async_hooks', 'buffer', 'console', 'constants', 'diagnostics_channel', 'domain', 'events', 'module', 'path',
  'perf_hooks', 'punycode', 'querystring', 'stream', 'string_decoder', 'sys', 'timers', 'url', 'util', 'vm',
]);

/** Members of a module, by name after `Sync`, `Async` and `promises` are folded away; `''` is every other member. */
type Members = Readonly<Record<string, readonly string[]>>;

const FS: Members = {
  readFile: ['fs.readFile'], writeFile: ['fs.writeFile'], appendFile: ['fs.appendFile'],
  stat: ['fs.stat'], lstat: ['fs.stat'], fstat: ['fs.stat'], statfs: ['fs.stat'], exists: ['fs.access'], access: ['fs.access'],
  readdir: ['fs.readdir'], opendir: ['fs.opendir'], Dir: ['fs.opendir'], glob: ['fs.readdir', 'fs.opendir'],
  mkdir: ['fs.mkdir'], mkdtemp: ['fs.mkdtemp'], rm: ['fs.rm'], rmdir: ['fs.rm'], unlink: ['fs.unlink'], rename: ['fs.rename'],
  copyFile: ['fs.copyFile'], cp: ['fs.cp'],
  open: ['fs.open'], openAsBlob: ['fs.open'], close: ['fs.open'], read: ['fs.open'], readv: ['fs.open'], write: ['fs.open'], writev: ['fs.open'],
  createReadStream: ['fs.createReadStream'], createWriteStream: ['fs.createWriteStream'], ReadStream: ['fs.createReadStream'], WriteStream: ['fs.createWriteStream'],
  chmod: ['fs.chmod'], fchmod: ['fs.chmod'], lchmod: ['fs.chmod'], chown: ['fs.chown'], fchown: ['fs.chown'], lchown: ['fs.chown'],
  utimes: ['fs.utimes'], futimes: ['fs.utimes'], lutimes: ['fs.utimes'], truncate: ['fs.truncate'], ftruncate: ['fs.truncate'],
  symlink: ['fs.symlink'], link: ['fs.link'], realpath: ['fs.realpath'], readlink: ['fs.realpath'],
  watch: ['fs.watch'], watchFile: ['fs.watchFile'], unwatchFile: ['fs.watchFile'], fsync: ['fs.fsync'], fdatasync: ['fs.fsync'],
  constants: [], Stats: [], Dirent: [], FileHandle: ['fs.open'], F_OK: [], R_OK: [], W_OK: [], X_OK: [], _toUnixTimestamp: [],
};

/** Members that are, or do what, other members do: `fs.FileReadStream` is `fs.ReadStream`; a SyncWriteStream writes with writeSync. */
const ALIASES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  fs: {
    FileReadStream: ['ReadStream'], FileWriteStream: ['WriteStream'], Utf8Stream: ['createWriteStream'], SyncWriteStream: ['write'],
    mkdtempDisposable: ['mkdtemp', 'rm'],
  },
};

const NET_CLIENT = ['net.connect', 'net.connect.ipv6', 'net.unix'];
const NET_SERVER = ['net.createServer', 'net.unix'];
const HTTP_SERVER = ['http.createServer', 'net.unix'];
const HTTP_CLIENT = ['http.request', 'dns.lookup'];
const TLS_CLIENT = ['tls.connect', 'dns.lookup'];
/** A program the app starts that is not Node.js (a shell, a tool): what such programs need, measured. */
const PROGRAMS = 'child_process.programs';
const SPAWN = ['child_process.spawn', 'child_process.exec', 'child_process.spawnSync', PROGRAMS];

const MODULES: Readonly<Record<string, Members>> = {
  fs: FS,
  net: {
    createServer: NET_SERVER, Server: NET_SERVER, connect: NET_CLIENT, createConnection: NET_CLIENT, Socket: NET_CLIENT, Stream: NET_CLIENT,
    isIP: [], isIPv4: [], isIPv6: [], BlockList: [], SocketAddress: [], getDefaultAutoSelectFamily: [], setDefaultAutoSelectFamily: [],
    '': [...NET_SERVER, ...NET_CLIENT],
  },
  http: {
    createServer: HTTP_SERVER, Server: HTTP_SERVER, request: HTTP_CLIENT, get: HTTP_CLIENT, Agent: HTTP_CLIENT, globalAgent: HTTP_CLIENT,
    ClientRequest: HTTP_CLIENT, STATUS_CODES: [], METHODS: [], IncomingMessage: [], OutgoingMessage: [], ServerResponse: [],
    validateHeaderName: [], validateHeaderValue: [], maxHeaderSize: [], '': [...HTTP_SERVER, ...HTTP_CLIENT],
  },
  https: {
    createServer: ['https.createServer'], Server: ['https.createServer'], request: [...HTTP_CLIENT, ...TLS_CLIENT], get: [...HTTP_CLIENT, ...TLS_CLIENT],
    Agent: [...HTTP_CLIENT, ...TLS_CLIENT], globalAgent: [...HTTP_CLIENT, ...TLS_CLIENT], '': ['https.createServer', ...HTTP_CLIENT, ...TLS_CLIENT],
  },
  http2: {
    createServer: ['http2.createServer'], createSecureServer: ['http2.createServer', 'https.createServer'], connect: ['http2.connect', ...TLS_CLIENT, ...NET_CLIENT],
    constants: [], sensitiveHeaders: [], getDefaultSettings: [], getPackedSettings: [], getUnpackedSettings: [],
    '': ['http2.createServer', 'http2.connect', 'https.createServer', ...TLS_CLIENT, ...NET_CLIENT],
  },
  tls: {
    connect: [...TLS_CLIENT, ...NET_CLIENT], TLSSocket: [...TLS_CLIENT, ...NET_CLIENT], createServer: ['https.createServer'], Server: ['https.createServer'],
    createSecureContext: [], rootCertificates: [], getCiphers: [], checkServerIdentity: [], DEFAULT_MIN_VERSION: [], DEFAULT_MAX_VERSION: [],
    '': ['https.createServer', ...TLS_CLIENT, ...NET_CLIENT],
  },
  dgram: { '': ['dgram.createSocket', 'dns.lookup'] },
  dns: {
    lookup: ['dns.lookup'], lookupService: ['dns.lookup'], getServers: [], setServers: [], setDefaultResultOrder: [], getDefaultResultOrder: [],
    ADDRCONFIG: [], ALL: [], V4MAPPED: [],
    '': ['dns.resolve', 'dns.lookup'],
  },
  child_process: {
    spawn: ['child_process.spawn', PROGRAMS], exec: ['child_process.exec', PROGRAMS], execFile: ['child_process.exec', PROGRAMS],
    fork: ['child_process.fork'], spawnSync: ['child_process.spawnSync', PROGRAMS], execSync: ['child_process.spawnSync', PROGRAMS], execFileSync: ['child_process.spawnSync', PROGRAMS],
    ChildProcess: SPAWN, '': [...SPAWN, 'child_process.fork'],
  },
  cluster: { isPrimary: [], isMaster: [], isWorker: [], worker: [], workers: [], '': ['cluster.fork', ...NET_SERVER] },
  worker_threads: {
    isMainThread: [], parentPort: [], workerData: [], threadId: [], MessageChannel: [], MessagePort: [], BroadcastChannel: [],
    receiveMessageOnPort: [], markAsUntransferable: [], getEnvironmentData: [], setEnvironmentData: [], '': ['worker_threads.Worker'],
  },
  crypto: {
    '': ['crypto.randomBytes', 'crypto.createHash', 'crypto.pbkdf2', 'crypto.scrypt', 'crypto.generateKeyPair'],
  },
  zlib: { '': ['zlib.gzip'] },
  os: {
    cpus: ['os.cpus'], availableParallelism: ['os.cpus'], networkInterfaces: ['os.networkInterfaces'], hostname: ['os.hostname'],
    userInfo: ['os.userInfo'], homedir: ['os.userInfo'], totalmem: ['os.memory'], freemem: ['os.memory'], loadavg: ['os.memory'], uptime: ['os.memory'],
    EOL: [], platform: [], type: [], arch: [], release: [], version: [], machine: [], endianness: [], tmpdir: [], constants: [], devNull: [],
    '': ['os.cpus', 'os.networkInterfaces', 'os.hostname', 'os.userInfo', 'os.memory'],
  },
  process: {
    kill: ['process.kill'], chdir: ['process.chdir'], umask: ['process.umask'], memoryUsage: ['process.memoryUsage'], resourceUsage: ['process.memoryUsage'],
    cpuUsage: ['process.memoryUsage'], stdout: ['process.stdout'], stderr: ['process.stdout'], stdin: ['process.stdin'],
    // Anything else of `process` (env, argv, nextTick, on('SIGTERM'), exit, hrtime) is Node's own baseline.
    '': [],
    '*': ['process.kill', 'process.chdir', 'process.umask', 'process.memoryUsage', 'process.stdout', 'process.stdin'],
  },
  readline: { '': ['readline.createInterface', 'process.stdin'] },
  repl: { '': ['repl.start', 'readline.createInterface', 'process.stdin', 'process.stdout'] },
  tty: { '': ['tty.isatty', 'process.stdout'] },
  v8: { writeHeapSnapshot: ['v8.writeHeapSnapshot'], getHeapSnapshot: ['v8.writeHeapSnapshot'], '': [] },
  inspector: { '': ['inspector.open', ...NET_SERVER] },
  // Web APIs Node provides as globals.
  globals: { fetch: ['fetch', 'dns.lookup'], WebSocket: ['fetch', 'dns.lookup'], EventSource: ['fetch', 'dns.lookup'] },
};

/** `readFileSync` → `readFile`; `existsSync` → `exists`. */
function baseMember(member: string): string {
  return member.replace(/Sync$/, '').replace(/^(.+)Async$/, '$1');
}

/**
 * The probes a use of `module.member` stands for; `member` is `*` when the
 * whole module escapes. `undefined`: Tenet does not know the module, so its
 * uses are bounded by nothing short of every probe.
 */
export function nodeApisOf(module: string, member: string): readonly string[] | undefined {
  if (PURE.has(module)) return [];
  const members = Object.hasOwn(MODULES, module) ? MODULES[module]! : undefined;
  if (members === undefined) return undefined;
  // own keys only: `process.constructor` is no member of the map's
  const own = (key: string) => (Object.hasOwn(members, key) ? members[key] : undefined);
  const every = own('*') ?? [...new Set(Object.values(members).flat())];
  if (member === '*') return every;
  // a property no API of Node's is named like (`fs['___graceful-fs.queue']`): a library's own mark, nothing called
  if (!/^[A-Za-z_$][\w$]*$/.test(member)) return [];
  const byModule = Object.hasOwn(ALIASES, module) ? ALIASES[module]! : {};
  const aliases = Object.hasOwn(byModule, baseMember(member)) ? byModule[baseMember(member)] : undefined;
  if (aliases !== undefined) return [...new Set(aliases.flatMap((alias) => own(alias) ?? []))];
  return own(member) ?? own(baseMember(member)) ?? own('') ?? every;
}

/** Node's internal bindings that old libraries reach through `process.binding(name)`, by the module they serve. */
const BINDINGS: Readonly<Record<string, string>> = {
  fs: 'fs', fs_dir: 'fs', fs_event_wrap: 'fs', tcp_wrap: 'net', pipe_wrap: 'net', stream_wrap: 'net', tty_wrap: 'tty', udp_wrap: 'dgram',
  cares_wrap: 'dns', spawn_sync: 'child_process', process_wrap: 'child_process', os: 'os', crypto: 'crypto', zlib: 'zlib', tls_wrap: 'tls',
  buffer: 'buffer', util: 'util', constants: 'constants', natives: 'module', config: 'module', types: 'util', contextify: 'vm', uv: 'util',
  http_parser: 'http', signal_wrap: 'process', timers: 'timers', v8: 'v8', string_decoder: 'string_decoder', url: 'url',
};

/** The probes `process.binding(name)` stands for; undefined for a binding Tenet does not know. */
export function nodeApisOfBinding(name: string): readonly string[] | undefined {
  const module = Object.hasOwn(BINDINGS, name) ? BINDINGS[name] : undefined;
  if (module === 'http') return [];
  return module === undefined ? undefined : nodeApisOf(module, '*');
}

/** Core modules with syscalls that MODULES does not map: what they may do is every probe. */
const UNMAPPED = ['sqlite', 'test', 'trace_events', 'wasi'];
/** Members of modules that warn when loaded (experimental), written out rather than loaded. */
const WARNS: Readonly<Record<string, object>> = { wasi: { WASI: true } };

/**
 * The core modules that have one of `members` (as this Node.js has them), and
 * the probes those members stand for: what a module named at run time may do
 * when the code uses only these members of it (`require(engine).__express` is
 * no core module's). `every` when an unmapped core module has one.
 */
export function nodeApisOfMembers(members: readonly string[]): { uses: string[]; apis: string[]; every: boolean } {
  const uses: string[] = [];
  const apis = new Set<string>();
  let every = false;
  for (const module of [...Object.keys(MODULES).filter((m) => m !== 'globals'), ...UNMAPPED]) {
    const loaded = (WARNS[module] ?? process.getBuiltinModule(`node:${module}`)) as Record<string, unknown> | undefined;
    if (loaded === undefined) continue;
    for (const member of members) {
      if (!(member in loaded) || member in Object.prototype) continue;
      uses.push(`${module}.${member}`);
      const known = nodeApisOf(module, member);
      if (known === undefined) every = true;
      else for (const api of known) apis.add(api);
    }
  }
  return { uses, apis: [...apis], every };
}

/** Every member the map knows, by module (`''`: any other member, `'*'`: the whole module), with the probes it stands for. */
export function nodeApiMembers(): Array<{ module: string; member: string; apis: readonly string[] }> {
  return Object.entries(MODULES).flatMap(([module, members]) => Object.entries(members).map(([member, apis]) => ({ module, member, apis })));
}
