import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, parseYaml, type SourceDocument } from '../../../src/intent/document.ts';
import { analyzeKubernetes, isKubernetesObject } from '../../../src/intent/kubernetes/index.ts';
import type { FormatResult } from '../../../src/intent/types.ts';
import { FIXTURES } from '../../fixtures.ts';

export const K8S = join(FIXTURES, 'kubernetes');

/** Files under a folder, recursively, in name order (as a folder walk gives them). */
export function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => filesUnder(join(path, name)));
}

/** The Kubernetes documents of files, parsed as the classifier would. */
export function documentsOf(...paths: string[]): SourceDocument[] {
  return paths.flatMap(filesUnder).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const { documents } = file.endsWith('.json') ? parseJson(file, text) : parseYaml(file, text);
    return documents.filter((d) => isKubernetesObject(d.value));
  });
}

export function analyzeFiles(...paths: string[]): FormatResult {
  return analyzeKubernetes(documentsOf(...paths));
}

/** Inline YAML (several documents allowed) as one file. */
export function analyzeYaml(text: string, file = 'test.yaml'): FormatResult {
  return analyzeKubernetes(parseYaml(file, text).documents);
}
