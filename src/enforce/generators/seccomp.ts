/**
 * Docker/OCI seccomp profiles: every syscall not allowed fails with EPERM
 * (SCMP_ACT_ERRNO), so a denied call is one failed call, never a killed process.
 */

/**
 * What runs between the filter and the program's own code: the OCI runtime's
 * calls after installing the filter, and the dynamic loader's and libc's
 * before `main` (ld.so reads the program's libraries with `pread64`, libc sets
 * up its threads with `set_tid_address`, `set_robust_list`, `rseq`). A profile
 * learned from a container needs them even when the sensor missed its first
 * calls (the exec and the first calls race between two sensors).
 */
export const RUNTIME_SYSCALLS = [
  'access', 'arch_prctl', 'brk', 'capget', 'capset', 'chdir', 'close', 'execve', 'exit', 'exit_group', 'faccessat2', 'fchdir', 'fchown', 'fcntl', 'fstat', 'fstatfs', 'futex', 'getcwd',
  'getdents64', 'getpid', 'getppid', 'getrandom', 'mmap', 'mprotect', 'munmap', 'nanosleep', 'newfstatat', 'openat', 'prctl', 'prlimit64', 'pread64', 'read',
  'rseq', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sched_yield', 'set_robust_list', 'set_tid_address', 'setgid', 'setgroups', 'setuid', 'sigaltstack', 'tgkill', 'write', 'writev',
];

/**
 * When a newer call fails, glibc and libuv retry with an older one: allowing the
 * newer means allowing its fallback too, or the program breaks on a kernel or
 * runtime that refuses the newer call (Docker's default profile answers clone3 with ENOSYS).
 * Only calls newer than the oldest kernel container runtimes support (3.10) have
 * one: accept4, pipe2, dup3, eventfd2, epoll_create1, recvmmsg and sendmmsg are
 * on every such kernel, so their older forms are never called in their place.
 */
export const FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  clone3: ['clone'],
  statx: ['newfstatat', 'fstat'],
  openat2: ['openat'],
  faccessat2: ['faccessat', 'access'],
  epoll_pwait2: ['epoll_pwait'],
  close_range: ['close'],
  copy_file_range: ['sendfile', 'read', 'write'],
  io_uring_setup: ['epoll_ctl'],
  pidfd_open: ['wait4'],
  preadv2: ['preadv', 'pread64'],
  pwritev2: ['pwritev', 'pwrite64'],
  getrandom: ['openat', 'read'],
};

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: SeccompArg[];
  comment?: string;
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: SeccompRule[];
}

const EPERM = 1;
const ENOSYS = 38;
const CLONE_THREAD = 0x10000;
/** Calls that make a new process; a program that needs none of them gets threads only. */
const PROCESS_CREATION = ['clone', 'clone3', 'fork', 'vfork'];

/** The syscalls to allow: what the program needs, what the runtime needs, and every fallback, sorted. */
export function allowedSyscalls(needed: Iterable<string>): string[] {
  const allowed = new Set([...needed, ...RUNTIME_SYSCALLS]);
  const pending = [...allowed];
  while (pending.length > 0) {
    for (const fallback of FALLBACKS[pending.pop()!] ?? []) {
      if (!allowed.has(fallback)) {
        allowed.add(fallback);
        pending.push(fallback);
      }
    }
  }
  return [...allowed].sort();
}

/**
 * A Docker/OCI profile allowing exactly `allowedSyscalls(needed)` on x86_64 (and
 * its 32-bit ABIs). Threads come from `clone3` in the baseline; a plain `clone`
 * in `needed` means the program starts processes. When it does not, `clone` is
 * allowed only with CLONE_THREAD and `clone3` (whose flags seccomp cannot read)
 * answers ENOSYS, so glibc makes its threads with `clone` and every fork fails:
 * the program that never spawns cannot spawn.
 */
export function seccompProfile(needed: Iterable<string>): SeccompProfile {
  const wanted = new Set(needed);
  const allowed = allowedSyscalls(wanted);
  const rules: SeccompRule[] = [];
  if (wanted.has('clone') || wanted.has('fork') || wanted.has('vfork')) {
    rules.push({ names: allowed, action: 'SCMP_ACT_ALLOW' });
    // a program seen under the runtime's default profile never called clone3 (that profile answers ENOSYS, and glibc
    // falls back to clone): refused with EPERM instead, its threads would not start
    if (!allowed.includes('clone3')) rules.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: 'glibc falls back to clone' });
  } else {
    rules.push({ names: allowed.filter((s) => !PROCESS_CREATION.includes(s)), action: 'SCMP_ACT_ALLOW' });
    rules.push({
      names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_THREAD, valueTwo: CLONE_THREAD, op: 'SCMP_CMP_MASKED_EQ' }],
      comment: 'threads only: the program starts no processes',
    });
    rules.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: 'glibc falls back to clone, whose flags the filter can check' });
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: rules,
  };
}

/** The names a profile lets through, with or without conditions. */
export function profileAllows(profile: SeccompProfile): string[] {
  return [...new Set(profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names))].sort();
}

/** A Security Profiles Operator `SeccompProfile` resource carrying the same profile. */
export interface SpoSeccompProfile {
  apiVersion: 'security-profiles-operator.x-k8s.io/v1';
  kind: 'SeccompProfile';
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: Omit<SeccompProfile, 'defaultErrnoRet'>;
}

/** `app:shop/api` → `app-shop-api`: a DNS-1123 name Kubernetes accepts. */
export function kubernetesName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return name === '' ? 'tenet-profile' : name;
}

/**
 * The profile as an SPO resource: the operator writes it onto every node, and a
 * pod uses it with `seccompProfile: { type: Localhost, localhostProfile: operator/NAMESPACE/NAME.json }`.
 * SCMP_ACT_ERRNO without an errno is EPERM in the OCI runtimes, as in the Docker profile.
 */
export function spoSeccompProfile(profile: SeccompProfile, metadata: SpoSeccompProfile['metadata']): SpoSeccompProfile {
  const { defaultErrnoRet: _, ...spec } = profile;
  return { apiVersion: 'security-profiles-operator.x-k8s.io/v1', kind: 'SeccompProfile', metadata, spec };
}

/** Whether a running container has its model's profile, and if not, what it runs with instead. */
export interface SeccompCheck {
  has: boolean;
  reason: string;
}

/**
 * A container's seccomp setting (`unconfined`, a profile's JSON as the engine
 * keeps it, or undefined for the runtime's default) judged against its model's
 * syscalls: it has the model's profile when its filter fails by default and
 * lets through nothing the model's profile would not.
 */
export function checkSeccomp(setting: string | undefined, privileged: boolean, needed: Iterable<string>): SeccompCheck {
  if (privileged) return { has: false, reason: 'runs privileged: no seccomp filter at all' };
  if (setting === undefined) return { has: false, reason: 'runs the runtime\'s default profile, which allows every syscall a common program needs, not only its model\'s' };
  if (setting === 'unconfined') return { has: false, reason: 'runs unconfined: no seccomp filter at all' };
  let profile: { defaultAction?: unknown; syscalls?: Array<{ names?: unknown; name?: unknown; action?: unknown }> };
  try {
    profile = JSON.parse(setting) as typeof profile;
  } catch {
    return { has: false, reason: 'runs a profile Tenet cannot read' };
  }
  if (profile.defaultAction === 'SCMP_ACT_ALLOW' || profile.defaultAction === 'SCMP_ACT_LOG') {
    return { has: false, reason: `runs a profile that lets every syscall through by default (${profile.defaultAction})` };
  }
  const allowed = new Set(profileAllows(seccompProfile(needed)));
  const names = (r: { names?: unknown; name?: unknown }) => (Array.isArray(r.names) ? r.names : typeof r.name === 'string' ? [r.name] : []) as string[];
  const extra = [...new Set((profile.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap(names))].filter((n) => !allowed.has(n)).sort();
  if (extra.length > 0) {
    return { has: false, reason: `runs a profile that allows ${extra.length} syscalls its model does not: ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', …' : ''}` };
  }
  return { has: true, reason: 'runs its model\'s profile (or a narrower one)' };
}
