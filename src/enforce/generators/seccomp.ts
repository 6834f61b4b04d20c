/**
 * Docker/OCI seccomp profiles: every syscall not allowed fails with EPERM
 * (SCMP_ACT_ERRNO), so a denied call is one failed call, never a killed process.
 */

/** What the OCI runtime itself calls after installing the filter and before the program starts. */
export const RUNTIME_SYSCALLS = [
  'arch_prctl', 'brk', 'capget', 'capset', 'chdir', 'close', 'execve', 'exit', 'exit_group', 'faccessat2', 'fchdir', 'fchown', 'fcntl', 'fstat', 'fstatfs', 'futex',
  'getdents64', 'getpid', 'getppid', 'mmap', 'mprotect', 'munmap', 'nanosleep', 'newfstatat', 'openat', 'prctl', 'read',
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sched_yield', 'setgid', 'setgroups', 'setuid', 'sigaltstack', 'tgkill', 'write', 'writev',
];

/**
 * When a newer call fails, glibc and libuv retry with an older one: allowing the
 * newer means allowing its fallback too, or the program breaks on a kernel or
 * runtime that refuses the newer call (Docker's default profile answers clone3 with ENOSYS).
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
  accept4: ['accept'],
  pipe2: ['pipe'],
  dup3: ['dup2'],
  eventfd2: ['eventfd'],
  epoll_create1: ['epoll_create'],
  recvmmsg: ['recvmsg'],
  sendmmsg: ['sendmsg'],
};

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: 'SCMP_ACT_ALLOW'; comment?: string }>;
}

const EPERM = 1;

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

/** A Docker/OCI profile allowing exactly `allowedSyscalls(needed)` on x86_64 (and its 32-bit ABIs). */
export function seccompProfile(needed: Iterable<string>): SeccompProfile {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names: allowedSyscalls(needed), action: 'SCMP_ACT_ALLOW' }],
  };
}
