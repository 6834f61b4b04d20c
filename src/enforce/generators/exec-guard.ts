/**
 * The exec guard: a bpftrace program (run with --unsafe) that kills, in the
 * kernel, a program a prevented container's model does not allow, at
 * sched_process_exec: after the new image is loaded and before its first
 * instruction. The parent and the container live on; the kill is printed as
 * a `killed` record for the defender to audit.
 */

/** One container the guard watches: its cgroup id and the programs its model allows. */
export interface GuardTarget {
  cgroup: string;
  /** Allowed programs: absolute paths, folders as `folder/*`, or bare names (`nginx`, matched on the process name). */
  allowed: readonly string[];
}

/** bpftrace keeps strings to this many bytes, the terminating NUL included. */
const STRLEN = 64;

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The test that a file name `$f` (or the process name) is allowed by one model entry. */
function allows(entry: string): string | undefined {
  if (!entry.startsWith('/')) return entry.length < 16 ? `comm == ${quote(entry)}` : `strncmp(comm, ${quote(entry.slice(0, 15))}, 15) == 0`;
  // a pattern (or a generalised segment) allows whatever starts like it; a path too long for bpftrace's strings, its first bytes
  const star = entry.indexOf('*');
  const prefix = star === -1 ? entry : entry.slice(0, star);
  if (prefix.length === 0 || prefix === '/') return undefined;
  if (star === -1 && entry.length < STRLEN) return `$f == ${quote(entry)}`;
  const n = Math.min(prefix.length, STRLEN - 1);
  return `strncmp($f, ${quote(prefix.slice(0, n))}, ${n}) == 0`;
}

/** The guard's program; undefined when there is nothing to guard. A model allowing everything (`/*`) is not guarded. */
export function execGuardScript(targets: readonly GuardTarget[]): string | undefined {
  const guarded = targets.filter((t) => /^\d+$/.test(t.cgroup) && !t.allowed.some((a) => a === '/*' || a === '*'));
  if (guarded.length === 0) return undefined;
  const blocks = guarded.map((t) => {
    const tests = [...new Set(t.allowed.map(allows).filter((x): x is string => x !== undefined))].sort();
    const allowed = tests.length === 0 ? '0' : tests.map((x) => `(${x})`).join(' ||\n      ');
    return [
      `  if (cgroup == ${t.cgroup}) {`,
      `    if (!(${allowed})) {`,
      '      signal("SIGKILL");',
      '      printf("killed\\x1f%llu\\x1f%d\\x1f%s\\n", cgroup, pid, $f);',
      '    }',
      '  }',
    ].join('\n');
  });
  return [
    '// Tenet exec guard: generated from the models of prevented containers. Run with bpftrace --unsafe.',
    'BEGIN { printf("ready\\x1f0\\n"); }',
    '',
    `tracepoint:sched:sched_process_exec /${guarded.map((t) => `cgroup == ${t.cgroup}`).join(' || ')}/ {`,
    '  $f = str(args->filename);',
    ...blocks,
    '}',
    '',
    'interval:ms:100 { printf("tick\\n"); }',
    '',
  ].join('\n');
}
