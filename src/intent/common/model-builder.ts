import type {
  IntentModel, ListenEntry, MountEntry, ProcessEntry, Protocol, Source, Supermodel, SupermodelEdge, SupermodelNode,
} from '../../model/index.ts';

/** Appends sources that are not there yet (same file, line, path and instruction). */
export function mergeSources(into: Source[], more: readonly Source[]): void {
  for (const s of more) {
    const same = into.some((t) => t.kind === s.kind && t.file === s.file && t.line === s.line && t.path === s.path && t.instruction === s.instruction);
    if (!same) into.push(s);
  }
}

/**
 * A port the model listens on, merged with an entry of the same port. Ports
 * assigned at launch (0) are different ports: each stays its own entry, by
 * its name.
 */
export function addListen(model: IntentModel, entry: ListenEntry): void {
  const existing = model.network.listen.find((l) => l.port === entry.port && l.protocol === entry.protocol && l.endPort === entry.endPort && (entry.port !== 0 || l.name === entry.name));
  if (existing) {
    mergeSources(existing.sources, entry.sources);
    if (existing.name === undefined && entry.name !== undefined) existing.name = entry.name;
    if (existing.hostPort === undefined && entry.hostPort !== undefined) existing.hostPort = entry.hostPort;
  } else {
    model.network.listen.push({ ...entry, sources: [...entry.sources] });
  }
}

export function addEgress(model: IntentModel, host: string, port: number, protocol: Protocol, sources: readonly Source[]): void {
  const existing = model.network.egress.find((e) => e.host === host && e.port === port && e.protocol === protocol);
  if (existing) mergeSources(existing.sources, sources);
  else model.network.egress.push({ host, port, protocol, sources: [...sources] });
}

export function addDns(model: IntentModel, name: string, sources: readonly Source[]): void {
  if (/^[\d.]+$/.test(name) || name.includes(':')) return; // an IP address needs no lookup
  const existing = model.network.dns.find((d) => d.name === name);
  if (existing) mergeSources(existing.sources, sources);
  else model.network.dns.push({ name, sources: [...sources] });
}

export function addWritable(model: IntentModel, path: string, sources: readonly Source[]): void {
  const existing = model.filesystem.writable.find((w) => w.path === path);
  if (existing) mergeSources(existing.sources, sources);
  else model.filesystem.writable.push({ path, sources: [...sources] });
}

/** Adds a mount; a writable one also makes its path writable. */
export function addMount(model: IntentModel, mount: MountEntry): void {
  const existing = model.filesystem.mounts.find((m) => m.path === mount.path);
  if (existing) mergeSources(existing.sources, mount.sources);
  else model.filesystem.mounts.push({ ...mount, sources: [...mount.sources] });
  if (!mount.readOnly) addWritable(model, mount.path, mount.sources);
}

export function addProcesses(model: IntentModel, entries: readonly ProcessEntry[]): void {
  for (const entry of entries) {
    const existing = model.processes.find((p) => p.path === entry.path && p.role === entry.role);
    if (existing) mergeSources(existing.sources, entry.sources);
    else model.processes.push({ ...entry, sources: [...entry.sources] });
  }
}

/** `cap_net_admin`, `CAP_NET_ADMIN`, `net_admin` → `NET_ADMIN`. */
export function normalizeCapability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

export function addCapabilities(model: IntentModel, add: readonly string[], drop: readonly string[], sources: readonly Source[]): void {
  for (const c of add.map(normalizeCapability)) if (!model.capabilities.add.includes(c)) model.capabilities.add.push(c);
  for (const c of drop.map(normalizeCapability)) if (!model.capabilities.drop.includes(c)) model.capabilities.drop.push(c);
  if (add.length + drop.length > 0) mergeSources(model.capabilities.sources, sources);
}

/** A supermodel with nodes sorted by id and edges de-duplicated (their sources merged) and sorted. */
export function buildSupermodel(app: string, nodes: readonly SupermodelNode[], edges: readonly SupermodelEdge[]): Supermodel {
  const merged: SupermodelEdge[] = [];
  for (const edge of edges) {
    const same = merged.find((e) => e.from === edge.from && e.to === edge.to && e.port === edge.port && e.targetPort === edge.targetPort && e.protocol === edge.protocol);
    if (same) {
      mergeSources(same.sources, edge.sources);
      if (same.appProtocol === undefined && edge.appProtocol !== undefined) same.appProtocol = edge.appProtocol;
    } else {
      merged.push({ ...edge, sources: [...edge.sources] });
    }
  }
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    apiVersion: 'tenet/v1',
    kind: 'Supermodel',
    app,
    nodes: [...nodes].sort((a, b) => byText(a.id, b.id)),
    edges: merged.sort((a, b) => byText(a.from, b.from) || byText(a.to, b.to) || a.port - b.port || a.targetPort - b.targetPort),
  };
}

/** Adds syscalls with the evidence for them; the list stays sorted. */
export function addSyscalls(model: IntentModel, names: readonly string[], sources: readonly Source[]): void {
  model.syscalls.allow = [...new Set([...model.syscalls.allow, ...names])].sort();
  mergeSources(model.syscalls.sources, sources);
}

/** Everything `from` allows, added to `into` with its sources: processes, network, writable paths, syscalls. */
export function mergeModel(into: IntentModel, from: IntentModel): void {
  addProcesses(into, from.processes);
  for (const listen of from.network.listen) addListen(into, listen);
  for (const e of from.network.egress) addEgress(into, e.host, e.port, e.protocol, e.sources);
  for (const d of from.network.dns) addDns(into, d.name, d.sources);
  for (const w of from.filesystem.writable) addWritable(into, w.path, w.sources);
  addSyscalls(into, from.syscalls.allow, from.syscalls.sources);
}
