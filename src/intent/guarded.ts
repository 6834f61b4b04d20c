import { append } from '../append.ts';
import { finding } from '../model/index.ts';
import type { SourceDocument } from './document.ts';
import type { FormatResult } from './types.ts';

/**
 * A format's analysis that cannot take the run down: should it fail (a fault
 * of Tenet's, not of the input), each file is analysed alone, and a file that
 * still fails is one finding; the others keep their result (without what
 * joins them to the failing file).
 */
export function guarded(format: string, docs: SourceDocument[], analyzeFormat: (docs: SourceDocument[]) => FormatResult): FormatResult {
  try {
    return analyzeFormat(docs);
  } catch (whole) {
    const out: FormatResult = { models: [], supermodels: [], findings: [] };
    const byFile = new Map<string, SourceDocument[]>();
    for (const d of docs) (byFile.get(d.file) ?? byFile.set(d.file, []).get(d.file)!).push(d);
    for (const [file, own] of byFile) {
      try {
        const result = analyzeFormat(own);
        append(out.models, result.models);
        append(out.supermodels, result.supermodels);
        append(out.findings, result.findings);
      } catch (e) {
        out.findings.push(finding('TN025', `Tenet could not analyse this ${format} file: ${firstLineOf(e)}; the other files are analysed (please report it)`, { file, line: 1 }));
      }
    }
    if (!out.findings.some((f) => f.code === 'TN025')) out.findings.push(finding('TN025', `Tenet could not analyse the ${format} files together: ${firstLineOf(whole)}; each was analysed alone (please report it)`, { file: docs[0]!.file, line: 1 }));
    return out;
  }
}

function firstLineOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

