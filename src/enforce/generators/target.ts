import { ipFamily } from '../../intel/index.ts';
import { parseImage } from '../../intent/index.ts';
import type { IntentModel, Protocol } from '../../model/index.ts';
import { stem } from '../read-only.ts';
import { kubernetesName } from './seccomp.ts';

/** What an enforcement point selects a model's containers by. */
export interface Target {
  /** A DNS-1123 name for the artifact: the workload (and its container when it has several), else the image's repository. */
  name: string;
  namespace?: string;
  /** The labels of its pods (Kubernetes). */
  labels?: Record<string, string>;
  container?: string;
  /** The image repository (`nginx`, `registry/app`), for runtimes that select containers by image. */
  repository?: string;
}

export function targetOf(model: IntentModel): Target {
  const w = model.workload;
  const repository = model.image !== undefined ? parseImage(model.image).repository : undefined;
  const base = w !== undefined && w.kind !== 'Dockerfile'
    ? (w.container !== undefined && w.container !== w.name ? `${w.name}-${w.container}` : w.name)
    : repository?.split('/').pop() ?? model.id;
  return {
    name: kubernetesName(base),
    ...(w?.namespace !== undefined && { namespace: w.namespace }),
    ...(w?.labels !== undefined && { labels: w.labels }),
    ...(w?.container !== undefined && { container: w.container }),
    ...(repository !== undefined && { repository }),
  };
}

/** What a generator says of a model whose programs are not known (its image was not read, its command not declared). */
export const NO_PROGRAMS = 'processes: none known (give the image, or let a defender learn them), so programs are not restricted';

/** The programs a model allows: full paths, and programs named without one (before an image was read). */
export function programsOf(model: IntentModel): { paths: string[]; names: string[]; any: boolean } {
  const all = [...new Set(model.processes.map((p) => p.path))].sort();
  return { paths: all.filter((p) => p.startsWith('/') && !p.includes('*')), names: all.filter((p) => !p.startsWith('/')), any: all.includes('*') };
}

/**
 * What a model writes to: folders (an entry with a pattern, its fixed part;
 * a mount that is not read-only) and files (an exact path), and whether it
 * writes anywhere. `paths` has both.
 */
export function writablePaths(model: IntentModel): { paths: string[]; folders: string[]; files: string[]; any: boolean } {
  const folders = new Set(model.filesystem.mounts.filter((m) => !m.readOnly).map((m) => m.path.replace(/\/+$/, '') || '/'));
  const files = new Set<string>();
  for (const { path } of model.filesystem.writable) {
    const fixed = stem(path);
    if (fixed !== path.replace(/\/+$/, '') || path.endsWith('/')) folders.add(fixed);
    else files.add(fixed);
  }
  const any = folders.has('/') || files.has('/');
  folders.delete('/');
  for (const f of folders) files.delete(f);
  return { paths: [...new Set([...folders, ...files])].sort(), folders: [...folders].sort(), files: [...files].sort(), any };
}

/** The capabilities a model needs, as `NET_BIND_SERVICE`: those it was seen using, and those its manifests add. */
export function neededCapabilities(model: IntentModel): string[] {
  const bare = (cap: string) => cap.trim().toUpperCase().replace(/^CAP_/, '');
  return [...new Set([...(model.capabilities.used ?? []).map((c) => bare(c.name)), ...model.capabilities.add.map(bare)])].filter((c) => c !== 'ALL').sort();
}

/** The transport protocols a model uses: those of its ports and peers, and UDP when it looks names up. */
export function protocolsOf(model: IntentModel): Protocol[] {
  const protocols = new Set([...model.network.listen, ...model.network.egress].map((e) => e.protocol));
  if (model.network.dns.length > 0) protocols.add('udp');
  return [...protocols].sort();
}

/** Whether a peer is an address or a network (`10.0.0.7`, `fd00::1`, `10.1.0.0/16`), not a name. */
export function isAddress(host: string): boolean {
  return ipFamily(host.replace(/^\[|\]$/g, '').split('/')[0]!) !== 0;
}

/** The addresses (and networks) a model connects to, the peers it names instead, and whether it connects to any peer. */
export function egressAddresses(model: IntentModel): { addresses: string[]; named: string[]; any: boolean } {
  const hosts = [...new Set(model.network.egress.map((e) => e.host))].sort();
  return { addresses: hosts.filter((h) => h !== '*' && isAddress(h)), named: hosts.filter((h) => h !== '*' && !isAddress(h)), any: hosts.includes('*') };
}
