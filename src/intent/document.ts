import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { finding, type Finding, type Source, type InputFormat } from '../model/index.ts';

export type PathSegment = string | number;
export type ValuePath = readonly PathSegment[];

/**
 * One parsed YAML or JSON document with the plain value and a way back to the
 * line of any value in it, so that every model entry can name its source.
 */
export interface SourceDocument {
  file: string;
  /** Position of the document in a multi-document YAML file, from 0. */
  index: number;
  value: unknown;
  /** Line (from 1) of the value at `path`, or of its nearest ancestor that exists. */
  lineOf(path: ValuePath): number;
}

/** `['spec', 'containers', 0, 'ports']` → `spec.containers[0].ports`. */
export function formatPath(path: ValuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A `declared` source pointing at the value at `path` in `doc`. */
export function declaredAt(format: InputFormat, doc: SourceDocument, path: ValuePath, detail?: string): Source {
  return {
    kind: 'declared',
    format,
    file: doc.file,
    line: doc.lineOf(path),
    path: formatPath(path),
    ...(detail !== undefined && { detail }),
  };
}

/** Line starts of a text, for turning offsets into lines. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export interface ParsedText {
  documents: SourceDocument[];
  findings: Finding[];
}

/** Every document of a YAML stream; a broken document becomes a finding and the others are kept. */
export function parseYaml(file: string, text: string): ParsedText {
  const lineCounter = new LineCounter();
  const documents: SourceDocument[] = [];
  const findings: Finding[] = [];
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    // An empty stream parses to an EmptyStream object, which holds nothing to model.
    return { documents, findings };
  }
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const line = lineCounter.linePos(error.pos[0]).line;
      findings.push(finding('TN004', `YAML document ${index + 1}: ${firstLine(error.message)}`, { file, line }));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const line = lineCounter.linePos(doc.range[0]).line;
      findings.push(finding('TN004', `YAML document ${index + 1}: ${firstLine((e as Error).message)}`, { file, line }));
      return;
    }
    if (value === null || value === undefined) return;
    documents.push({ file, index, value, lineOf: (path) => yamlLine(doc, lineCounter, path) });
  });
  return { documents, findings };
}

function yamlLine(doc: Document.Parsed, lineCounter: LineCounter, path: ValuePath): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const offset = yamlOffset(doc, path.slice(0, depth));
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  return lineCounter.linePos(doc.range[0]).line;
}

/** Offset of the key of a map entry (or of a sequence item) at `path`. */
function yamlOffset(doc: Document.Parsed, path: ValuePath): number | undefined {
  if (path.length === 0) return doc.contents?.range?.[0];
  const parent = doc.getIn(path.slice(0, -1), true) as YamlNode | undefined;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last);
    return (pair?.key as YamlNode | undefined)?.range?.[0] ?? (pair?.value as YamlNode | undefined)?.range?.[0];
  }
  if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as YamlNode | undefined)?.range?.[0];
  return undefined;
}

/**
 * A JSON file as one document; syntax errors become a finding with the line.
 * Comments and trailing commas are tolerated, as in the tool configurations a
 * repository holds beside its manifests.
 */
export function parseJson(file: string, text: string): ParsedText {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const starts = lineStarts(text);
  const error = errors[0];
  if (error || tree === undefined) {
    const line = lineAt(starts, error?.offset ?? 0);
    const what = error ? printParseErrorCode(error.error) : 'empty document';
    return { documents: [], findings: [finding('TN005', `JSON syntax error: ${what}`, { file, line })] };
  }
  const value: unknown = getNodeValue(tree);
  const lineOf = (path: ValuePath): number => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node: JsonNode | undefined = findNodeAtLocation(tree, path.slice(0, depth) as PathSegment[]);
      if (node) return lineAt(starts, node.parent?.type === 'property' ? node.parent.offset : node.offset);
    }
    return 1;
  };
  return { documents: [{ file, index: 0, value, lineOf }], findings: [] };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Narrowing helpers for the untyped values of parsed documents. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
