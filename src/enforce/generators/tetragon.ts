import type { IntentModel } from '../../model/index.ts';
import { egressAddresses, NO_PROGRAMS, programsOf, targetOf, writablePaths } from './target.ts';

type MatchArg = { index: number; operator: string; values: string[] };
type Kprobe = {
  call: string;
  syscall: false;
  args: Array<{ index: number; type: string }>;
  selectors: Array<{ matchArgs: MatchArg[]; matchActions: Array<{ action: 'Sigkill' } | { action: 'Override'; argError: number }> }>;
};

export interface TracingPolicy {
  apiVersion: 'cilium.io/v1alpha1';
  kind: 'TracingPolicy' | 'TracingPolicyNamespaced';
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: {
    podSelector?: { matchLabels: Record<string, string> };
    containerSelector?: { matchExpressions: Array<{ key: 'name' | 'repo'; operator: 'In'; values: string[] }> };
    kprobes: Kprobe[];
  };
}

/** The top-level folders of a Linux image that programs do not write to unless they mean to. */
export const SYSTEM_FOLDERS = ['/bin', '/boot', '/etc', '/home', '/lib', '/lib64', '/opt', '/root', '/sbin', '/srv', '/usr', '/var'];
const MAY_WRITE = '2';
const EPERM = -1;

/**
 * A Tetragon policy enforcing one model in the kernel: a program outside it
 * is killed at `security_bprm_check` (before it runs); a write into a system
 * folder the model does not write to fails with EPERM (Override at
 * `security_file_permission`); a connection to an address outside its egress
 * kills the process (`tcp_connect`), when its peers are all addresses.
 * Kubernetes workloads get a TracingPolicyNamespaced for their pods and
 * container; other containers a TracingPolicy for their image's repository.
 */
export function tracingPolicy(model: IntentModel): { policy: TracingPolicy | undefined; notes: string[] } {
  const target = targetOf(model);
  const notes: string[] = [];
  const namespaced = target.labels !== undefined && target.namespace !== undefined;
  if (!namespaced && target.repository === undefined) return { policy: undefined, notes: [`${model.id}: no policy, neither pod labels nor an image repository to select its containers by`] };
  const kprobes: Kprobe[] = [];

  const programs = programsOf(model);
  if (programs.any) notes.push('processes: the model allows any program, so none is killed');
  else if (programs.paths.length + programs.names.length === 0) notes.push(NO_PROGRAMS);
  else if (programs.paths.length + programs.names.length > 0) {
    // a program named without a path is matched by its name at the end of the path, which is wider
    const [operator, values] = programs.names.length === 0
      ? ['NotEqual', programs.paths]
      : ['NotPostfix', [...programs.paths, ...programs.names.map((n) => `/${n}`)]];
    if (programs.names.length > 0) notes.push(`processes: ${programs.names.join(', ')} named without a path, matched by the end of the path`);
    kprobes.push({
      call: 'security_bprm_check',
      syscall: false,
      args: [{ index: 0, type: 'linux_binprm' }],
      selectors: [{ matchArgs: [{ index: 0, operator, values }], matchActions: [{ action: 'Sigkill' }] }],
    });
  }

  const writable = writablePaths(model);
  const inside = (folder: string, path: string) => path === folder || path.startsWith(`${folder}/`);
  const protect = writable.any ? [] : SYSTEM_FOLDERS.filter((f) => !writable.paths.some((p) => inside(f, p) || inside(p, f)));
  const open = SYSTEM_FOLDERS.filter((f) => !protect.includes(f) && !writable.any);
  if (open.length > 0) {
    const inOpen = writable.paths.filter((p) => open.some((f) => inside(f, p)));
    notes.push(`files: ${open.join(', ')} left writable, the model writes inside (${inOpen.join(', ')})`);
  }
  if (protect.length > 0) {
    kprobes.push({
      call: 'security_file_permission',
      syscall: false,
      args: [{ index: 0, type: 'file' }, { index: 1, type: 'int' }],
      selectors: [{
        matchArgs: [{ index: 0, operator: 'Prefix', values: protect.map((f) => `${f}/`) }, { index: 1, operator: 'Mask', values: [MAY_WRITE] }],
        matchActions: [{ action: 'Override', argError: EPERM }],
      }],
    });
  }

  const egress = egressAddresses(model);
  if (egress.any) notes.push('egress: the model connects to any peer on some port, so no connection is refused');
  else if (egress.named.length > 0) notes.push(`egress: peers named ${egress.named.join(', ')} have no address here; use a network policy`);
  else {
    kprobes.push({
      call: 'tcp_connect',
      syscall: false,
      args: [{ index: 0, type: 'sock' }],
      selectors: [{ matchArgs: [{ index: 0, operator: 'NotDAddr', values: ['127.0.0.1', '::1', ...egress.addresses] }], matchActions: [{ action: 'Sigkill' }] }],
    });
  }

  const annotations = { 'tenet.dev/model': model.id, ...(notes.length > 0 && { 'tenet.dev/not-expressed': notes.join('; ') }) };
  const policy: TracingPolicy = namespaced
    ? {
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicyNamespaced',
      metadata: { name: `tenet-${target.name}`, namespace: target.namespace!, annotations },
      spec: {
        podSelector: { matchLabels: target.labels! },
        ...(target.container !== undefined && { containerSelector: { matchExpressions: [{ key: 'name', operator: 'In', values: [target.container] }] } }),
        kprobes,
      },
    }
    : {
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: `tenet-${target.name}`, annotations },
      spec: { containerSelector: { matchExpressions: [{ key: 'repo', operator: 'In', values: [target.repository!] }] }, kprobes },
    };
  return { policy, notes: notes.map((n) => `${model.id} ${n}`) };
}
