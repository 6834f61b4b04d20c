/**
 * A model's entries as text (`tcp/10.0.0.7:6379`, `/tmp/*`, `openat`): what an
 * event names, what a model declares, and how learned entries are written
 * back into a model with their sources.
 */
import type { IntentModel, ModelDimension, Protocol, RuntimeEvent, Source } from '../model/index.ts';
import { normalisePath } from './generalise.ts';

/** What was observed of one entry while its model learned. */
export interface Observed {
  firstSeen: number;
  lastSeen: number;
  count: number;
  containers: Set<string>;
  /** The argv of a process, `*` where runs differed; null once their lengths differed. */
  argv?: string[] | null;
}

const protocolOf = (p: string | undefined): Protocol => (p === 'udp' ? 'udp' : p === 'sctp' ? 'sctp' : 'tcp');

/** The dimension an event is about, or undefined when it is about none (exit, other tools' alerts). */
export function dimensionOf(event: RuntimeEvent): ModelDimension | undefined {
  switch (event.kind) {
    case 'syscall': return 'syscalls';
    case 'exec': return 'processes';
    case 'write': return 'writable';
    case 'open': return 'reads';
    case 'connect': return 'egress';
    case 'listen':
    case 'accept': return 'listen';
    case 'dns': return 'dns';
    case 'capability': return event.denied === true ? undefined : 'capabilities';
    default: return undefined;
  }
}

/** The entry of `dimension` an event names (`tcp/10.0.0.7:6379`, `/tmp/x`, `openat`), before generalisation. */
export function entryText(event: RuntimeEvent, dimension: ModelDimension): string | undefined {
  switch (dimension) {
    case 'syscalls': return event.syscall;
    case 'processes': return event.process?.path ?? event.process?.name;
    case 'writable':
    case 'reads': return event.file?.path;
    case 'egress': {
      // a peer known by a name the container asked is kept by the name: its address may change, the name does not
      const n = event.network;
      const peer = n?.remoteNames?.[0] ?? n?.remoteAddress;
      return peer === undefined || n?.remotePort === undefined ? undefined : `${protocolOf(n.protocol)}/${peer}:${n.remotePort}`;
    }
    case 'listen': {
      const port = event.network?.localPort;
      return port === undefined ? undefined : `${protocolOf(event.network?.protocol)}/${port}`;
    }
    case 'dns': {
      const name = event.dns?.names[0];
      return name === undefined ? undefined : dnsName(name);
    }
    case 'capabilities': return event.capability;
  }
}

/**
 * The other entries a connection to a named peer may be allowed by, after
 * its entry (`entryText`): the shorter forms of its name, then its address.
 */
export function otherPeerEntries(event: RuntimeEvent): string[] {
  const n = event.network;
  if (n?.remoteNames === undefined || n.remotePort === undefined) return [];
  const protocol = protocolOf(n.protocol);
  const peers = [...n.remoteNames.slice(1), ...(n.remoteAddress !== undefined ? [n.remoteAddress] : [])];
  return peers.map((peer) => `${protocol}/${peer}:${n.remotePort}`);
}

/** A DNS name as models keep it: lower case, without the root's dot (most names already are). */
function dnsName(name: string): string {
  let upper = false;
  for (let i = 0; i < name.length && !upper; i++) upper = name.charCodeAt(i) >= 65 && name.charCodeAt(i) <= 90;
  const lower = upper ? name.toLowerCase() : name;
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Paths of files are generalised (`/proc/42/status` becomes `/proc/` + `*` + `/status`); programs never are (a name
 * like `python3` is no generated one, and `/usr/bin/*` would allow every shell), nor are other entries.
 */
export function normalise(dimension: ModelDimension, text: string): string {
  return dimension === 'writable' || dimension === 'reads' ? normalisePath(text) : text;
}

/** The dimension and entry an event is about, or undefined when it is about none. */
export function entryOf(event: RuntimeEvent): { dimension: ModelDimension; entry: string } | undefined {
  const dimension = dimensionOf(event);
  const entry = dimension === undefined ? undefined : entryText(event, dimension);
  return entry === undefined ? undefined : { dimension: dimension!, entry };
}

export const DIMENSIONS = ['processes', 'listen', 'egress', 'dns', 'writable', 'reads', 'syscalls', 'capabilities'] as const satisfies readonly ModelDimension[];

/** The entries a static model already allows, by dimension, with the sources that allow them. */
export function seedEntries(model: IntentModel): Map<ModelDimension, Map<string, Source[]>> {
  const seed = new Map<ModelDimension, Map<string, Source[]>>(DIMENSIONS.map((d) => [d, new Map()]));
  const put = (dimension: ModelDimension, entry: string, sources: Source[]) => {
    const map = seed.get(dimension)!;
    map.set(entry, [...(map.get(entry) ?? []), ...sources]);
  };
  for (const p of model.processes) put('processes', p.path, p.sources);
  for (const l of model.network.listen) {
    for (let port = l.port; port <= (l.endPort ?? l.port); port++) put('listen', `${l.protocol}/${port}`, l.sources);
  }
  for (const e of model.network.egress) put('egress', `${e.protocol}/${e.host}:${e.port}`, e.sources);
  for (const d of model.network.dns) put('dns', d.name, d.sources);
  // a declared writable path is a folder: everything below it is writable too
  for (const w of model.filesystem.writable) put('writable', w.path.endsWith('/*') || !w.path.startsWith('/') ? w.path : `${w.path.replace(/\/$/, '')}/*`, w.sources);
  for (const m of model.filesystem.mounts) if (!m.readOnly) put('writable', `${m.path.replace(/\/$/, '')}/*`, m.sources);
  for (const r of model.filesystem.reads ?? []) put('reads', r.path, r.sources);
  for (const s of model.syscalls.allow) put('syscalls', s, model.syscalls.sources);
  for (const c of model.capabilities.used ?? []) put('capabilities', c.name, c.sources);
  for (const c of model.capabilities.add) put('capabilities', c.startsWith('CAP_') ? c : `CAP_${c}`, model.capabilities.sources);
  return seed;
}

/** A model with its learned entries (and learned sources) taken out: what it was allowed before it learned. */
export function withoutLearned(model: IntentModel): IntentModel {
  const out = structuredClone(model);
  const keep = <T extends { sources: Source[] }>(list: T[]) => list.flatMap((e) => {
    const sources = e.sources.filter((s) => s.kind !== 'learned');
    return sources.length === 0 ? [] : [{ ...e, sources }];
  });
  out.processes = keep(out.processes).map(({ parents: _learned, ...p }) => p);
  out.network = { listen: keep(out.network.listen), egress: keep(out.network.egress), dns: keep(out.network.dns) };
  out.filesystem.writable = keep(out.filesystem.writable);
  if (out.filesystem.reads !== undefined) out.filesystem.reads = keep(out.filesystem.reads);
  if (out.capabilities.used !== undefined) out.capabilities.used = keep(out.capabilities.used);
  out.syscalls.sources = out.syscalls.sources.filter((s) => s.kind !== 'learned');
  delete out.learning;
  delete out.remainingLearningDurationSec;
  out.state = 'static';
  return out;
}

/** A process's argv merged into what its entry saw: `*` where runs differed, null once their lengths did. */
export function mergeArgv(seen: Observed, argv: string[] | undefined): void {
  if (argv === undefined || seen.argv === null) return;
  if (seen.argv === undefined) {
    seen.argv = [...argv];
  } else if (seen.argv.length !== argv.length) {
    seen.argv = null;
  } else {
    for (let i = 0; i < argv.length; i++) if (seen.argv[i] !== argv[i]) seen.argv[i] = '*';
  }
}

/** Adds a learned entry to a model, or its learned source to the entry the model already has. */
export function addLearned(model: IntentModel, dimension: ModelDimension, entry: string, seen: Observed, sources: Source[]): void {
  const withSources = <T extends { sources: Source[] }>(list: T[], match: (e: T) => boolean, make: () => T) => {
    const existing = list.find(match);
    if (existing !== undefined) existing.sources.push(...sources);
    else list.push(make());
  };
  switch (dimension) {
    case 'processes':
      withSources(model.processes, (p) => p.path === entry, () => ({
        path: entry, ...(seen.argv !== undefined && seen.argv !== null && { argv: seen.argv }), sources,
      }));
      break;
    case 'listen': {
      const [protocol, port] = entry.split('/') as [Protocol, string];
      withSources(model.network.listen, (l) => l.protocol === protocol && l.port === Number(port), () => ({ port: Number(port), protocol, sources }));
      break;
    }
    case 'egress': {
      const protocol = entry.slice(0, entry.indexOf('/')) as Protocol;
      const host = entry.slice(entry.indexOf('/') + 1, entry.lastIndexOf(':'));
      const port = Number(entry.slice(entry.lastIndexOf(':') + 1));
      withSources(model.network.egress, (e) => e.protocol === protocol && e.host === host && e.port === port, () => ({ host, port, protocol, sources }));
      break;
    }
    case 'dns':
      withSources(model.network.dns, (d) => d.name === entry, () => ({ name: entry, sources }));
      break;
    case 'writable':
      withSources(model.filesystem.writable, (w) => w.path === entry, () => ({ path: entry, sources }));
      break;
    case 'reads':
      withSources(model.filesystem.reads ??= [], (r) => r.path === entry, () => ({ path: entry, sources }));
      break;
    case 'syscalls':
      if (!model.syscalls.allow.includes(entry)) model.syscalls.allow.push(entry);
      break;
    case 'capabilities':
      withSources(model.capabilities.used ??= [], (c) => c.name === entry, () => ({ name: entry, sources }));
      break;
  }
}
