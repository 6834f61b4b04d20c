import type { Location, Source } from '../../model/index.ts';
import { declaredAt, formatPath, isRecord, type PathSegment, type SourceDocument, type ValuePath } from '../document.ts';

/** A compose document after interpolation; `raw` keeps the values as written, for checks on literals. */
export interface ComposeDocument extends SourceDocument {
  raw: unknown;
}

/**
 * One definition of a service. A service is the merge of its layers, in order: the
 * services it `extends`, its own definition, and those of override files.
 */
export interface Layer {
  role: 'base' | 'own' | 'override';
  doc: ComposeDocument;
  path: ValuePath;
  value: Record<string, unknown>;
}

/** A value of a compose document with where it is. */
export interface Field {
  value: unknown;
  doc: ComposeDocument;
  path: ValuePath;
}

/** The field of the last layer that sets `key`: scalar settings override. */
export function lastField(layers: readonly Layer[], key: string): Field | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer && Object.hasOwn(layer.value, key) && layer.value[key] !== undefined) {
      return { value: layer.value[key], doc: layer.doc, path: [...layer.path, key] };
    }
  }
  return undefined;
}

/** The field of every layer that sets `key`, in merge order: lists append, maps merge. */
export function allFields(layers: readonly Layer[], key: string): Field[] {
  return layers
    .filter((layer) => Object.hasOwn(layer.value, key) && layer.value[key] !== undefined && layer.value[key] !== null)
    .map((layer) => ({ value: layer.value[key], doc: layer.doc, path: [...layer.path, key] }));
}

export function child(field: Field, key: PathSegment): Field {
  const value = Array.isArray(field.value) && typeof key === 'number'
    ? field.value[key]
    : isRecord(field.value) && typeof key === 'string' ? field.value[key] : undefined;
  return { value, doc: field.doc, path: [...field.path, key] };
}

/** The items of a list field; a single scalar counts as a one-item list where Compose allows that. */
export function itemsOf(field: Field, scalarAllowed = false): Field[] | undefined {
  if (Array.isArray(field.value)) return field.value.map((_, i) => child(field, i));
  if (scalarAllowed && (typeof field.value === 'string' || typeof field.value === 'number')) return [field];
  return undefined;
}

export function entriesOf(field: Field): Array<[string, Field]> | undefined {
  if (!isRecord(field.value)) return undefined;
  return Object.keys(field.value).map((key) => [key, child(field, key)]);
}

export function sourceOf(field: Field, detail?: string): Source {
  return declaredAt('compose', field.doc, field.path, detail);
}

export function locationOf(field: Field): Location {
  return { file: field.doc.file, line: field.doc.lineOf(field.path), path: formatPath(field.path) };
}

/** The value as written before interpolation; undefined when it came from a merge key. */
export function rawOf(field: Field): unknown {
  let value: unknown = field.doc.raw;
  for (const segment of field.path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isRecord(value) && typeof segment === 'string') value = value[segment];
    else return undefined;
  }
  return value;
}

/** A scalar as Compose reads it into a string setting (`user: 1000`, `8080`). */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A list of scalars as strings (`command: [sh, -c, 1]`); undefined for anything else. */
export function stringsOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    const text = scalarText(item);
    if (text === undefined) return undefined;
    out.push(text);
  }
  return out;
}

/** Sets a key as an own property, so that a `__proto__` key in the input stays an ordinary key. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `true`/`false`, also as strings, which Compose accepts for boolean settings. */
export function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}
