import { analyzeDockerfile, type DockerfileAnalysis } from '../../../src/intent/dockerfile/index.ts';
import { IntentModel, type Source } from '../../../src/model/index.ts';

export const FILE = 'app/Dockerfile';

/** A Dockerfile source as the analyser writes it. */
export function at(line: number, instruction: string): Source {
  return { kind: 'declared', format: 'dockerfile', file: FILE, line, instruction };
}

/** Analyses lines joined by newlines, and checks the model against the schema. */
export function analyze(lines: readonly string[] | string, buildArgs?: Record<string, string>): DockerfileAnalysis {
  const result = analyzeDockerfile(FILE, typeof lines === 'string' ? lines : lines.join('\n'), buildArgs);
  IntentModel.parse(result.model);
  return result;
}

/** `CODE:line` of each finding, in order. */
export function codes(result: DockerfileAnalysis): string[] {
  return result.findings.map((f) => `${f.code}:${f.location.line}`);
}

/** The argv of the main process. */
export function mainArgv(result: DockerfileAnalysis): string[] | undefined {
  return result.model.processes.find((p) => p.role === 'main')?.argv;
}
