import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCompose, type ComposeContext } from '../../../src/intent/compose/index.ts';
import { parseYaml } from '../../../src/intent/document.ts';
import type { FileLookup, FormatResult } from '../../../src/intent/types.ts';
import type { IntentModel, Source } from '../../../src/model/index.ts';
import { FIXTURES } from '../../fixtures.ts';

/** A FileLookup over an in-memory folder tree. */
export function lookupOf(files: Record<string, string>): FileLookup {
  const map = new Map(Object.entries(files));
  return { read: (path) => map.get(path) };
}

/** Analyses the compose files among `files` (by path), with the others reachable through the lookup. */
export function analyzeFiles(files: Record<string, string>, composeFiles: readonly string[], context: Partial<ComposeContext> = {}): FormatResult {
  const parsed = composeFiles.map((file) => parseYaml(file, files[file] ?? ''));
  const result = analyzeCompose(parsed.flatMap((p) => p.documents), { files: lookupOf(files), ...context });
  return { ...result, findings: [...parsed.flatMap((p) => p.findings), ...result.findings] };
}

/** Analyses one compose file as written. */
export function analyzeYaml(text: string, context: Partial<ComposeContext> = {}, file = 'app/compose.yaml'): FormatResult {
  return analyzeFiles({ [file]: text }, [file], context);
}

/** Analyses fixture files by their path under the fixtures folder; referenced files are read from there too. */
export function analyzeFixtures(...paths: string[]): FormatResult {
  const read = (path: string) => {
    try {
      return readFileSync(join(FIXTURES, path), 'utf8');
    } catch {
      return undefined;
    }
  };
  const docs = paths.flatMap((path) => parseYaml(path, read(path) ?? '').documents);
  return analyzeCompose(docs, { files: { read } });
}

export function modelNamed(result: FormatResult, service: string): IntentModel {
  const model = result.models.find((m) => m.workload?.name === service);
  if (!model) throw new Error(`no model for service ${service}; have ${result.models.map((m) => m.workload?.name).join(', ')}`);
  return model;
}

/** A `declared` compose source, as the analyser writes it. */
export function at(file: string, line: number, path: string, detail?: string): Source {
  return { kind: 'declared', format: 'compose', file, line, path, ...(detail !== undefined && { detail }) };
}

/** `from -> to port/protocol` lines of a result's edges, for compact assertions. */
export function edgeLines(result: FormatResult): string[] {
  return result.supermodels.flatMap((s) => s.edges.map((e) => `${e.from} -> ${e.to} ${e.port}/${e.protocol}`));
}

export function codes(result: FormatResult): string[] {
  return result.findings.map((f) => `${f.code} ${f.location.line}`);
}

/** Line (from 1) of the first line of `text` that contains `needle`, so tests need not count lines. */
export function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  const index = lines.findIndex((l, i) => i >= from && l.includes(needle));
  if (index === -1) throw new Error(`"${needle}" is not in the text`);
  return index + 1;
}
