/**
 * The intent change between two versions: for every model (matched by its
 * workload, else its image's repository, else its id) and every dimension,
 * the entries added and removed, each said to widen what the container may do
 * or to narrow it, with the evidence for it; and the application graphs'
 * flows added and removed.
 */
import type { Analysis, IntentModel, Source, Supermodel } from '../model/index.ts';
import { parseImage } from './common/image-ref.ts';

export type DiffDimension = 'processes' | 'listen' | 'egress' | 'dns' | 'writable' | 'syscalls' | 'capabilities' | 'capabilities-dropped' | 'read-only-root' | 'supermodel';

export interface IntentChange {
  /** The model's name in both versions: its workload, else its image's repository, else its id. */
  model: string;
  dimension: DiffDimension;
  change: 'added' | 'removed';
  entry: string;
  /** Whether the change lets the container do more than before. */
  widening: boolean;
  /** The evidence for the entry, from the version that has it. */
  sources: Source[];
}

export interface IntentDiff {
  changes: IntentChange[];
  /** Models only in the old version, and only in the new one. */
  modelsRemoved: string[];
  modelsAdded: string[];
}

/** The name a model keeps from one version to the next. */
function modelName(m: IntentModel): string {
  const w = m.workload;
  if (w !== undefined && w.kind !== 'Dockerfile') return `${w.kind}/${w.namespace !== undefined ? `${w.namespace}/` : ''}${w.name}${w.container !== undefined && w.container !== w.name ? `/${w.container}` : ''}`;
  if (m.image !== undefined) return parseImage(m.image).repository;
  return w !== undefined ? `Dockerfile/${w.name}` : m.id;
}

/** A dimension's entries: the entry as the diff names it, and its sources. */
type Entries = Map<string, Source[]>;

/** What each dimension allows, keyed as a diff reads it; an added entry of these widens (a dropped capability added narrows). */
function entriesOf(m: IntentModel): Record<Exclude<DiffDimension, 'supermodel'>, Entries> {
  const map = <T>(items: readonly T[], key: (x: T) => string, sources: (x: T) => Source[]): Entries => {
    const out: Entries = new Map();
    for (const x of items) {
      const k = key(x);
      const known = out.get(k);
      if (known === undefined) out.set(k, [...sources(x)]);
      else known.push(...sources(x));
    }
    return out;
  };
  return {
    processes: map(m.processes, (p) => p.path, (p) => p.sources),
    listen: map(m.network.listen, (l) => `${l.port}${l.endPort !== undefined ? `-${l.endPort}` : ''}/${l.protocol}`, (l) => l.sources),
    egress: map(m.network.egress, (e) => `${e.host}:${e.port}/${e.protocol}`, (e) => e.sources),
    dns: map(m.network.dns, (d) => d.name, (d) => d.sources),
    writable: map(m.filesystem.writable, (w) => w.path, (w) => w.sources),
    syscalls: map(m.syscalls.allow, (s) => s, () => m.syscalls.sources),
    capabilities: map(m.capabilities.add, (c) => c, () => m.capabilities.sources),
    'capabilities-dropped': map(m.capabilities.drop, (c) => c, () => m.capabilities.sources),
    // a read-only root is the narrow state: its absence is the entry that widens
    'read-only-root': map(m.filesystem.readOnlyRoot ? [] : ['writable root'], (x) => x, () => []),
  };
}

/** Dimensions where an added entry narrows what the container may do. */
const NARROWING_WHEN_ADDED: ReadonlySet<DiffDimension> = new Set(['capabilities-dropped']);

function compare(model: string, dimension: DiffDimension, before: Entries, after: Entries, changes: IntentChange[]): void {
  const widensWhenAdded = !NARROWING_WHEN_ADDED.has(dimension);
  for (const [entry, sources] of after) if (!before.has(entry)) changes.push({ model, dimension, change: 'added', entry, widening: widensWhenAdded, sources });
  for (const [entry, sources] of before) if (!after.has(entry)) changes.push({ model, dimension, change: 'removed', entry, widening: !widensWhenAdded, sources });
}

const EMPTY: Entries = new Map();

function flows(supermodels: readonly Supermodel[]): Map<string, Entries> {
  const byApp = new Map<string, Entries>();
  for (const s of supermodels) {
    const entries: Entries = byApp.get(s.app) ?? new Map();
    for (const e of s.edges) entries.set(`${e.from} → ${e.to}:${e.port}/${e.protocol}`, e.sources);
    for (const n of s.nodes) for (const x of n.exposed ?? []) entries.set(`outside → ${n.id}:${x.port}/${x.protocol}`, x.sources);
    byApp.set(s.app, entries);
  }
  return byApp;
}

export function diffIntent(before: Pick<Analysis, 'models' | 'supermodels'>, after: Pick<Analysis, 'models' | 'supermodels'>): IntentDiff {
  const index = (models: readonly IntentModel[]) => new Map(models.map((m) => [modelName(m), m]));
  const old = index(before.models);
  const now = index(after.models);
  const changes: IntentChange[] = [];
  for (const name of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(name);
    const b = now.get(name);
    const ea = a === undefined ? undefined : entriesOf(a);
    const eb = b === undefined ? undefined : entriesOf(b);
    for (const dimension of Object.keys(ea ?? eb!) as Array<keyof ReturnType<typeof entriesOf>>) {
      compare(name, dimension, ea?.[dimension] ?? EMPTY, eb?.[dimension] ?? EMPTY, changes);
    }
  }
  const oldFlows = flows(before.supermodels);
  const newFlows = flows(after.supermodels);
  for (const app of [...new Set([...oldFlows.keys(), ...newFlows.keys()])].sort()) {
    compare(app, 'supermodel', oldFlows.get(app) ?? EMPTY, newFlows.get(app) ?? EMPTY, changes);
  }
  return {
    changes,
    modelsRemoved: [...old.keys()].filter((n) => !now.has(n)).sort(),
    modelsAdded: [...now.keys()].filter((n) => !old.has(n)).sort(),
  };
}
