/**
 * What a native addon may ask the kernel for, from the functions it imports:
 * each C library function (glibc on x86-64), libuv function and C++ runtime
 * family stands for the syscalls it makes, or for probes of the Node.js
 * syscall map when it does what a Node API does (`getaddrinfo` is `dns.lookup`,
 * `popen` starts a program). An import this table does not know leaves the
 * addon unbounded: it is named, and the caller widens to every mapped API.
 */

/** What one imported function needs: probes of the syscall map, and syscalls of its own. */
interface Need {
  apis?: readonly string[];
  syscalls?: readonly string[];
}

const FS_ALL = ['fs.readFile', 'fs.writeFile', 'fs.stat', 'fs.readdir', 'fs.mkdir', 'fs.rm', 'fs.unlink', 'fs.rename', 'fs.copyFile', 'fs.open', 'fs.chmod', 'fs.chown', 'fs.utimes', 'fs.truncate', 'fs.symlink', 'fs.link', 'fs.fsync'];
const NET = ['net.connect', 'net.createServer', 'net.unix', 'dgram.createSocket'];
const PROGRAMS = ['child_process.spawn', 'child_process.programs'];

/** Functions by the needs they share. */
const GROUPS: ReadonlyArray<[Need, readonly string[]]> = [
  // memory, time through the vDSO, thread-local data, environment, errno, locale: Node's own baseline
  [{}, ['malloc', 'calloc', 'realloc', 'free', 'posix_memalign', 'aligned_alloc', 'memalign', 'valloc', 'malloc_usable_size', 'mmap', 'mmap64', 'munmap', 'mprotect', 'madvise',
    'clock_gettime', 'clock_getres', 'gettimeofday', 'time', 'clock', 'localtime_r', 'gmtime_r', 'localtime', 'gmtime', 'mktime', 'strftime', 'tzset',
    'getenv', 'secure_getenv', 'setenv', 'unsetenv', 'environ', '_environ', '__environ', '__errno_location', 'errno', 'stdout', 'stderr', 'stdin',
    'abs', 'labs', 'div', 'qsort', 'bsearch', 'rand', 'srand', 'random', 'srandom', 'atoi', 'atol', 'atof', 'strtol', 'strtoul', 'strtoll', 'strtoull', 'strtod', 'strtof',
    'snprintf', 'sprintf', 'vsnprintf', 'vsprintf', 'sscanf', 'vsscanf', '__snprintf_chk', '__sprintf_chk', '__vsnprintf_chk', '__memcpy_chk', '__memset_chk', '__memmove_chk', '__strcpy_chk', '__strcat_chk', '__stack_chk_fail', '__assert_fail',
    'setlocale', 'newlocale', 'uselocale', 'freelocale', 'nl_langinfo', 'iconv', 'iconv_open', 'iconv_close', 'isalpha', 'isdigit', 'isspace', 'toupper', 'tolower', '__ctype_b_loc', '__ctype_toupper_loc', '__ctype_tolower_loc',
    'dl_iterate_phdr', 'dladdr', 'dlsym', 'dlvsym', 'dlerror', 'dlclose', 'dlopen', 'getauxval', '__tls_get_addr', '__register_atfork', '__cxa_thread_atexit_impl', '__libc_start_main', 'backtrace', 'backtrace_symbols',
    'getpid', 'getuid', 'geteuid', 'getgid', 'getegid', 'gettid', 'getcwd', 'getrandom', 'sysinfo', 'sysconf', 'get_nprocs', 'get_nprocs_conf', 'sched_getaffinity', 'uname', 'prctl', 'getrlimit', 'setrlimit', 'prlimit', 'prlimit64',
    'isatty', 'ioctl', 'fcntl', 'fcntl64', 'read', 'write', 'close', 'open', 'open64', 'openat', 'openat64', 'pread', 'pread64', 'stat', 'stat64', 'lstat', 'lstat64', 'fstat', 'fstat64', 'fstatat', 'fstatat64', 'statx',
    '__xstat', '__xstat64', '__lxstat', '__lxstat64', '__fxstat', '__fxstat64', '__fxstatat', '__fxstatat64', 'readlink', 'realpath', 'access', 'pipe2', 'eventfd', 'epoll_create1', 'epoll_pwait',
    'fopen', 'fopen64', 'fdopen', 'fclose', 'fread', 'fgets', 'fgetc', 'getc', 'fscanf', 'fprintf', 'vfprintf', 'printf', 'vprintf', 'puts', 'fputs', 'fputc', 'putc', 'putchar', 'fwrite', 'fflush', 'setvbuf', 'feof', 'ferror', 'fileno', 'perror',
    'strerror', 'strerror_r', '__xpg_strerror_r', 'exit', '_exit', 'atexit', 'signal', 'sigaction', 'sigemptyset', 'sigaddset', 'sigfillset', 'sigprocmask', 'pthread_sigmask', 'clock_nanosleep', 'nanosleep', 'sleep', 'usleep']],
  [{ syscalls: ['getppid'] }, ['getppid']],
  [{ syscalls: ['mremap'] }, ['mremap']],
  [{ syscalls: ['epoll_ctl'] }, ['epoll_ctl']],
  [{ syscalls: ['sched_yield'] }, ['sched_yield']],
  [{ syscalls: ['getrusage'] }, ['getrusage']],
  [{ syscalls: ['times'] }, ['times']],
  // the calls of these beyond the baseline
  [{ syscalls: ['lseek'] }, ['lseek', 'lseek64', 'fseek', 'fseeko', 'fseeko64', 'ftell', 'ftello', 'ftello64', 'rewind']],
  [{ syscalls: ['pwrite64'] }, ['pwrite', 'pwrite64']],
  [{ syscalls: ['readv', 'preadv'] }, ['readv', 'preadv', 'preadv64']],
  [{ syscalls: ['writev', 'pwritev'] }, ['writev', 'pwritev', 'pwritev64']],
  [{ syscalls: ['getdents64'] }, ['opendir', 'fdopendir', 'readdir', 'readdir64', 'readdir_r', 'readdir64_r', 'closedir', 'dirfd', 'rewinddir', 'scandir', 'scandir64']],
  [{ syscalls: ['mkdir', 'mkdirat'] }, ['mkdir', 'mkdirat', 'mkdtemp']],
  [{ syscalls: ['unlink', 'unlinkat'] }, ['unlink', 'unlinkat', 'remove']],
  [{ syscalls: ['rmdir'] }, ['rmdir']],
  [{ syscalls: ['rename', 'renameat', 'renameat2'] }, ['rename', 'renameat', 'renameat2']],
  [{ syscalls: ['chmod', 'fchmod', 'fchmodat'] }, ['chmod', 'fchmod', 'fchmodat']],
  [{ syscalls: ['chown', 'fchown', 'lchown', 'fchownat'] }, ['chown', 'fchown', 'lchown', 'fchownat']],
  [{ syscalls: ['ftruncate', 'truncate'] }, ['ftruncate', 'ftruncate64', 'truncate', 'truncate64']],
  [{ syscalls: ['fsync', 'fdatasync'] }, ['fsync', 'fdatasync', 'sync_file_range']],
  [{ syscalls: ['symlink', 'symlinkat'] }, ['symlink', 'symlinkat']],
  [{ syscalls: ['link', 'linkat'] }, ['link', 'linkat']],
  [{ syscalls: ['utimensat'] }, ['utime', 'utimes', 'futimes', 'futimens', 'utimensat', 'lutimes']],
  [{ syscalls: ['readlinkat'] }, ['readlinkat']],
  [{ syscalls: ['faccessat', 'faccessat2'] }, ['faccessat', 'euidaccess', 'eaccess']],
  [{ syscalls: ['fstatfs', 'statfs'] }, ['statfs', 'statfs64', 'fstatfs', 'fstatfs64', 'statvfs', 'statvfs64', 'fstatvfs', 'fstatvfs64']],
  [{ syscalls: ['flock'] }, ['flock']],
  [{ syscalls: ['copy_file_range'] }, ['copy_file_range']],
  [{ syscalls: ['sendfile'] }, ['sendfile', 'sendfile64']],
  [{ syscalls: ['dup', 'dup2', 'dup3'] }, ['dup', 'dup2', 'dup3']],
  [{ syscalls: ['pipe', 'pipe2'] }, ['pipe']],
  [{ syscalls: ['poll', 'ppoll'] }, ['poll', 'ppoll', '__poll_chk']],
  [{ syscalls: ['select', 'pselect6'] }, ['select', 'pselect']],
  [{ syscalls: ['epoll_wait', 'epoll_pwait'] }, ['epoll_wait', 'epoll_create']],
  [{ syscalls: ['pause'] }, ['pause']],
  [{ syscalls: ['sigaltstack'] }, ['sigaltstack']],
  [{ syscalls: ['tgkill'] }, ['pthread_kill', 'raise', 'abort']],
  [{ syscalls: ['kill'] }, ['kill', 'killpg']],
  [{ syscalls: ['umask'] }, ['umask']],
  [{ syscalls: ['chdir', 'fchdir'] }, ['chdir', 'fchdir']],
  [{ syscalls: ['sched_setaffinity'] }, ['sched_setaffinity', 'pthread_setaffinity_np']],
  [{ syscalls: ['setpriority', 'getpriority'] }, ['setpriority', 'getpriority', 'nice']],
  [{ syscalls: ['memfd_create'] }, ['memfd_create']],
  [{ syscalls: ['timerfd_create', 'timerfd_settime'] }, ['timerfd_create', 'timerfd_settime', 'timerfd_gettime']],
  [{ apis: ['fs.watch'] }, ['inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch']],
  // sockets, and names resolved as Node resolves them
  [{ apis: NET }, ['socket', 'connect', 'bind', 'listen', 'accept', 'accept4', 'send', 'sendto', 'sendmsg', 'sendmmsg', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg', 'shutdown', 'setsockopt', 'getsockopt', 'getsockname', 'getpeername', 'socketpair']],
  [{ apis: ['dns.lookup'] }, ['getaddrinfo', 'freeaddrinfo', 'gai_strerror', 'getnameinfo', 'gethostbyname', 'gethostbyname_r', 'gethostbyname2_r', 'gethostbyaddr', 'gethostbyaddr_r', 'getservbyname', 'getservbyname_r', 'res_query', 'res_search', '__res_query', 'if_nametoindex', 'if_indextoname', 'getifaddrs', 'freeifaddrs']],
  [{ apis: ['os.userInfo'] }, ['getpwuid', 'getpwuid_r', 'getpwnam', 'getpwnam_r', 'getgrgid', 'getgrgid_r', 'getgrnam', 'getgrnam_r', 'getlogin', 'getlogin_r']],
  // programs it starts: what a started program needs, measured
  [{ apis: PROGRAMS }, ['fork', 'vfork', 'execve', 'execv', 'execvp', 'execvpe', 'execl', 'execlp', 'execle', 'fexecve', 'posix_spawn', 'posix_spawnp', 'system', 'popen', 'pclose', 'waitpid', 'wait', 'wait3', 'wait4', 'waitid', 'setsid', 'setpgid', 'daemon']],
];

/** Families by name: threads and their locks (futex, clone3: the baseline), C++'s runtime, Node's own API, the compiler's helpers. */
const PURE_FAMILIES = /^(napi_|node_api_|pthread_(?!kill$|setaffinity_np$)|sem_|__cxa_|__gxx_|_Unwind_|_ITM_|_Jv_|__gmon_start__$|__pthread_|__popcount|__clz|__ctz|__divti3|__udivti3|__umodti3|__modti3|__muloti4|__powi|__(un)?ordsf2|__(un)?orddf2|__[a-z]+[sdt]f[0-9]$|mem|str|wcs|wmem|bcmp|bcopy|bzero|explicit_bzero|ffs|(a?(cos|sin|tan)h?|atan2|exp(2|m1)?|log(2|10|1p)?|pow|sqrt|cbrt|hypot|floor|ceil|round|trunc|fmod|fma|fmin|fmax|ldexp|frexp|modf|sincos|nextafter|copysign|erfc?|lgamma|tgamma)[fl]?$|fe(get|set)(env|round|exceptflag)$)/;
/** libuv, as Node gives it to addons: what each family does is the Node API built on it. */
const UV: ReadonlyArray<[RegExp, Need]> = [
  [/^uv_fs_(event|poll)_/, { apis: ['fs.watch'] }],
  [/^uv_fs_/, { apis: FS_ALL }],
  [/^uv_(tcp|udp|pipe|tty|getaddrinfo|getnameinfo|ip[46]_|try_write|write|read_start|read_stop|shutdown|listen|accept)/, { apis: [...NET, 'dns.lookup'] }],
  [/^uv_(spawn|process_kill|kill|disable_stdio_inheritance)/, { apis: PROGRAMS, syscalls: ['kill'] }],
  [/^uv_(queue_work|async_|mutex_|rwlock_|cond_|sem_|barrier_|once|key_|thread_|timer_|idle_|prepare_|check_|default_loop|loop_|run|stop|close|ref|unref|has_ref|is_|handle_|req_|now|update_time|hrtime|strerror|err_name|version|backend_|cpu_info|free_cpu_info|available_parallelism|get_total_memory|get_free_memory|uptime|os_getpid|os_getppid|sleep|buf_init|walk|cancel|setup_args|get_process_title|set_process_title)/, {}],
];
/** C++'s standard library: files and folders through std::filesystem and file streams; the rest is memory, strings and threads. */
const CXX: ReadonlyArray<[RegExp, Need]> = [
  [/^_ZNSt(10filesystem|3__14__fs)|^_ZNKSt10filesystem/, { apis: FS_ALL }],
  [/basic_(filebuf|[io]?fstream)/, { syscalls: ['lseek'] }],
  [/^_Z/, {}],
];
/**
 * What Rust's standard library asks through the generic `syscall()`: futexes, random bytes,
 * statx, and its kernel copies (copy_file_range, sendfile, splice); the legacy `open` a
 * bundled allocator makes, as measured with real addons.
 */
const RUST_SYSCALL: Need = { syscalls: ['futex', 'getrandom', 'statx', 'copy_file_range', 'sendfile', 'splice', 'open', 'sched_yield'] };

const BY_NAME = new Map<string, Need>(GROUPS.flatMap(([need, names]) => names.map((name) => [name, need] as [string, Need])));

export interface NativeNeeds {
  /** Probes of the syscall map the addon's imports stand for. */
  apis: string[];
  /** Syscalls beyond those probes. */
  syscalls: string[];
  /** Imports Tenet does not know: while any remain, the addon is not bounded. */
  unknown: string[];
}

/** What an addon importing `imports` may ask the kernel for; `rust` when rustc built it (its `syscall()` calls are the standard library's). */
export function nativeNeeds(imports: readonly string[], rust: boolean): NativeNeeds {
  const apis = new Set<string>();
  const syscalls = new Set<string>();
  const unknown: string[] = [];
  for (const name of imports) {
    const need = name === 'syscall' ? (rust ? RUST_SYSCALL : undefined)
      : BY_NAME.get(name) ?? (PURE_FAMILIES.test(name) ? {} : UV.find(([re]) => re.test(name))?.[1] ?? CXX.find(([re]) => re.test(name))?.[1]);
    if (need === undefined) {
      unknown.push(name);
      continue;
    }
    for (const api of need.apis ?? []) apis.add(api);
    for (const s of need.syscalls ?? []) syscalls.add(s);
  }
  return { apis: [...apis].sort(), syscalls: [...syscalls].sort(), unknown };
}
