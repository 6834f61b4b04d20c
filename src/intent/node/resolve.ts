import { posix } from 'node:path';
import { coreModule } from './usage.ts';

/** The app's files as the shell reads them; the analysis itself does no I/O. */
export interface SourceTree {
  /** The file's text, or undefined when it is not a readable file. */
  read(path: string): string | undefined;
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  /** The names in a folder; none when it is not one. */
  list(path: string): string[];
  /** The file's bytes (a native addon's), when the tree holds them. */
  bytes?(path: string): Uint8Array | undefined;
}

export type Resolution =
  | { kind: 'core'; module: string }
  | { kind: 'file'; path: string }
  | { kind: 'missing' };

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.tsx', '.jsx', '.json', '.node'];
/** Conditions of package.json `exports` that Node matches, for `require` and for `import`. */
const CONDITIONS = {
  require: new Set(['node', 'require', 'module-sync', 'default']),
  import: new Set(['node', 'import', 'module-sync', 'default']),
};
export type Loader = keyof typeof CONDITIONS;

function asFile(tree: SourceTree, path: string): string | undefined {
  if (tree.isFile(path)) return path;
  for (const ext of EXTENSIONS) if (tree.isFile(path + ext)) return path + ext;
  // TypeScript sources imported as their compiled name: `./x.js` written for `./x.ts`.
  const compiled = /\.(m|c)?js$/.exec(path);
  if (compiled) {
    const ts = `${path.slice(0, -compiled[0].length)}.${compiled[1] ?? ''}ts`;
    if (tree.isFile(ts)) return ts;
  }
  return undefined;
}

export function packageJson(tree: SourceTree, dir: string): Record<string, unknown> | undefined {
  const text = tree.read(posix.join(dir, 'package.json'));
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function asDirectory(tree: SourceTree, dir: string): string | undefined {
  if (!tree.isDirectory(dir)) return undefined;
  const main = packageJson(tree, dir)?.main;
  if (typeof main === 'string') {
    const target = posix.join(dir, main);
    const found = asFile(tree, target) ?? asIndex(tree, target);
    if (found) return found;
  }
  return asIndex(tree, dir);
}

function asIndex(tree: SourceTree, dir: string): string | undefined {
  return asFile(tree, posix.join(dir, 'index'));
}

/** The first target of an `exports` value that the conditions select. */
function exportTarget(value: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = exportTarget(item, conditions);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [condition, target] of Object.entries(value)) {
      if (!conditions.has(condition)) continue;
      const found = exportTarget(target, conditions);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** `exports` of a package for a subpath (`.` or `./feature`), with `*` patterns. */
function resolveExports(exports: unknown, subpath: string, conditions: ReadonlySet<string>): string | undefined {
  const isSubpathMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isSubpathMap) return subpath === '.' ? exportTarget(exports, conditions) : undefined;
  return matchSubpath(exports as Record<string, unknown>, subpath, conditions);
}

/** The target a map of subpaths (`exports`' `./x`, `imports`' `#x`) gives one, exactly or through a `*` pattern. */
function matchSubpath(map: Record<string, unknown>, subpath: string, conditions: ReadonlySet<string>): string | undefined {
  if (Object.hasOwn(map, subpath)) return exportTarget(map[subpath], conditions);
  for (const [key, target] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const matched = subpath.slice(prefix.length, subpath.length - suffix.length);
      return exportTarget(target, conditions)?.replaceAll('*', matched);
    }
  }
  return undefined;
}

/**
 * The file a subpath (`.`, `./feature`) of the package in folder `root` loads:
 * through `exports` when the package has them, else `main`, the index, or the path.
 */
export function resolvePackage(tree: SourceTree, root: string, subpath: string, loader: Loader = 'require'): string | undefined {
  const pkg = packageJson(tree, root);
  if (pkg?.exports !== undefined) {
    const target = resolveExports(pkg.exports, subpath, CONDITIONS[loader]);
    if (target !== undefined) return asFile(tree, posix.join(root, target));
  }
  const target = posix.join(root, subpath);
  return subpath === '.' ? asDirectory(tree, target) : asFile(tree, target) ?? asDirectory(tree, target);
}

/**
 * A subpath import (`#internal/x`): through the `imports` of the nearest package.json above the file, to a file of
 * that package (`./src/x.js`) or to another package (`some-dep/x`).
 */
function resolveImports(tree: SourceTree, specifier: string, fromDir: string, loader: Loader): Resolution {
  for (const dir of ancestors(fromDir)) {
    const pkg = packageJson(tree, dir);
    if (pkg === undefined) continue;
    const imports = pkg.imports;
    const target = typeof imports === 'object' && imports !== null && !Array.isArray(imports)
      ? matchSubpath(imports as Record<string, unknown>, specifier, CONDITIONS[loader]) : undefined;
    if (target === undefined) return { kind: 'missing' };
    if (!target.startsWith('./')) return target.startsWith('#') ? { kind: 'missing' } : resolveModule(tree, target, posix.join(dir, 'package.json'), loader);
    const found = asFile(tree, posix.join(dir, target));
    return found ? { kind: 'file', path: found } : { kind: 'missing' };
  }
  return { kind: 'missing' };
}

/**
 * A folder and each folder above it, as far as the path says: `/a/b` → `/a/b`,
 * `/a`, `/`; a relative `../x/y` stops at `..` (dirname of `..` would go down, not up).
 */
export function* ancestors(dir: string): Generator<string> {
  for (let d = dir; ; d = posix.dirname(d)) {
    yield d;
    if (d === '/' || d === '.' || d === '' || posix.basename(d) === '..') return;
  }
}

/**
 * Resolves a specifier from a file as Node does: core modules, relative and
 * absolute paths with their extensions and folder indexes, and packages found
 * in `node_modules` up the tree through `exports` or `main`.
 */
export function resolveModule(tree: SourceTree, specifier: string, fromFile: string, loader: Loader = 'require'): Resolution {
  const core = coreModule(specifier);
  if (core !== undefined) return { kind: 'core', module: core };
  const fromDir = posix.dirname(fromFile);
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier === '.' || specifier === '..') {
    const target = specifier.startsWith('/') ? posix.normalize(specifier) : posix.join(fromDir, specifier);
    const found = asFile(tree, target) ?? asDirectory(tree, target);
    return found ? { kind: 'file', path: found } : { kind: 'missing' };
  }
  if (/^(file|data|https?):/.test(specifier)) return { kind: 'missing' }; // URLs: not a package
  if (specifier.startsWith('#')) return resolveImports(tree, specifier, fromDir, loader);
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const rest = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
  for (const dir of ancestors(fromDir)) {
    if (posix.basename(dir) === 'node_modules') continue;
    const root = posix.join(dir, 'node_modules', name);
    if (tree.isDirectory(root)) {
      const found = resolvePackage(tree, root, rest === '' ? '.' : `./${rest}`, loader);
      return found ? { kind: 'file', path: found } : { kind: 'missing' };
    }
  }
  return { kind: 'missing' };
}
