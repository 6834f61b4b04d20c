import { profileAllows, RUNTIME_SYSCALLS, seccompProfile } from '../../enforce/index.ts';
import { NODE_SYSCALL_MAPS, nodeSyscallMap } from '../../knowledge/index.ts';
import type { CodeReport, IntentModel } from '../../model/index.ts';

/** How many syscalls Docker's default seccomp profile allows on x86_64: what a profile of Tenet is measured against. */
export const DOCKER_DEFAULT_ALLOWED = 308;

/**
 * Why each syscall of a model's profile is there: Node.js's own (the baseline of
 * the syscall map), each API the app's code uses at its first use, and what each
 * widening for code Tenet cannot read adds on its own. For a learned model, what
 * the defender saw.
 */
export function explainSyscalls(model: IntentModel, report: CodeReport | undefined): string {
  // what the profile lets through: the model's calls, the runtime's, fallbacks, and process creation refused to an app that starts none
  const profile = profileAllows(seccompProfile(model.syscalls.allow));
  const allowed = model.syscalls.allow.filter((s) => profile.includes(s));
  const refused = model.syscalls.allow.filter((s) => !profile.includes(s));
  const lines = [`${model.id}: ${profile.length} syscalls, ${Math.round((profile.length / DOCKER_DEFAULT_ALLOWED) * 100)}% of Docker's default ${DOCKER_DEFAULT_ALLOWED}`];
  const added = profile.filter((s) => !model.syscalls.allow.includes(s));
  const runtime = added.filter((s) => RUNTIME_SYSCALLS.includes(s));
  const fallbacks = added.filter((s) => !RUNTIME_SYSCALLS.includes(s));
  const profileLines = [
    `  ${String(runtime.length).padStart(4)}  the container runtime's and the program's start (the dynamic loader, libc) between the filter and main: ${runtime.join(' ')}`,
    ...(fallbacks.length > 0 ? [`  ${String(fallbacks.length).padStart(4)}  older calls glibc and libuv fall back to when a newer one is refused: ${fallbacks.join(' ')}`] : []),
    ...(refused.length > 0 ? [`        refused, as the app starts no process: ${refused.join(' ')} (clone is allowed for threads only)`] : []),
  ];
  if (report === undefined) {
    const learned = model.learning === undefined ? 'from the model\'s sources' : `learned from ${model.learning.starts ?? 0} container start(s) watched by the syscall sensor`;
    lines.push(`  ${String(allowed.length).padStart(4)}  ${learned}: ${allowed.join(' ')}`, ...profileLines);
    return `${lines.join('\n')}\n`;
  }
  const map = nodeSyscallMap(report.node, 'x64') ?? NODE_SYSCALL_MAPS[0]!;
  const baseline = allowed.filter((s) => map.baseline.includes(s));
  const reasons = new Map<string, { api: string; file: string; line: number; widened: boolean }>();
  // the code's own use first, then what only a widening reaches
  for (const use of [...report.apis].sort((a, b) => Number(a.widened === true) - Number(b.widened === true))) {
    for (const s of use.syscalls) if (!reasons.has(s) && !map.baseline.includes(s)) reasons.set(s, { api: use.api, file: use.file, line: use.line, widened: use.widened === true });
  }
  const byCode = allowed.filter((s) => reasons.get(s)?.widened === false);
  const widenedOnly = (s: string) => reasons.get(s)?.widened === true || (!reasons.has(s) && report.widened.some((w) => w.adds.includes(s)));
  const byWidening = allowed.filter((s) => !map.baseline.includes(s) && widenedOnly(s));
  const other = allowed.filter((s) => !map.baseline.includes(s) && !reasons.has(s) && !widenedOnly(s));
  const row = (s: string) => {
    const why = reasons.get(s)!;
    return `         ${s.padEnd(20)} ${why.api.padEnd(26)} ${why.file}:${why.line}`;
  };
  lines.push(`  ${String(baseline.length).padStart(4)}  Node.js ${map.node} itself: start-up, event loop, threads, garbage collector`);
  lines.push(`  ${String(byCode.length).padStart(4)}  the app's own use of Node.js APIs, each at its first use:`);
  lines.push(...byCode.map(row));
  lines.push(`  ${String(byWidening.length).padStart(4)}  widenings for code Tenet cannot read${report.widened.length === 0 ? ' (none)' : ''}:`);
  for (const w of report.widened) {
    lines.push(`         +${String(w.adds.length).padEnd(3)} ${w.reason} at ${w.file}:${w.line} (${w.detail})${w.adds.length > 0 ? `: ${w.adds.join(' ')}` : ''}`);
  }
  if (other.length > 0) lines.push(`  ${String(other.length).padStart(4)}  from the rest of the model (its image, its Dockerfile): ${other.join(' ')}`);
  lines.push(...profileLines);
  return `${lines.join('\n')}\n`;
}
