import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, type SourceDocument } from '../../../src/intent/document.ts';
import { analyzeMarathon, isMarathonDocument } from '../../../src/intent/marathon/index.ts';
import type { FormatResult } from '../../../src/intent/types.ts';
import type { Finding, IntentModel, Source, Supermodel } from '../../../src/model/index.ts';
import { FIXTURES } from '../../fixtures.ts';

export const MARATHON = join(FIXTURES, 'marathon');

/** The Marathon documents of fixture files (paths under the marathon fixtures), as the classifier keeps them. */
export function documentsOf(...files: string[]): SourceDocument[] {
  return files.flatMap((name) => {
    const file = join(MARATHON, name);
    const { documents, findings } = parseJson(file, readFileSync(file, 'utf8'));
    assert.deepEqual(findings, [], `${name} parses`);
    return documents.filter((d) => isMarathonDocument(d.value));
  });
}

export function analyzeFixtures(...files: string[]): FormatResult {
  return analyzeMarathon(documentsOf(...files));
}

/** Inline JSON texts as files `a.json`, `b.json` …. */
export function textDocuments(...texts: string[]): SourceDocument[] {
  return texts.flatMap((text, i) => {
    const { documents, findings } = parseJson(`${String.fromCharCode(97 + i)}.json`, text);
    assert.deepEqual(findings, [], 'the test input parses');
    return documents;
  });
}

export function analyzeTexts(...texts: string[]): FormatResult {
  return analyzeMarathon(textDocuments(...texts));
}

export function modelOf(result: FormatResult, id: string): IntentModel {
  const model = result.models.find((m) => m.id === id);
  assert.ok(model, `a model ${id} among ${result.models.map((m) => m.id).join(', ')}`);
  return model;
}

export function supermodelOf(result: FormatResult, app: string): Supermodel {
  const supermodel = result.supermodels.find((s) => s.app === app);
  assert.ok(supermodel, `a supermodel for ${app} among ${result.supermodels.map((s) => s.app).join(', ')}`);
  return supermodel;
}

/** `from -> to port->targetPort/protocol` for each edge of the supermodel of `app`. */
export function edgesOf(result: FormatResult, app: string): string[] {
  return supermodelOf(result, app).edges.map((e) => `${e.from} -> ${e.to} ${e.port}->${e.targetPort}/${e.protocol}`);
}

export function listenOf(model: IntentModel): string[] {
  return model.network.listen.map((l) => `${l.port}/${l.protocol}${l.name !== undefined ? ` ${l.name}` : ''}${l.hostPort !== undefined ? ` host ${l.hostPort}` : ''}`);
}

export function codes(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.code} ${f.location.line} ${f.location.path ?? ''}`);
}

/** The line (from 1) of the one line of `text` that holds `needle`. */
export function lineIn(text: string, needle: string): number {
  const lines = text.split('\n');
  const found = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(found.length, 1, `${JSON.stringify(needle)} is on exactly one line`);
  return found[0] ?? 0;
}

/** A declared source in inline file `file`, at the line of `needle`. */
export function declared(text: string, needle: string, path: string, detail?: string, file = 'a.json'): Source {
  return { kind: 'declared', format: 'marathon', file, line: lineIn(text, needle), path, ...(detail !== undefined && { detail }) };
}
