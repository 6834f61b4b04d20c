import { basename, dirname, isAbsolute, join, normalize } from 'node:path/posix';
import { finding, type Finding, type Location } from '../../model/index.ts';
import { formatPath, isRecord, parseYaml, type PathSegment, type SourceDocument, type ValuePath } from '../document.ts';
import type { ComposeContext } from './context.ts';
import { parseDotenv } from './dotenv.ts';
import { interpolate, type InterpolationProblem, type Lookup } from './interpolate.ts';
import { setOwn, type ComposeDocument, type Layer } from './layers.ts';
import { append } from '../../append.ts';

/** One service of a project, with the layers its definition merges. */
export interface ServiceUnit {
  name: string;
  project: string;
  /** The file that defines the service (not an `extends` base). */
  file: string;
  layers: Layer[];
  /** Interpolation variables of the service's file, for bare `environment` entries and env files. */
  lookup: Lookup;
}

export interface ComposeProject {
  name: string;
  units: ServiceUnit[];
}

/** A map with a `services` map, and not a Kubernetes object. */
export function isComposeFile(value: unknown): boolean {
  return isRecord(value) && isRecord(value.services) && value.apiVersion === undefined && value.kind === undefined;
}

/** `a/b` joined to a folder, unless it is absolute already. */
export function resolvePath(folder: string, path: string): string {
  return isAbsolute(path) ? normalize(path) : join(folder, path);
}

/** Compose's project name rule: lower case, only `[a-z0-9_-]`, no leading `_` or `-`. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[_-]+/, '');
}

const OVERRIDE_NAME = /^(docker-)?compose\.override\.ya?ml$/;
const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

interface Prepared {
  doc: ComposeDocument;
  project: string;
  lookup: Lookup;
  overrides: Prepared[];
}

function problemFinding(problem: InterpolationProblem, location: Location): Finding {
  return problem.kind === 'invalid'
    ? finding('TN007', `Invalid interpolation: ${problem.message}`, location)
    : finding('TN012', `${problem.message[0]?.toUpperCase()}${problem.message.slice(1)}; an empty string is used`, location);
}

// Compose interpolates the whole file before reading it; YAML merge keys (`<<: *defaults`) are resolved
// here because the YAML 1.2 parser leaves them as plain keys.
function prepare(doc: SourceDocument, lookup: Lookup, findings: Finding[]): ComposeDocument {
  const open = new Set<object>();
  const walk = (value: unknown, path: PathSegment[]): unknown => {
    if (typeof value === 'object' && value !== null) {
      if (open.has(value)) {
        findings.push(finding('TN007', 'A YAML alias refers to a node that contains it; the value is dropped', { file: doc.file, line: doc.lineOf(path), path: formatPath(path) }));
        return null;
      }
      open.add(value);
      try {
        return walkObject(value, path);
      } finally {
        open.delete(value);
      }
    }
    if (typeof value === 'string') {
      const { value: out, problems } = interpolate(value, lookup);
      for (const p of problems) findings.push(problemFinding(p, { file: doc.file, line: doc.lineOf(path), path: formatPath(path) }));
      return out;
    }
    return value;
  };
  const walkObject = (value: object, path: PathSegment[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (key !== '<<') setOwn(out, key, walk(v, [...path, key]));
    mergeBases(out, value['<<'], path);
    return out;
  };
  // Keys of the map itself win over merged ones, and earlier bases over later ones; a base may merge bases too.
  const mergeBases = (out: Record<string, unknown>, merged: unknown, path: PathSegment[]): void => {
    for (const base of Array.isArray(merged) ? merged : [merged]) {
      if (!isRecord(base) || open.has(base)) continue;
      open.add(base);
      for (const [key, v] of Object.entries(base)) if (!Object.hasOwn(out, key) && key !== '<<') setOwn(out, key, walk(v, [...path, key]));
      mergeBases(out, base['<<'], path);
      open.delete(base);
    }
  };
  return { ...doc, value: walk(doc.value, []), raw: doc.value };
}

// Variables of `.env` beside a compose file, after those of the shell environment.
function dotenvLookup(folder: string, context: ComposeContext, findings: Finding[], cache: Map<string, Map<string, string>>): Map<string, string> {
  const cached = cache.get(folder);
  if (cached) return cached;
  const values = new Map<string, string>();
  cache.set(folder, values);
  const path = join(folder, '.env');
  const text = context.files.read(path);
  if (text === undefined) return values;
  const { entries, problems } = parseDotenv(text, (name) => shellValue(context, name));
  for (const e of entries) values.set(e.name, e.value);
  for (const p of problems) findings.push(problemFinding(p, { file: path, line: p.line }));
  return values;
}

export function shellValue(context: ComposeContext, name: string): string | undefined {
  const env = context.environment;
  return env !== undefined && Object.hasOwn(env, name) ? env[name] : undefined;
}

function projectOf(doc: SourceDocument, lookup: Lookup, context: ComposeContext): string {
  const fromEnv = normalizeProjectName(lookup('COMPOSE_PROJECT_NAME') ?? '');
  if (fromEnv !== '') return fromEnv;
  const declared = isRecord(doc.value) && typeof doc.value.name === 'string' ? doc.value.name : undefined;
  // Problems in `name` are reported when the whole document is interpolated.
  const name = normalizeProjectName(declared === undefined ? '' : interpolate(declared, lookup).value);
  if (name !== '') return name;
  const folder = dirname(doc.file);
  const absolute = context.workingDirectory !== undefined ? resolvePath(context.workingDirectory, folder) : normalize(folder);
  return normalizeProjectName(basename(absolute)) || 'default';
}

function servicesOf(doc: ComposeDocument): Record<string, unknown> {
  return isRecord(doc.value) && isRecord(doc.value.services) ? doc.value.services : {};
}

class ExtendsResolver {
  private readonly loaded = new Map<string, ComposeDocument | undefined>();
  private readonly context: ComposeContext;
  private readonly findings: Finding[];

  constructor(context: ComposeContext, findings: Finding[]) {
    this.context = context;
    this.findings = findings;
  }

  // The base layers a service's `extends` brings in, deepest first; problems become findings.
  basesOf(doc: ComposeDocument, name: string, lookup: Lookup, trail: readonly string[] = []): Layer[] {
    const value = servicesOf(doc)[name];
    if (!isRecord(value) || value.extends === undefined || value.extends === null) return [];
    const path: ValuePath = ['services', name, 'extends'];
    const location: Location = { file: doc.file, line: doc.lineOf(path), path: formatPath(path) };
    const ext = value.extends;
    const service = typeof ext === 'string' ? ext : isRecord(ext) && typeof ext.service === 'string' ? ext.service : undefined;
    const file = isRecord(ext) && typeof ext.file === 'string' ? ext.file : undefined;
    if (service === undefined || (isRecord(ext) && ext.file !== undefined && file === undefined)) {
      this.findings.push(finding('TN007', `Service ${name}: extends needs a service name (and optionally a file)`, location));
      return [];
    }
    let target = doc;
    if (file !== undefined) {
      const path = resolvePath(dirname(doc.file), file);
      const loaded = this.load(path, lookup);
      if (!loaded) {
        this.findings.push(finding('TN013', `Service ${name} extends ${service} in ${path}, which was not found`, location));
        return [];
      }
      target = loaded;
    }
    const self = `${doc.file}#${doc.index}#${name}`;
    const key = `${target.file}#${target.index}#${service}`;
    if (key === self || trail.includes(key)) {
      this.findings.push(finding('TN007', `Service ${name}: extends ${service} loops back to itself`, location));
      return [];
    }
    const base = servicesOf(target)[service];
    if (!isRecord(base)) {
      this.findings.push(finding('TN013', `Service ${name} extends ${service}, which is not defined in ${target.file}`, location));
      return [];
    }
    return [
      ...this.basesOf(target, service, lookup, [...trail, self]),
      { role: 'base', doc: target, path: ['services', service], value: base },
    ];
  }

  private load(path: string, lookup: Lookup): ComposeDocument | undefined {
    if (this.loaded.has(path)) return this.loaded.get(path);
    const text = this.context.files.read(path);
    let doc: ComposeDocument | undefined;
    if (text !== undefined) {
      const parsed = parseYaml(path, text);
      append(this.findings, parsed.findings);
      const first = parsed.documents.find((d) => isComposeFile(d.value));
      if (first) doc = prepare(first, lookup, this.findings);
    }
    this.loaded.set(path, doc);
    return doc;
  }
}

/**
 * Groups compose documents into projects and each service into the layers it merges:
 * `extends` bases, its own definition and, for `compose.yaml`, `compose.override.yaml`
 * beside it. Variables are interpolated from the shell environment, then `.env`.
 */
export function loadProjects(docs: readonly SourceDocument[], context: ComposeContext, findings: Finding[]): ComposeProject[] {
  const dotenvs = new Map<string, Map<string, string>>();
  const prepared: Prepared[] = [];
  for (const source of docs) {
    if (!isComposeFile(source.value)) continue;
    const dotenv = dotenvLookup(dirname(source.file), context, findings, dotenvs);
    const base: Lookup = (name) => shellValue(context, name) ?? dotenv.get(name);
    const project = projectOf(source, base, context);
    const lookup: Lookup = (name) => base(name) ?? (name === 'COMPOSE_PROJECT_NAME' ? project : undefined);
    prepared.push({ doc: prepare(source, lookup, findings), project, lookup, overrides: [] });
  }

  const roots: Prepared[] = [];
  for (const p of prepared) {
    const folder = dirname(p.doc.file);
    const base = OVERRIDE_NAME.test(basename(p.doc.file))
      ? BASE_NAMES.map((name) => prepared.find((q) => normalize(q.doc.file) === join(folder, name) && q.doc.index === 0)).find((q) => q !== undefined)
      : undefined;
    if (base) base.overrides.push(p);
    else roots.push(p);
  }

  const resolver = new ExtendsResolver(context, findings);
  const projects = new Map<string, ComposeProject>();
  for (const root of roots) {
    const files = [root, ...root.overrides];
    const names = [...new Set(files.flatMap((f) => Object.keys(servicesOf(f.doc))))];
    for (const name of names) {
      const layers: Layer[] = [];
      files.forEach((file) => {
        const services = servicesOf(file.doc);
        if (!Object.hasOwn(services, name)) return;
        const value = services[name];
        const path: ValuePath = ['services', name];
        if (!isRecord(value)) {
          const location = { file: file.doc.file, line: file.doc.lineOf(path), path: formatPath(path) };
          findings.push(finding('TN007', `Service ${name} is ${describeValue(value)}, not a map of settings; it is skipped`, location));
          return;
        }
        const defined = layers.some((l) => l.role === 'own');
        // An override file's own `extends` would reorder what it overrides, so only a first definition extends.
        if (!defined) append(layers, resolver.basesOf(file.doc, name, file.lookup));
        layers.push({ role: defined ? 'override' : 'own', doc: file.doc, path, value });
      });
      if (!layers.some((l) => l.role !== 'base')) continue;
      const own = layers.find((l) => l.role === 'own') ?? layers[layers.length - 1];
      let project = projects.get(root.project);
      if (!project) {
        project = { name: root.project, units: [] };
        projects.set(root.project, project);
      }
      project.units.push({ name, project: root.project, file: own?.doc.file ?? root.doc.file, layers, lookup: root.lookup });
    }
  }
  return [...projects.values()];
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
