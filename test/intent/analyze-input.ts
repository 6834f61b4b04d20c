import { collectInputs } from '../../src/cli/inputs.ts';
import { analyze } from '../../src/intent/index.ts';
import type { Analysis } from '../../src/model/index.ts';

/** Analyses files and folders as the CLI does, in process. */
export function analyzePaths(...paths: string[]): Analysis {
  const { inputs, findings } = collectInputs(paths, 10 * 1024 * 1024);
  const analysis = analyze(inputs);
  return { ...analysis, findings: [...findings, ...analysis.findings] };
}
