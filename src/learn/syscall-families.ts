/**
 * Syscalls that do one thing in several forms: a program that makes one of
 * them makes the others on paths learning may not have walked yet (libuv's
 * `epoll_wait` and `epoll_pwait`, glibc's `stat` by `newfstatat` or `statx`,
 * a vectored write after plain ones, a `pipe2` where a `pipe` was seen). A
 * syscall learned brings its family with it, so the first `epoll_ctl` after
 * the window is not an alarm. No family holds a call that changes what the
 * process may reach (mount, ptrace, setns, unshare, bpf, module loading) or
 * how it runs programs (`execveat` runs a file without a path: fileless):
 * those are always learned one by one.
 */
const FAMILIES: readonly (readonly string[])[] = [
  ['epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2'],
  ['poll', 'ppoll', 'select', 'pselect6'],
  ['read', 'readv', 'pread64', 'preadv', 'preadv2'],
  ['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2'],
  ['sendto', 'sendmsg', 'sendmmsg'],
  ['recvfrom', 'recvmsg', 'recvmmsg'],
  ['accept', 'accept4'],
  ['stat', 'fstat', 'lstat', 'newfstatat', 'statx'],
  ['statfs', 'fstatfs'],
  ['open', 'openat', 'openat2', 'creat'],
  ['access', 'faccessat', 'faccessat2'],
  ['dup', 'dup2', 'dup3'],
  ['pipe', 'pipe2'],
  ['eventfd', 'eventfd2'],
  ['signalfd', 'signalfd4'],
  ['inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch'],
  ['timerfd_create', 'timerfd_settime', 'timerfd_gettime'],
  ['wait4', 'waitid'],
  ['nanosleep', 'clock_nanosleep'],
  ['getdents', 'getdents64'],
  ['rename', 'renameat', 'renameat2'],
  ['unlink', 'unlinkat', 'rmdir'],
  ['mkdir', 'mkdirat'],
  ['link', 'linkat'],
  ['symlink', 'symlinkat'],
  ['readlink', 'readlinkat'],
  ['chmod', 'fchmod', 'fchmodat'],
  ['chown', 'fchown', 'lchown', 'fchownat'],
  ['utime', 'utimes', 'utimensat', 'futimesat'],
  ['truncate', 'ftruncate'],
  ['fsync', 'fdatasync'],
  ['chdir', 'fchdir'],
  ['getrlimit', 'prlimit64'],
  ['getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid'],
  ['rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn'],
  ['mmap', 'munmap', 'mremap'],
  ['kill', 'tkill', 'tgkill'],
  ['clone', 'clone3', 'fork', 'vfork'],
  ['exit', 'exit_group'],
];

const FAMILY_OF: ReadonlyMap<string, readonly string[]> = new Map(FAMILIES.flatMap((family) => family.map((name) => [name, family] as const)));

/** The other syscalls of a syscall's family (none for a syscall in no family). */
export function familyOf(syscall: string): readonly string[] {
  return FAMILY_OF.get(syscall)?.filter((name) => name !== syscall) ?? [];
}

/** Every family, for documentation and tests. */
export const SYSCALL_FAMILIES = FAMILIES;
