// The intent change as a terminal report, a pull-request comment (Markdown), and SARIF.
import type { Log, Result } from 'sarif';
import type { IntentChange, IntentDiff } from '../../intent/index.ts';
import type { Source } from '../../model/index.ts';

/** Where an entry comes from, in a few words: `server.js:12`, `Dockerfile:9 (EXPOSE 8080)`, `learned`. */
export function sourceText(sources: readonly Source[]): string {
  const s = sources.find((x) => x.file !== undefined) ?? sources[0];
  if (s === undefined) return '';
  if (s.file === undefined) return s.kind;
  return `${s.file}${s.line !== undefined ? `:${s.line}` : ''}${s.instruction !== undefined ? ` (${s.instruction})` : s.path !== undefined ? ` (${s.path})` : ''}`;
}

const byModel = (changes: readonly IntentChange[]) => {
  const groups = new Map<string, IntentChange[]>();
  for (const c of changes) {
    const group = groups.get(c.model);
    if (group === undefined) groups.set(c.model, [c]);
    else group.push(c);
  }
  return groups;
};

export function diffSummary(diff: IntentDiff): string {
  const widening = diff.changes.filter((c) => c.widening).length;
  return `${diff.changes.length} change${diff.changes.length === 1 ? '' : 's'}, ${widening} widening${diff.modelsAdded.length > 0 ? `; new: ${diff.modelsAdded.join(', ')}` : ''}${diff.modelsRemoved.length > 0 ? `; gone: ${diff.modelsRemoved.join(', ')}` : ''}`;
}

export function diffTable(diff: IntentDiff): string {
  if (diff.changes.length === 0) return 'No intent change.\n';
  const lines: string[] = [];
  for (const [model, changes] of byModel(diff.changes)) {
    lines.push(model);
    for (const c of changes) {
      lines.push(`  ${c.change === 'added' ? '+' : '-'} ${c.dimension.padEnd(20)} ${c.entry.padEnd(36)} ${(c.widening ? 'widening' : 'narrowing').padEnd(10)} ${sourceText(c.sources)}`.trimEnd());
    }
  }
  lines.push('', diffSummary(diff));
  return `${lines.join('\n')}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function diffMarkdown(diff: IntentDiff): string {
  const widening = diff.changes.filter((c) => c.widening);
  const lines = [
    `### Intent change: ${widening.length > 0 ? `⚠️ ${widening.length} widening` : 'nothing widens'}`,
    '',
    diffSummary(diff),
    '',
  ];
  for (const [model, changes] of byModel(diff.changes)) {
    lines.push(`**${cell(model)}**`, '', '| | dimension | entry | | source |', '|---|---|---|---|---|');
    for (const c of changes) {
      lines.push(`| ${c.change === 'added' ? '➕' : '➖'} | ${c.dimension} | \`${cell(c.entry)}\` | ${c.widening ? '**widening**' : 'narrowing'} | ${cell(sourceText(c.sources))} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Each change a result: widening as a warning, narrowing as a note, located at its evidence when it has a file. */
export function diffSarif(diff: IntentDiff, version: string): Log {
  const rules = [
    { id: 'intent-widening', name: 'IntentWidening', shortDescription: { text: 'The new version may do more' }, defaultConfiguration: { level: 'warning' as const } },
    { id: 'intent-narrowing', name: 'IntentNarrowing', shortDescription: { text: 'The new version may do less' }, defaultConfiguration: { level: 'note' as const } },
  ];
  const results: Result[] = diff.changes.map((c) => {
    const located = c.sources.find((s) => s.file !== undefined);
    return {
      ruleId: c.widening ? 'intent-widening' : 'intent-narrowing',
      ruleIndex: c.widening ? 0 : 1,
      level: c.widening ? 'warning' : 'note',
      message: { text: `${c.model}: ${c.dimension} ${c.change} ${c.entry}` },
      ...(located !== undefined && {
        locations: [{ physicalLocation: { artifactLocation: { uri: located.file!, uriBaseId: '%SRCROOT%' }, ...(located.line !== undefined && { region: { startLine: located.line } }) } }],
      }),
      partialFingerprints: { tenetIntentChange: `${c.model}:${c.dimension}:${c.change}:${c.entry}` },
    };
  });
  return { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: [{ tool: { driver: { name: 'Tenet', semanticVersion: version, rules } }, results }] };
}
