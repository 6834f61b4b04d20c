import type { Log, ReportingDescriptor, Result } from 'sarif';
import { FINDING_CODES, type Analysis, type FindingCode, type Severity } from '../../model/index.ts';

const LEVEL: Record<Severity, Result.level> = { info: 'note', low: 'note', medium: 'warning', high: 'error', critical: 'error' };

/** GitHub code scanning reads these to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = { info: undefined, low: '3.0', medium: '5.5', high: '8.0', critical: '9.5' };

function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0 as GitHub code scanning accepts it: one run, the catalog as rules, relative URIs. */
export function toSarif(analysis: Analysis, version: string): Log {
  const catalog = FINDING_CODES as Record<string, FindingCode>;
  const used = [...new Set(analysis.findings.map((f) => f.code))].sort();
  const rules: ReportingDescriptor[] = used.map((id) => {
    const entry = catalog[id];
    const severity = SECURITY_SEVERITY[entry?.severity ?? 'info'];
    return {
      id,
      name: entry?.name ?? id,
      shortDescription: { text: entry?.title ?? id },
      fullDescription: { text: entry?.help ?? id },
      help: { text: entry?.help ?? id, markdown: `**${entry?.title ?? id}** — ${entry?.help ?? ''}` },
      defaultConfiguration: { level: LEVEL[entry?.severity ?? 'info'] },
      properties: { tags: entry?.unusable ? ['input'] : ['security'], ...(severity !== undefined && { 'security-severity': severity }) },
    };
  });
  const results: Result[] = analysis.findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: used.indexOf(f.code),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: encodeUri(f.location.file), uriBaseId: '%SRCROOT%' },
        region: { startLine: f.location.line, ...(f.location.column !== undefined && { startColumn: f.location.column }) },
      },
      ...(f.location.path !== undefined && { logicalLocations: [{ fullyQualifiedName: f.location.path, kind: 'member' }] }),
    }],
    partialFingerprints: { tenetFinding: `${f.code}:${f.location.file}:${f.message}` },
  }));
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: { driver: { name: 'Tenet', semanticVersion: version, rules } },
      results,
      columnKind: 'unicodeCodePoints',
    }],
  };
}
