/**
 * Typed reads of values in a parsed YAML or JSON document: each read that finds
 * the wrong type reports a TN007 finding at the value's line and path and reads
 * as absent, so one bad field never stops the analysis of the rest.
 */
import { finding, type Finding, type FindingCodeId, type InputFormat, type Location, type Source } from '../../model/index.ts';
import { declaredAt, formatPath, isRecord, type PathSegment, type SourceDocument } from '../document.ts';

/** A value inside a document, with the full path to it for sources and findings. */
export interface Node {
  format: InputFormat;
  doc: SourceDocument;
  path: PathSegment[];
  value: unknown;
}

/** Where the findings of one analysis go; the same finding is reported once. */
export interface Context {
  findings: Finding[];
  seen: Set<string>;
}

export function newContext(): Context {
  return { findings: [], seen: new Set() };
}

/** The node of a value at `base` in a document (the whole document by default). */
export function nodeAt(format: InputFormat, doc: SourceDocument, base: PathSegment[] = [], value: unknown = doc.value): Node {
  return { format, doc, path: base, value };
}

export function child(node: Node, ...keys: PathSegment[]): Node {
  let value = node.value;
  for (const key of keys) {
    if (typeof key === 'number') value = Array.isArray(value) ? value[key] : undefined;
    // Own keys only, so that a key like `constructor` never reads the prototype.
    else value = isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  }
  return { ...node, path: [...node.path, ...keys], value };
}

/** Null is as absent as a missing key (Marathon's API writes unset fields as null; YAML's `key:` is null). */
export function isPresent(node: Node): boolean {
  return node.value !== undefined && node.value !== null;
}

export function sourceOf(node: Node, detail?: string): Source {
  return declaredAt(node.format, node.doc, node.path, detail);
}

export function locationOf(node: Node): Location {
  return { file: node.doc.file, line: node.doc.lineOf(node.path), path: formatPath(node.path) };
}

export function report(ctx: Context, code: FindingCodeId, message: string, node: Node, model?: string): void {
  reportAt(ctx, code, message, locationOf(node), model);
}

export function reportAt(ctx: Context, code: FindingCodeId, message: string, location: Location, model?: string): void {
  const f = finding(code, message, location, model);
  const key = `${f.code}\0${f.location.file}\0${f.location.line}\0${f.location.path}\0${f.message}`;
  if (ctx.seen.has(key)) return;
  ctx.seen.add(key);
  ctx.findings.push(f);
}

export function fieldName(node: Node): string {
  const last = [...node.path].reverse().find((s) => typeof s === 'string');
  return typeof last === 'string' ? last : 'value';
}

/** A value as a finding names it: itself, short (`["http"]`, `{"a": 1}`), cut past 40 characters. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
  } catch {
    text = Array.isArray(value) ? 'a list' : 'a map';
  }
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

export function invalid(ctx: Context, node: Node, expected: string): void {
  report(ctx, 'TN007', `${fieldName(node)} must be ${expected}, not ${shown(node.value)}; ignored`, node);
}

/** The items of a list; a value that is not a list is reported and read as empty. */
export function listOf(ctx: Context, node: Node): Node[] {
  if (!isPresent(node)) return [];
  if (!Array.isArray(node.value)) {
    invalid(ctx, node, 'a list');
    return [];
  }
  return node.value.map((_, i) => child(node, i));
}

/** The node when it holds a map; absent or reported otherwise. */
export function mapOf(ctx: Context, node: Node): Node | undefined {
  if (!isPresent(node)) return undefined;
  if (!isRecord(node.value)) {
    invalid(ctx, node, 'a map');
    return undefined;
  }
  return node;
}

export function stringOf(ctx: Context, node: Node): string | undefined {
  if (!isPresent(node)) return undefined;
  if (typeof node.value !== 'string') {
    invalid(ctx, node, 'a string');
    return undefined;
  }
  return node.value;
}

export function boolOf(ctx: Context, node: Node): boolean | undefined {
  if (!isPresent(node)) return undefined;
  if (typeof node.value !== 'boolean') {
    invalid(ctx, node, 'true or false');
    return undefined;
  }
  return node.value;
}

export function intOf(ctx: Context, node: Node, min: number, max: number): number | undefined {
  if (!isPresent(node)) return undefined;
  const v = node.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    invalid(ctx, node, `a whole number from ${min} to ${max}`);
    return undefined;
  }
  return v;
}

/** A port number from `min` (1, or 0 where the platform picks one) to 65535. */
export function portOf(ctx: Context, node: Node, min = 1): number | undefined {
  if (!isPresent(node)) return undefined;
  const v = node.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 65535) {
    invalid(ctx, node, `a port number from ${min} to 65535`);
    return undefined;
  }
  return v;
}

/** A list of strings (command, args, capabilities); numbers and booleans are reported but kept as text. */
export function stringsOf(ctx: Context, node: Node): string[] | undefined {
  if (!isPresent(node)) return undefined;
  const out: string[] = [];
  for (const item of listOf(ctx, node)) {
    const v = item.value;
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') {
      invalid(ctx, item, 'a string');
      out.push(String(v));
    } else if (v !== null && v !== undefined) invalid(ctx, item, 'a string');
  }
  return Array.isArray(node.value) ? out : undefined;
}
