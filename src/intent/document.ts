import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { Composer, isMap, isSeq, LineCounter, Parser, type Document, type Node as YamlNode } from 'yaml';
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

/**
 * What a file is read to, at most. No manifest comes close; past them a
 * parser, or anything that walks what it made, runs out of stack or memory.
 */
export const READ_LIMITS = {
  /** Levels of nesting of one document. */
  depth: 256,
  /** Values of one document once its aliases and merge keys are expanded. */
  values: 1_000_000,
  /** Documents of one YAML stream. */
  documents: 10_000,
} as const;

/**
 * Every document of a YAML stream, read one after the other (the stream is
 * not held whole); a broken document, or one beyond READ_LIMITS, becomes a
 * finding and the others are kept.
 */
export function parseYaml(file: string, text: string): ParsedText {
  const lineCounter = new LineCounter();
  const documents: SourceDocument[] = [];
  const findings: Finding[] = [];
  const composer = new Composer({ prettyErrors: false });
  const tokens = new Parser(lineCounter.addNewLine).parse(text);
  const lineOfOffset = (offset: number) => lineCounter.linePos(offset).line;
  let index = 0;
  try {
    for (const doc of composer.compose(tokens)) {
      if (index === READ_LIMITS.documents) {
        findings.push(finding('TN024', `more than ${READ_LIMITS.documents.toLocaleString('en')} YAML documents: the ones from here on are not analysed`, { file, line: lineOfOffset(doc.range[0]) }));
        break;
      }
      const read = readYamlDocument(file, doc, index++, lineCounter);
      if ('finding' in read) findings.push(read.finding);
      else if (read.document !== undefined) documents.push(read.document);
    }
  } catch (e) {
    // the parser itself gave up (a stack overflow on deep nesting): what came before is kept
    findings.push(finding('TN024', `YAML document ${index + 1}: ${tooDeep(e)}`, { file, line: lineCounter.lineStarts.length }));
  }
  return { documents, findings };
}

/** One composed document: its value, or the finding that says why it is not read. */
function readYamlDocument(file: string, doc: Document.Parsed, index: number, lineCounter: LineCounter): { document?: SourceDocument } | { finding: Finding } {
  const line = lineCounter.linePos(doc.range[0]).line;
  const error = doc.errors[0];
  if (error) {
    // the composer keeps a stack overflow on deep nesting as the document's error
    const deep = /Maximum call stack/.test(error.message);
    return { finding: finding(deep ? 'TN024' : 'TN004', `YAML document ${index + 1}: ${deep ? TOO_DEEP : firstLine(error.message)}`, { file, line: lineCounter.linePos(error.pos[0]).line }) };
  }
  let value: unknown;
  try {
    // aliases are shared, not copied: what they expand to is measured below, whatever their count
    value = doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    return { finding: e instanceof RangeError ? finding('TN024', `YAML document ${index + 1}: ${tooDeep(e)}`, { file, line }) : finding('TN004', `YAML document ${index + 1}: ${firstLine((e as Error).message)}`, { file, line }) };
  }
  if (value === null || value === undefined) return {};
  const beyond = beyondLimits(value);
  if (beyond !== undefined) return { finding: finding('TN024', `YAML document ${index + 1}: ${beyond}; not analysed`, { file, line }) };
  return { document: { file, index, value, lineOf: (path) => yamlLine(doc, lineCounter, path) } };
}

const TOO_DEEP = `nested too deep to read (more than ${READ_LIMITS.depth} levels)`;

/** Why the parser gave up: a stack overflow is nesting too deep; anything else in its own words. */
function tooDeep(e: unknown): string {
  return e instanceof RangeError ? TOO_DEEP : firstLine((e as Error).message);
}

/**
 * Why a value is beyond READ_LIMITS, or undefined: it is walked once, without
 * recursion, each shared object (an alias's) measured once, so a bomb of
 * aliases is measured by what it would expand to without being expanded.
 */
export function beyondLimits(root: unknown): string | undefined {
  if (typeof root !== 'object' || root === null) return undefined;
  const children = (v: object): unknown[] => (Array.isArray(v) ? v : Object.values(v));
  const measured = new Map<object, { depth: number; size: number }>();
  const onPath = new Set<object>([root]);
  const stack: Array<{ node: object; kids: unknown[]; next: number; depth: number; size: number }> = [{ node: root, kids: children(root), next: 0, depth: 1, size: 1 }];
  const tooMany = `its aliases and merge keys expand to more than ${READ_LIMITS.values.toLocaleString('en')} values`;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.kids.length) {
      const kid = top.kids[top.next++];
      if (typeof kid !== 'object' || kid === null) {
        top.size++;
        continue;
      }
      if (onPath.has(kid)) return 'an alias refers to the value it is in';
      const known = measured.get(kid);
      if (known !== undefined) {
        // a shared value (an alias's) as deep as it is where it is used again
        if (stack.length + known.depth > READ_LIMITS.depth) return `nested deeper than ${READ_LIMITS.depth} levels`;
        top.size += known.size;
        top.depth = Math.max(top.depth, known.depth + 1);
        if (top.size > READ_LIMITS.values) return tooMany;
        continue;
      }
      if (stack.length >= READ_LIMITS.depth) return `nested deeper than ${READ_LIMITS.depth} levels`;
      onPath.add(kid);
      stack.push({ node: kid, kids: children(kid), next: 0, depth: 1, size: 1 });
      continue;
    }
    stack.pop();
    onPath.delete(top.node);
    measured.set(top.node, { depth: top.depth, size: top.size });
    const parent = stack[stack.length - 1];
    if (parent === undefined) break;
    parent.size += top.size;
    parent.depth = Math.max(parent.depth, top.depth + 1);
    if (parent.size > READ_LIMITS.values) return tooMany;
  }
  return undefined;
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
  // the JSON parser recurses: a document nested too deep is refused before it is parsed
  const deep = jsonTooDeep(text);
  if (deep !== undefined) return { documents: [], findings: [finding('TN024', `nested deeper than ${READ_LIMITS.depth} levels; not analysed`, { file, line: lineAt(lineStarts(text), deep) })] };
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

/** Where a JSON text (comments allowed) first nests deeper than READ_LIMITS.depth, or undefined. */
function jsonTooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: to its closing quote, escapes skipped
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (c === 91 || c === 123) {
      if (++depth > READ_LIMITS.depth) return i;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Narrowing helpers for the untyped values of parsed documents. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
