import { commandLine, type Rule } from '../rule.ts';

/** Kernel settings and host interfaces a container has no business writing. */
const HOST_PATHS = /^\/(proc\/sys\/|proc\/sysrq-trigger$|proc\/\d+\/(mem|root\/)|sys\/(kernel|fs\/cgroup|firmware|module)\/|dev\/(mem|kmem|port|sd[a-z]|nvme|vd[a-z]|xvd[a-z]))|\/release_agent$|\/core_pattern$/;
/** The root of PID 1 as /proc shows it: the host's own when the container shares the host's processes. */
const PID1_ROOT = /^\/proc\/1\/root(\/|$)/;
const ESCAPE_SYSCALLS: ReadonlySet<string> = new Set(['mount', 'umount2', 'pivot_root', 'setns', 'unshare', 'open_by_handle_at', 'init_module', 'finit_module', 'kexec_load', 'bpf', 'ptrace']);
const ESCAPE_TOOLS: ReadonlySet<string> = new Set(['nsenter', 'unshare', 'chroot', 'mount', 'insmod', 'modprobe', 'debugfs', 'capsh']);

/** A cheap first look before the pattern, by a path's second and last letters: only these places can be the host's. */
function mayReachHost(path: string): boolean {
  const second = path.charCodeAt(1);
  const last = path.charCodeAt(path.length - 1);
  return (second === 0x70 /* p */ && path.startsWith('/proc/')) || (second === 0x73 /* s */ && path.startsWith('/sys/')) || (second === 0x64 /* d */ && path.startsWith('/dev/'))
    || (last === 0x74 /* t */ && path.endsWith('release_agent')) || (last === 0x6e /* n */ && path.endsWith('core_pattern'));
}

export const containerEscape: Readonly<Rule> = {
  id: 'container-escape',
  title: 'Container escape attempt',
  severity: 'critical',
  technique: { id: 'T1611', name: 'Escape to Host' },
  kinds: ['write', 'open', 'syscall', 'exec'],
  needsModel: false,
  description: 'Writing kernel settings or host devices (/proc/sys, /sys, a cgroup release_agent, /dev/mem, a disk), reading through PID 1\'s root (/proc/1/root, the host\'s files when the container shares the host\'s processes), a syscall that reaches the host (mount, setns, unshare, module loading, open_by_handle_at, ptrace), or a tool made for it (nsenter, chroot, mount).',
  detect: {
    write: (event) => (event.file !== undefined && mayReachHost(event.file.path) && HOST_PATHS.test(event.file.path) ? `wrote ${event.file.path}` : undefined),
    open: (event) => (event.file !== undefined && PID1_ROOT.test(event.file.path) ? `read ${event.file.path}` : undefined),
    syscall: (event) => (event.syscall !== undefined && ESCAPE_SYSCALLS.has(event.syscall) ? `called ${event.syscall}` : undefined),
    exec: (event, context) => (ESCAPE_TOOLS.has(context.program) && !context.knownProcess() ? `ran ${commandLine(event) || context.program}` : undefined),
  },
};
