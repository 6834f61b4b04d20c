import type { IntentModel } from '../../model/index.ts';
import { NO_PROGRAMS, programsOf, protocolsOf, targetOf, writablePaths } from './target.ts';

type Rule<K extends string> = Record<K, string> & { recursive?: boolean; readOnly?: boolean };

export interface KubeArmorPolicy {
  apiVersion: 'security.kubearmor.com/v1';
  kind: 'KubeArmorPolicy';
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    process?: { matchPaths: Array<Rule<'path'>> };
    file?: { matchDirectories: Array<Rule<'dir'>>; matchPaths?: Array<Rule<'path'>> };
    network?: { matchProtocols: Array<{ protocol: string }> };
    action: 'Allow';
  };
}

/** Folders every program writes to without meaning it (`/dev/null`, a terminal). */
const DEVICES = '/dev/';

/**
 * A KubeArmor policy that allows what the model allows and nothing else
 * (`action: Allow`; KubeArmor's default posture blocks the rest): its
 * programs, reading anywhere and writing only to its writable paths, and the
 * protocols it uses. Pods are selected by their labels; plain containers by
 * KubeArmor's `kubearmor.io/container.name` label.
 */
export function kubeArmorPolicy(model: IntentModel): { policy: KubeArmorPolicy; notes: string[] } {
  const target = targetOf(model);
  const notes: string[] = [];
  const spec: KubeArmorPolicy['spec'] = {
    selector: { matchLabels: target.labels ?? { 'kubearmor.io/container.name': target.container ?? target.name } },
    action: 'Allow',
  };
  const programs = programsOf(model);
  if (programs.names.length > 0) notes.push(`processes: ${programs.names.join(', ')} named without a path; KubeArmor needs one`);
  if (programs.any) notes.push('processes: the model allows any program');
  else if (programs.paths.length === 0) notes.push(NO_PROGRAMS);
  else if (programs.paths.length > 0) spec.process = { matchPaths: programs.paths.map((path) => ({ path })) };

  const writable = writablePaths(model);
  if (writable.any) notes.push('files: the model writes anywhere');
  else {
    // KubeArmor takes a folder with a trailing slash, a file without
    spec.file = {
      matchDirectories: [{ dir: '/', recursive: true, readOnly: true }, { dir: DEVICES, recursive: true }, ...writable.folders.map((p) => ({ dir: `${p}/`, recursive: true }))],
      ...(writable.files.length > 0 && { matchPaths: writable.files.map((path) => ({ path })) }),
    };
  }
  const protocols = protocolsOf(model);
  if (protocols.length > 0) spec.network = { matchProtocols: protocols.map((protocol) => ({ protocol })) };
  return {
    policy: {
      apiVersion: 'security.kubearmor.com/v1',
      kind: 'KubeArmorPolicy',
      metadata: {
        name: `tenet-${target.name}`,
        namespace: target.namespace ?? 'default',
        annotations: { 'tenet.dev/model': model.id, ...(notes.length > 0 && { 'tenet.dev/not-expressed': notes.join('; ') }) },
      },
      spec,
    },
    notes: notes.map((n) => `${model.id} ${n}`),
  };
}
