import { styleText } from 'node:util';
import type { Analysis, Finding, IntentModel, Severity } from '../../model/index.ts';
import { append } from '../../append.ts';

type Style = Parameters<typeof styleText>[0];

const SEVERITY_STYLE: Record<Severity, Style> = { info: 'gray', low: 'cyan', medium: 'yellow', high: 'red', critical: ['bold', 'red'] };

function ports(model: IntentModel): string {
  const listen = model.network.listen.map((l) => `${l.port}${l.endPort !== undefined ? `-${l.endPort}` : ''}${l.protocol === 'tcp' ? '' : `/${l.protocol}`}`);
  return listen.length > 0 ? [...new Set(listen)].join(',') : '-';
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows an image ID. */
function shortId(id: string): string {
  return id.replace(/^sha256:([0-9a-f]{12})[0-9a-f]*/, 'sha256:$1');
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]?.map((_, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0)) ?? [];
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** The human report: models, application graphs, findings, and a one-line summary. */
export function toTable(analysis: Analysis, color: boolean): string {
  const paint = (style: Style, text: string) => (color ? styleText(style, text, { validateStream: false }) : text);
  const lines: string[] = [];
  lines.push(paint('bold', `Models (${analysis.models.length})`));
  if (analysis.models.length > 0) {
    const rows = [['WORKLOAD', 'IMAGE', 'USER', 'LISTEN', 'EGRESS', 'PROCESSES', 'WRITABLE']];
    for (const m of analysis.models) {
      const w = m.workload;
      const name = w ? `${w.kind} ${w.namespace !== undefined ? `${w.namespace}/` : ''}${w.name}${w.container !== undefined && w.container !== w.name ? `/${w.container}` : ''}` : `Image ${shortId(m.id)}`;
      rows.push([
        name,
        m.image ?? '-',
        m.security.user?.value ?? '-',
        ports(m),
        String(m.network.egress.length),
        String(m.processes.length),
        m.filesystem.readOnlyRoot ? `ro+${m.filesystem.writable.length}` : 'rw',
      ]);
    }
    append(lines, pad(rows).map((r, i) => `  ${i === 0 ? paint('dim', r) : r}`));
  }
  const images = analysis.models.filter((m) => m.inventory !== undefined);
  if (images.length > 0) {
    lines.push('', paint('bold', `Images (${images.length})`));
    const rows = [['IMAGE', 'ID', 'OS', 'PACKAGES', 'EXECUTABLES', 'RUNS']];
    for (const m of images) {
      const main = m.processes.filter((p) => p.role === 'main').map((p) => p.path);
      rows.push([
        m.image ?? '-',
        shortId(m.id),
        m.os ? `${m.os.id} ${m.os.version ?? ''}`.trim() : '-',
        String(m.inventory!.packages.length),
        String(m.inventory!.executables.length),
        main.join(' → ') || '-',
      ]);
    }
    append(lines, pad(rows).map((r, i) => `  ${i === 0 ? paint('dim', r) : r}`));
  }
  for (const app of analysis.apps ?? []) {
    const model = analysis.models.find((m) => m.id === app.model);
    const syscalls = model?.syscalls.allow.length ?? 0;
    lines.push('', paint('bold', `Code ${app.dir}: ${app.files} modules, ${app.apis.length} Node.js APIs, ${syscalls} syscalls (Node.js ${app.node})${app.spawns ? '' : ', no new processes'}`));
    lines.push(`  ${paint('dim', 'entries')}  ${app.entries.map((e) => e.path).join(', ') || '-'}`);
    const apis = app.apis.map((a) => a.api);
    if (apis.length > 0) lines.push(`  ${paint('dim', 'apis')}     ${apis.join(' ')}`);
    for (const w of app.widened) lines.push(`  ${paint('dim', 'widened')}  ${w.reason} ${w.detail} at ${w.file}:${w.line}`);
  }
  for (const s of analysis.supermodels) {
    lines.push('', paint('bold', `Application ${s.app}: ${s.nodes.length} workloads, ${s.edges.length} flows`));
    const rows = s.edges.map((e) => [`${e.from} → ${e.to}`, `${e.port}${e.targetPort !== e.port ? `→${e.targetPort}` : ''}/${e.protocol}${e.appProtocol !== undefined ? ` (${e.appProtocol})` : ''}`]);
    if (rows.length > 0) append(lines, pad(rows).map((r) => `  ${r}`));
  }
  lines.push('', paint('bold', `Findings (${analysis.findings.length})`));
  for (const f of analysis.findings) lines.push(`  ${formatFinding(f, paint)}`);
  lines.push('', summary(analysis));
  return `${lines.join('\n')}\n`;
}

function formatFinding(f: Finding, paint: (s: Style, t: string) => string): string {
  const sev = paint(SEVERITY_STYLE[f.severity], f.severity.toUpperCase().padEnd(8));
  return `${sev} ${f.code}  ${f.location.file}:${f.location.line}  ${f.message}`;
}

export function summary(analysis: Analysis): string {
  const counts = new Map<Severity, number>();
  for (const f of analysis.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const bySeverity = (['critical', 'high', 'medium', 'low', 'info'] as const).filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  const edges = analysis.supermodels.reduce((n, s) => n + s.edges.length, 0);
  return `${analysis.models.length} models, ${analysis.supermodels.length} applications, ${edges} flows, ${analysis.findings.length} findings${bySeverity.length > 0 ? ` (${bySeverity.join(', ')})` : ''}`;
}
