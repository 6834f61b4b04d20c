import { styleText } from 'node:util';
import { FINDING_CODES, type Analysis, type Finding, type IntentModel, type Severity, type Supermodel } from '../../model/index.ts';
import { append } from '../../append.ts';

type Style = Parameters<typeof styleText>[0];
type Paint = (style: Style, text: string) => string;

const SEVERITY_STYLE: Record<Severity, Style> = { info: 'gray', low: 'cyan', medium: 'yellow', high: 'red', critical: ['bold', 'red'] };
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
/** The report fits a terminal this wide: cells past their column's width are cut, lists with a count of what was left out. */
const WIDTH = 120;
/** Findings of one code listed before the rest are counted (without --verbose). */
const SHOWN_PER_CODE = 3;
/** Input findings that mean a file (or part of it) could not be read. */
const UNREAD = new Set(['TN001', 'TN002', 'TN003', 'TN004', 'TN005', 'TN015', 'TN024']);

export interface TableOptions {
  color: boolean;
  /** Every finding, every edge and every model's full lists. */
  verbose?: boolean;
}

/** A text cut to `width` characters, with `…` where it was cut. */
function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** A path cut from its start to `width` characters (its end says most): `…/k8s/shop.yaml`. */
function tail(path: string, width: number): string {
  return path.length <= width ? path : `…${path.slice(path.length - width + 1)}`;
}

/** Items joined with commas within `width`, and `+N` for those left out. */
function list(items: readonly string[], width: number): string {
  if (items.length === 0) return '-';
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out === '' ? items[i]! : `${out},${items[i]}`;
    const rest = items.length - i - 1;
    if (next.length + (rest > 0 ? ` +${rest}`.length : 0) > width) return `${out} +${items.length - i}`;
    out = next;
  }
  return out;
}

function ports(model: IntentModel): string[] {
  return [...new Set(model.network.listen.map((l) => `${l.port}${l.endPort !== undefined ? `-${l.endPort}` : ''}${l.protocol === 'tcp' ? '' : `/${l.protocol}`}`))];
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows an image ID. */
function shortId(id: string): string {
  return id.replace(/^sha256:([0-9a-f]{12})[0-9a-f]*/, 'sha256:$1');
}

/** The format a workload kind comes from, as a prefix that tells applications of one name apart. */
function formatOf(kind: string | undefined): string {
  if (kind === 'ComposeService') return 'compose';
  if (kind?.startsWith('Marathon') === true) return 'marathon';
  return 'k8s';
}

/** An application named unambiguously: `k8s:shop`, `compose:shop`, `marathon:/shop`. */
export function applicationName(s: Supermodel): string {
  return `${formatOf(s.nodes[0]?.kind)}:${s.app}`;
}

/** A model's workload as the report names it: `k8s:shop/Deployment/web/nginx`, `compose:shop/web`, the image for an image's model. */
function workloadName(m: IntentModel): string {
  const w = m.workload;
  if (w === undefined) return m.image !== undefined ? `image ${m.image}` : `image ${shortId(m.id)}`;
  const container = w.container !== undefined && w.container !== w.name ? `/${w.container}` : '';
  if (w.kind === 'Dockerfile') return `dockerfile:${w.name}`;
  const format = formatOf(w.kind);
  if (format === 'compose') return `compose:${w.namespace ?? ''}/${w.name}${container}`;
  if (format === 'marathon') return `marathon:${w.name}${container}`;
  return `k8s:${w.namespace ?? 'default'}/${w.kind}/${w.name}${container}`;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0)) ?? [];
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/**
 * The human report, for a 120-column terminal: a summary line first, the
 * models, each application's graph with how complete the declarations make
 * it, and findings grouped by code (each listed with `verbose`).
 */
export function toTable(analysis: Analysis, options: TableOptions): string {
  const { color, verbose = false } = options;
  const paint: Paint = (style, text) => (color ? styleText(style, text, { validateStream: false }) : text);
  const lines: string[] = [summary(analysis), ''];
  lines.push(paint('bold', `Models (${analysis.models.length})`));
  if (analysis.models.length > 0) {
    const rows = [['WORKLOAD', 'IMAGE', 'USER', 'LISTEN', 'EGRESS', 'PROCS', 'ROOT']];
    for (const m of analysis.models) {
      rows.push([
        cut(workloadName(m), 40),
        cut(m.image ?? '-', 27),
        cut(m.security.user?.value ?? '-', 8),
        verbose ? ports(m).join(',') || '-' : list(ports(m), 16),
        String(m.network.egress.length),
        String(m.processes.length),
        m.filesystem.readOnlyRoot ? `ro+${m.filesystem.writable.length}` : 'rw',
      ]);
    }
    append(lines, pad(rows).map((r, i) => `  ${i === 0 ? paint('dim', r) : r}`));
    lines.push(paint('dim', '  LISTEN: ports served (tcp unless /udp; +N: more). EGRESS: peers it connects to. PROCS: programs it may run.'));
    lines.push(paint('dim', '  ROOT: rw = writable root filesystem; ro+N = read-only root with N writable paths. USER: - = the image\'s.'));
  }
  const images = analysis.models.filter((m) => m.inventory !== undefined);
  if (images.length > 0) {
    lines.push('', paint('bold', `Images (${images.length})`));
    const rows = [['IMAGE', 'ID', 'OS', 'PACKAGES', 'EXECUTABLES', 'RUNS']];
    for (const m of images) {
      const main = m.processes.filter((p) => p.role === 'main').map((p) => p.path);
      rows.push([
        cut(m.image ?? '-', 40),
        shortId(m.id),
        m.os ? `${m.os.id} ${m.os.version ?? ''}`.trim() : '-',
        String(m.inventory!.packages.length),
        String(m.inventory!.executables.length),
        cut(main.join(' → ') || '-', 30),
      ]);
    }
    append(lines, pad(rows).map((r, i) => `  ${i === 0 ? paint('dim', r) : r}`));
  }
  for (const app of analysis.apps ?? []) {
    const model = analysis.models.find((m) => m.id === app.model);
    const syscalls = model?.syscalls.allow.length ?? 0;
    lines.push('', paint('bold', `Code ${app.dir}: ${app.files} modules, ${app.apis.length} Node.js APIs, ${syscalls} syscalls (Node.js ${app.node})${app.spawns ? '' : ', no new processes'}`));
    lines.push(`  ${paint('dim', 'entries')}  ${cut(app.entries.map((e) => e.path).join(', ') || '-', WIDTH - 11)}`);
    const apis = app.apis.map((a) => a.api);
    if (apis.length > 0) lines.push(`  ${paint('dim', 'apis')}     ${verbose ? apis.join(' ') : cut(apis.join(' '), WIDTH - 11)}`);
    for (const w of app.widened) lines.push(`  ${paint('dim', 'widened')}  ${cut(`${w.reason} ${w.detail} at ${w.file}:${w.line}`, WIDTH - 11)}`);
  }
  if (analysis.supermodels.length > 0) lines.push('', paint('bold', `Applications (${analysis.supermodels.length})`));
  let incomplete = false;
  for (const s of analysis.supermodels) {
    const shown = application(s, analysis, paint, verbose);
    append(lines, shown.lines);
    incomplete ||= shown.incomplete;
  }
  if (incomplete) {
    lines.push(paint('dim', '  Most peers of real applications are written in their code and images, not their manifests: the defender'));
    lines.push(paint('dim', '  learns the rest of each graph from the traffic (tenet defender); watch the workloads in no declared edge.'));
  }
  lines.push('', paint('bold', `Findings (${analysis.findings.length})${verbose || analysis.findings.length === 0 ? '' : ', by code: --verbose lists each'}`));
  append(lines, verbose ? analysis.findings.map((f) => `  ${formatFinding(f, paint)}`) : byCode(analysis.findings, paint));
  return `${lines.join('\n')}\n`;
}

/**
 * One application: its edges, and how much of its graph the declarations
 * give — workloads that are clients of nothing declared, peers named without
 * a port, hosts outside the input — and that learning completes it.
 */
function application(s: Supermodel, analysis: Analysis, paint: Paint, verbose: boolean): { lines: string[]; incomplete: boolean } {
  const lines = [`  ${paint('bold', applicationName(s))}: ${s.nodes.length} workloads, ${s.edges.length} edges`];
  const rows = s.edges.map((e) => [`${e.from} → ${e.to}`, `${e.port}${e.targetPort !== e.port ? `→${e.targetPort}` : ''}/${e.protocol}${e.appProtocol !== undefined ? ` (${e.appProtocol})` : ''}`]);
  const shown = verbose ? rows : rows.slice(0, 20);
  append(lines, pad(shown.map(([a, b]) => [cut(a!, 90), b!])).map((r) => `    ${r}`));
  if (shown.length < rows.length) lines.push(paint('dim', `    … ${rows.length - shown.length} more edges (--verbose)`));
  const clients = new Set(s.edges.map((e) => e.from));
  const servers = new Set(s.edges.map((e) => e.to));
  const alone = s.nodes.filter((n) => !clients.has(n.id) && !servers.has(n.id)).map((n) => n.id);
  const models = new Set(s.nodes.flatMap((n) => n.models));
  const own = analysis.models.filter((m) => models.has(m.id));
  const unported = own.reduce((n, m) => n + m.network.dns.filter((d) => !m.network.egress.some((e) => e.host === d.name)).length, 0);
  const outside = analysis.findings.filter((f) => f.code === 'TN011' && f.model !== undefined && models.has(f.model)).length;
  const gaps = [
    alone.length > 0 && `${alone.length} of ${s.nodes.length} workloads in no declared edge: ${list(alone, 60)}`,
    unported > 0 && `${unported} peers named without a port`,
    outside > 0 && `${outside} peers not in the input`,
  ].filter((g): g is string => typeof g === 'string');
  if (gaps.length > 0) {
    lines.push(paint('dim', '    completeness of what is declared:'));
    for (const gap of gaps) lines.push(paint('dim', `      ${cut(gap, WIDTH - 6)}`));
  }
  return { lines, incomplete: gaps.length > 0 };
}

/** Findings grouped by code, most severe first: each code's count, title, and its first few. */
function byCode(findings: readonly Finding[], paint: Paint): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) (groups.get(f.code) ?? groups.set(f.code, []).get(f.code)!).push(f);
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const sorted = [...groups.values()].sort((a, b) => rank(a[0]!.severity) - rank(b[0]!.severity) || b.length - a.length || (a[0]!.code < b[0]!.code ? -1 : 1));
  const lines: string[] = [];
  for (const group of sorted) {
    const [first] = group;
    const title = FINDING_CODES[first!.code as keyof typeof FINDING_CODES]?.title ?? first!.code;
    lines.push(`  ${paint(SEVERITY_STYLE[first!.severity], first!.severity.toUpperCase().padEnd(8))} ${first!.code} ×${group.length}  ${paint('bold', title)}`);
    for (const f of group.slice(0, SHOWN_PER_CODE)) {
      lines.push(`      ${cut(f.message, WIDTH - 6)}`);
      lines.push(paint('dim', `        at ${tail(f.location.file, WIDTH - 20)}:${f.location.line}`));
    }
    if (group.length > SHOWN_PER_CODE) lines.push(paint('dim', `      … ${group.length - SHOWN_PER_CODE} more`));
  }
  return lines;
}

function formatFinding(f: Finding, paint: Paint): string {
  const sev = paint(SEVERITY_STYLE[f.severity], f.severity.toUpperCase().padEnd(8));
  return `${sev} ${f.code}  ${f.location.file}:${f.location.line}  ${f.message}`;
}

/** One line: models, applications, edges, findings by severity, and the files that could not be read. */
export function summary(analysis: Analysis): string {
  const counts = new Map<Severity, number>();
  for (const f of analysis.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const bySeverity = SEVERITIES.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  const edges = analysis.supermodels.reduce((n, s) => n + s.edges.length, 0);
  const unread = new Set(analysis.findings.filter((f) => UNREAD.has(f.code)).map((f) => f.location.file)).size;
  return `${analysis.models.length} models, ${analysis.supermodels.length} applications, ${edges} edges; ${analysis.findings.length} findings${bySeverity.length > 0 ? ` (${bySeverity.join(', ')})` : ''}${unread > 0 ? `; ${unread} files not read in full` : ''}`;
}
