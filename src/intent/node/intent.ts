import { posix } from 'node:path';
import { nativeNeeds, nodeApisOf, nodeApisOfBinding, nodeApisOfMembers, withLegacyCalls, type NativeNeeds, type NodeSyscallMap } from '../../knowledge/index.ts';
import { emptyModel, finding, type CodeReport, type Finding, type IntentModel, type Source } from '../../model/index.ts';
import { addDns, addEgress, addListen, addProcesses, addWritable, mergeSources } from '../common/model-builder.ts';
import { programsOfScript } from '../common/command.ts';
import { appEntries, type AppCommand } from './entries.ts';
import { appGraph, type AppCoreUse } from './graph.ts';
import { elfImports } from './native.ts';
import { packageJson, type SourceTree } from './resolve.ts';
import type { Literal } from './usage.ts';

export type Widening = CodeReport['widened'][number];

export interface CodeIntent {
  model: IntentModel;
  report: CodeReport;
  findings: Finding[];
}

export interface CodeIntentOptions {
  map: NodeSyscallMap;
  /** The command the image runs, when a Dockerfile says it. */
  command?: AppCommand;
  /** The folder as the user named it, for the model id and messages. */
  name?: string;
  /** Files are named by their whole path (an image's), not relative to the app's folder. */
  wholePaths?: boolean;
}

const SPAWNING = /^(child_process|cluster)\./;
const NATIVE = 'native.addon';
/** The probe of a program the app starts that is not Node.js (a shell, a tool). */
const PROGRAMS = 'child_process.programs';
/**
 * What code Tenet cannot read may ask for: native code, every mapped API (a
 * real native addon's own calls among them); a module named at run time, every
 * API of Node's but process creation.
 */
function everyApi(map: NodeSyscallMap, native: boolean): string[] {
  return Object.keys(map.apis).filter((api) => native || (!SPAWNING.test(api) && api !== NATIVE));
}

const at = (file: string, line: number, detail: string): Source => ({ kind: 'code', file, line, detail });

function urlTarget(value: Literal | undefined): { host: string; port: number } | undefined {
  if (typeof value !== 'string' || !/^(https?|wss?):\/\//.test(value)) return undefined;
  try {
    const url = new URL(value);
    const port = url.port !== '' ? Number(url.port) : /^(https|wss):$/.test(url.protocol) ? 443 : 80;
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

/** Where a client use connects: `connect(6379, 'redis')`, `connect({ port, host })`, `get('http://api:8080/x')`, `fetch(url)`. */
function egressOf(use: AppCoreUse): { host: string; port: number } | undefined {
  const [first, second] = use.args ?? [];
  if (use.module === 'net' || use.module === 'tls') {
    if (typeof first === 'number') return { host: typeof second === 'string' ? second : 'localhost', port: first };
    if (typeof first === 'object' && typeof first.port === 'number') return { host: typeof first.host === 'string' ? first.host : 'localhost', port: first.port };
    return undefined;
  }
  if (typeof first !== 'object') return urlTarget(first);
  // http.request({ hostname, port }): the hostname wins over host, as in Node
  const host = first.hostname ?? first.host;
  if (typeof host !== 'string') return undefined;
  return { host, port: typeof first.port === 'number' ? first.port : use.module === 'https' ? 443 : 80 };
}

const CLIENTS = new Set(['net.connect', 'net.createConnection', 'tls.connect', 'http.request', 'http.get', 'https.request', 'https.get', 'globals.fetch', 'globals.WebSocket', 'globals.EventSource']);
const WRITES = new Set(['writeFile', 'appendFile', 'createWriteStream', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'cp', 'truncate', 'symlink', 'link', 'chmod', 'chown', 'utimes']);
const READS = new Set(['readFile', 'createReadStream', 'readdir', 'opendir', 'watch', 'watchFile', 'stat', 'lstat', 'access', 'exists', 'realpath', 'readlink']);

/**
 * The code intent of the Node.js app in folder `dir`: the module graph from its
 * entries, the syscalls of every core API it reaches (measured, from the syscall
 * map), and what literal arguments say — ports it listens on, peers it calls,
 * programs it starts, paths it writes. Code Tenet cannot read (native addons,
 * modules named at run time, core modules it does not know) widens the syscall
 * set and is reported, so a profile errs on the side of allowing.
 */
export function codeIntent(tree: SourceTree, dir: string, options: CodeIntentOptions): CodeIntent {
  const { map } = options;
  const declared = packageJson(tree, dir)?.name;
  const name = options.name ?? (typeof declared === 'string' && declared !== '' ? declared : posix.basename(posix.resolve('/', dir)) || dir);
  const model = emptyModel(`app:${name}`, { workload: { kind: 'NodeApp', name, sources: [{ kind: 'code', file: dir }] } });
  const findings: Finding[] = [];
  const entries = appEntries(tree, dir, options.command);
  const report: CodeReport = { dir, model: model.id, node: map.node, entries, files: 0, apis: [], widened: [], reads: [], spawns: false };
  if (entries.length === 0) {
    findings.push(finding('TN018', 'No entry point: package.json names no existing main, bin, exports or start script, and there is no index.js', { file: posix.join(dir, 'package.json'), line: 1 }, model.id));
    return { model, report, findings };
  }
  // the folder relative paths run from: the image's working folder, or the app's own folder on disk
  const workdir = options.wholePaths === true ? options.command?.workdir ?? dir : dir;
  const graph = appGraph(tree, entries.map((e) => e.path), workdir);
  report.files = graph.files.length;
  const rel = (file: string) => (options.wholePaths === true ? file : posix.relative(dir, file) || file);

  // the APIs the code uses, each at its first use; what widenings add is kept apart, to say what each costs
  const apis = new Map<string, { file: string; line: number }>();
  const use = (api: string, file: string, line: number) => {
    if (!apis.has(api)) apis.set(api, { file, line });
  };
  const widenings: Array<{ widening: Widening; apis: readonly string[]; syscalls: readonly string[]; unbounded: boolean }> = [];
  /** A widening to `apis` (every mapped API when absent: native code Tenet cannot bound) and `syscalls` of its own. */
  const widen = (widening: Omit<Widening, 'adds'>, apis?: readonly string[], syscalls: readonly string[] = []) => {
    const entry = { ...widening, adds: [] };
    report.widened.push(entry);
    widenings.push({ widening: entry, apis: apis ?? everyApi(map, true), syscalls, unbounded: apis === undefined });
  };
  // a native addon is bounded by what it imports (read once per file), when the tree holds its bytes
  const addons = new Map<string, NativeNeeds | string>();
  const addonNeeds = (path: string): NativeNeeds | string => {
    let needs = addons.get(path);
    if (needs === undefined) {
      const bytes = tree.bytes?.(path);
      const elf = bytes === undefined ? undefined : elfImports(bytes);
      needs = bytes === undefined ? 'its file could not be read' : elf === undefined ? 'it is not a 64-bit ELF shared object Tenet can read'
        : nativeNeeds(elf.imports, elf.rust);
      if (typeof needs !== 'string' && needs.unknown.length > 0) {
        const names = needs.unknown.slice(0, 5).join(', ') + (needs.unknown.length > 5 ? ` and ${needs.unknown.length - 5} more` : '');
        needs = `it imports ${names}, which Tenet does not know`;
      }
      addons.set(path, needs);
    }
    return needs;
  };

  for (const { path, usage } of graph.files) {
    if (usage.errors.length > 0) {
      const first = usage.errors[0]!;
      const more = usage.errors.length > 1 ? ` (and ${usage.errors.length - 1} more)` : '';
      findings.push(finding('TN019', `${first.message}${more}; the rest of the file is still analysed`, { file: rel(path), line: first.line }, model.id));
    }
    for (const listen of usage.listens) {
      addListen(model, { port: listen.port, protocol: 'tcp', sources: [at(rel(path), listen.line, `listen(${listen.port})`)] });
    }
  }
  for (const load of graph.loads) {
    const file = rel(load.file);
    const read = load.env !== undefined ? `what ${load.from} names is the operator's to set, not the app's code, and is not read`
      : `it may load ${load.candidates} file${load.candidates === 1 ? '' : 's'} of ${load.from}, read as the app's code`;
    let core: string;
    if (load.prefix !== undefined) core = 'no core module';
    else if (load.notCore !== undefined) core = `${load.notCore}: never a core module`;
    else if (load.members !== undefined) {
      const members = nodeApisOfMembers(load.members);
      const used = `only its ${load.members.map((m) => `.${m}`).join(', ') || 'nothing'} ${load.members.length === 1 ? 'is' : 'are'} used`;
      if (members.every) widen({ reason: 'computed-module', file, line: load.line, detail: load.code }, everyApi(map, false));
      else for (const api of members.apis) use(api, file, load.line);
      core = members.uses.length === 0 ? `${used}, which no core module has` : `${used}: ${members.uses.join(', ')} if it is a core module`;
    } else {
      widen({ reason: 'computed-module', file, line: load.line, detail: load.code }, everyApi(map, false));
      core = 'as a core module, syscalls widened to every mapped API but process creation';
    }
    findings.push(finding('TN020', `Module named at run time: ${load.code}; ${read}; ${core}`, { file, line: load.line }, model.id));
  }
  for (const missing of graph.missing) {
    findings.push(finding('TN021', `Cannot resolve '${missing.specifier}': not installed, optional, or a typo; what it loads is not analysed`, { file: rel(missing.file), line: missing.line }, model.id));
  }
  for (const native of graph.native) {
    const needs = addonNeeds(native.path);
    const where = { reason: 'native-addon' as const, file: rel(native.file), line: native.line, detail: rel(native.path) };
    if (typeof needs === 'string') {
      findings.push(finding('TN022', `Native addon ${rel(native.path)}: its syscalls are unknown (${needs}); widened to every mapped API`, { file: rel(native.file), line: native.line }, model.id));
      widen(where);
    } else {
      const bound = [...needs.apis, ...needs.syscalls].join(', ') || 'nothing beyond loading it';
      findings.push(finding('TN022', `Native addon ${rel(native.path)}: bounded by the functions it imports from the C library: ${bound}`, { file: rel(native.file), line: native.line }, model.id));
      widen(where, [NATIVE, ...needs.apis], needs.syscalls);
    }
  }

  for (const core of graph.core) {
    const file = rel(core.file);
    const [first] = core.args ?? [];
    const binding = core.module === 'process' && /^(_linkedB|b)inding$/.test(core.member);
    const known = binding ? (typeof first === 'string' ? nodeApisOfBinding(first) : undefined) : nodeApisOf(core.module, core.member);
    if ((binding && known === undefined) || (core.module === 'process' && core.member === 'dlopen')) {
      findings.push(finding('TN022', `process.${core.member} loads native code: its syscalls are unknown; widened to every mapped API`, { file, line: core.line }, model.id));
      widen({ reason: 'native-addon', file, line: core.line, detail: `process.${core.member}` });
    } else if (known === undefined) {
      widen({ reason: 'unknown-module', file, line: core.line, detail: `${core.module}.${core.member}` });
    } else {
      // Node.js started again runs the scripts read as entries, not another program
      for (const api of known) if (!(core.runsNode === true && api === PROGRAMS)) use(api, file, core.line);
    }
    const call = `${core.module}.${core.member}`;
    if (CLIENTS.has(call)) {
      const target = egressOf(core);
      if (target !== undefined) {
        const source = at(file, core.line, `${call}(${JSON.stringify(core.args?.[0])})`);
        addEgress(model, target.host, target.port, 'tcp', [source]);
        addDns(model, target.host, [source]);
      }
    }
    if (core.module === 'child_process' && typeof first === 'string') {
      const shell = /^exec(Sync)?$/.test(core.member);
      const programs = shell ? programsOfScript(first) : [first];
      const source = at(file, core.line, `${call}(${JSON.stringify(first)})`);
      addProcesses(model, [...(shell ? ['/bin/sh'] : []), ...programs].map((path) => ({ path, role: 'helper' as const, sources: [source] })));
    }
    if (core.module === 'fs' && typeof first === 'string' && first.startsWith('/')) {
      const member = core.member.replace(/Sync$/, '');
      const source = at(file, core.line, `${call}(${JSON.stringify(first)})`);
      if (WRITES.has(member)) addWritable(model, first, [source]);
      else if (READS.has(member)) report.reads.push({ path: first, file, line: core.line });
    }
  }

  // The syscalls: Node's baseline, then each API's own, each with the first use that needs it.
  const syscalls = new Set(map.baseline);
  model.syscalls.sources.push({ kind: 'knowledge', detail: `Node.js ${map.node} on ${map.arch}: start-up, event loop, threads and garbage collector`, reference: `syscall map measured with ${map.tracer}` });
  const ofCode = new Set([...map.baseline, ...[...apis.keys()].flatMap((api) => map.apis[api] ?? [])]);
  const widened = new Map<string, { file: string; line: number }>();
  for (const { widening, apis: reached, syscalls: own } of widenings) {
    widening.adds = [...new Set([...reached.flatMap((api) => map.apis[api] ?? []), ...own])].filter((s) => !ofCode.has(s)).sort();
    for (const api of reached) if (!apis.has(api) && !widened.has(api)) widened.set(api, { file: widening.file, line: widening.line });
  }
  const every = [...[...apis].map(([api, at]) => ({ api, ...at, widened: false })), ...[...widened].map(([api, at]) => ({ api, ...at, widened: true }))];
  for (const { api, file, line, widened: wide } of every.sort((a, b) => a.api.localeCompare(b.api))) {
    const added = map.apis[api] ?? [];
    report.apis.push({ api, file, line, syscalls: added, ...(wide && { widened: true }) });
    for (const s of added) syscalls.add(s);
    mergeSources(model.syscalls.sources, [at(file, line, `${api}${wide ? ' (widened)' : ''}: ${added.length > 0 ? added.join(', ') : 'nothing beyond the baseline'}`)]);
  }
  // what bounded native code calls of its own, beyond the probes its imports stand for
  for (const { widening, syscalls: own } of widenings) {
    const added = own.filter((s) => !syscalls.has(s));
    for (const s of added) syscalls.add(s);
    if (added.length > 0) mergeSources(model.syscalls.sources, [at(widening.file, widening.line, `${widening.detail} calls of its own: ${added.join(', ')}`)]);
  }
  // native code Tenet cannot bound makes its own calls, older ones too (a Rust allocator's `open` where glibc would use `openat`)
  const native = widenings.filter((w) => w.unbounded && w.widening.reason === 'native-addon').map((w) => w.widening);
  if (native.length > 0) {
    const legacy = withLegacyCalls(syscalls).filter((s) => !syscalls.has(s));
    for (const w of native) w.adds = [...new Set([...w.adds, ...legacy])].sort();
    for (const s of legacy) syscalls.add(s);
    if (legacy.length > 0) mergeSources(model.syscalls.sources, [at(native[0]!.file, native[0]!.line, `native code may make the older calls of its own: ${legacy.join(', ')}`)]);
  }
  model.syscalls.allow = [...syscalls].sort();
  report.spawns = every.some(({ api }) => SPAWNING.test(api));
  if (options.command === undefined) {
    model.processes.push({ path: 'node', argv: ['node', rel(entries[0]!.path)], role: 'main', sources: [entries[0]!.source] });
  }
  return { model, report, findings };
}
