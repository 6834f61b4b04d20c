import { posix } from 'node:path';
import { wrappedCommand } from '../common/command.ts';
import { ancestors, resolveModule, resolvePackage, type SourceTree } from './resolve.ts';
import { fileUsage, type ComputedLoad, type CoreUse, type FileUsage, type ModuleImport } from './usage.ts';

export interface AppFile {
  path: string;
  usage: FileUsage;
}

/** Located core use: which file, which line. */
export interface AppCoreUse extends CoreUse {
  file: string;
}

export interface AppGraph {
  /** Every module reachable from the entries, in the order they were reached. */
  files: AppFile[];
  core: AppCoreUse[];
  /** Specifiers that resolve to nothing (a missing dependency, a typo). */
  missing: Array<{ specifier: string; file: string; line: number }>;
  /** Packages absent that the requiring package declares optional (ws's bufferutil, pg's pg-native), and other platforms' prebuilt binaries: it runs without them. */
  optional: Array<{ specifier: string; file: string; line: number }>;
  /** Native addons (`.node`): code Tenet cannot read, so the app's syscalls cannot be bounded. */
  native: Array<{ path: string; file: string; line: number }>;
  /** Entries that are not readable files. */
  unreadable: string[];
  /**
   * Modules named at run time, each with what it may load: the files under its
   * path's prefix, or else every package installed where the file can load it.
   * Those are read too, so only core modules remain unknown.
   */
  loads: Array<ComputedLoad & { file: string; candidates: number; from: string }>;
  /** Files an app runs that are another interpreter's script (`#!/bin/sh`), by their interpreter: not JavaScript, not parsed. */
  foreign: Array<{ path: string; interpreter: string }>;
}

/** Interpreters that run JavaScript: a script of theirs is read as the app's code. */
const JAVASCRIPT = /^(node|nodejs|bun|deno|tsx|ts-node)$/;

/** The interpreter a `#!` line names (`#!/usr/bin/env -S node --flag` → node), or undefined for a file without one. */
export function shebangInterpreter(text: string): string | undefined {
  if (!text.startsWith('#!')) return undefined;
  const words = text.slice(2, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')).trim().split(/\s+/);
  // `env [-S] [NAME=value] node`: the program env runs
  const program = (wrappedCommand(words) ?? words)[0] ?? '';
  return program.slice(program.lastIndexOf('/') + 1);
}

/** What `require` loads as data or native code; any other file (`bin/server` too) is JavaScript to Node. */
const DATA = /\.(json|node)$/;

/**
 * The module graph of an app from its entry files: only modules reachable from
 * an entry are read, each once (cycles are fine), through `require`, `import`,
 * dynamic `import()` with a literal, and re-exports.
 */
export function appGraph(tree: SourceTree, entries: readonly string[], workdir = posix.dirname(entries[0] ?? '.')): AppGraph {
  const graph: AppGraph = { files: [], core: [], missing: [], optional: [], native: [], unreadable: [], foreign: [], loads: [] };
  const seen = new Set<string>();
  const queue: string[] = [];
  /** Each import that resolved to a file of the app. */
  const edges: Array<{ from: string; entry: ModuleImport; to: string }> = [];
  /** The entries of the packages of each node_modules folder, listed once. */
  const installed = new Map<string, string[]>();
  for (const entry of entries) {
    if (tree.isFile(entry)) {
      if (!seen.has(entry)) queue.push(entry);
      seen.add(entry);
    } else {
      graph.unreadable.push(entry);
    }
  }
  for (let next = 0; next < queue.length; next++) {
    const path = queue[next]!;
    if (DATA.test(path)) continue; // nothing to run
    const text = tree.read(path);
    if (text === undefined) {
      graph.unreadable.push(path);
      continue;
    }
    const interpreter = shebangInterpreter(text);
    if (interpreter !== undefined && !JAVASCRIPT.test(interpreter)) {
      // a shell (or Python …) script the app runs: its interpreter's, not JavaScript
      graph.foreign.push({ path, interpreter });
      continue;
    }
    const usage = fileUsage(path, text);
    graph.files.push({ path, usage });
    for (const use of usage.core) graph.core.push({ ...use, file: path });
    const enqueue = (file: string) => {
      if (!seen.has(file)) {
        seen.add(file);
        queue.push(file);
      }
    };
    for (const load of usage.computed) {
      // named by the environment: the operator's, not the app's files
      const found = load.env !== undefined ? { files: [], from: `the environment variable ${load.env}` } : mayLoad(tree, path, load.prefix, installed);
      for (const file of found.files) {
        // a package whose entry is a native addon (a platform's prebuilt binding, loaded by name at run time)
        if (file.endsWith('.node')) graph.native.push({ path: file, file: path, line: load.line });
        else enqueue(file);
      }
      graph.loads.push({ ...load, file: path, candidates: found.files.length, from: found.from });
    }
    // workers, forked modules and Node.js programs the file starts: their scripts are the app's code too
    for (const run of usage.runs) {
      const base = run.from === 'file' ? path : posix.join(workdir, '(working folder)');
      const specifier = run.path.startsWith('/') || run.path.startsWith('.') ? run.path : `./${run.path}`;
      const resolved = resolveModule(tree, specifier, base);
      if (resolved.kind === 'file') enqueue(resolved.path);
      else graph.missing.push({ specifier: `${run.path} (run by ${run.how})`, file: path, line: run.line });
    }
    for (const entry of usage.imports) {
      const { specifier, line, kind } = entry;
      const resolved = resolveModule(tree, specifier, path, kind === 'require' ? 'require' : 'import');
      if (resolved.kind === 'missing') (declaredOptional(tree, path, specifier) ? graph.optional : graph.missing).push({ specifier, file: path, line });
      else if (resolved.kind === 'file') {
        if (resolved.path.endsWith('.node')) graph.native.push({ path: resolved.path, file: path, line });
        else {
          enqueue(resolved.path);
          edges.push({ from: path, entry, to: resolved.path });
        }
      }
    }
  }
  // A module that hands on a core module as its exports (graceful-fs's patched fs): what each importer uses of
  // it is used of the core module, at the importer's line; all of it when the importer's use is not known.
  const handsOn = new Map(graph.files.filter((f) => f.usage.exportsCore.length > 0).map((f) => [f.path, f.usage.exportsCore]));
  for (const { from, entry, to } of edges) {
    for (const module of handsOn.get(to) ?? []) {
      for (const member of entry.members ?? ['*']) graph.core.push({ module, member, line: entry.line, file: from });
    }
  }
  return graph;
}

/** At most this many files are taken as what one run-time load may read (a load under `/` is bounded by nothing). */
const MAX_CANDIDATES = 5000;
const SCRIPT = /\.(c|m)?(j|t)s$/;

/**
 * What a module named at run time may load from `file`: the scripts under the
 * folder its prefix names (`./locale/` → every script in ./locale, at any
 * depth), or with no prefix, the entry of every package installed in a
 * `node_modules` Node would search from there.
 */
function mayLoad(tree: SourceTree, file: string, prefix: string | undefined, installed: Map<string, string[]>): { files: string[]; from: string } {
  const files: string[] = [];
  if (prefix !== undefined) {
    const base = posix.join(posix.dirname(file), prefix.slice(0, prefix.lastIndexOf('/')));
    const start = prefix.slice(prefix.lastIndexOf('/') + 1);
    const walk = (dir: string, top: boolean) => {
      for (const name of tree.list(dir)) {
        if (files.length >= MAX_CANDIDATES) return;
        if (top && !name.startsWith(start)) continue;
        const path = posix.join(dir, name);
        if (tree.isDirectory(path)) {
          if (name !== 'node_modules') walk(path, false);
        } else if (SCRIPT.test(name) && !name.endsWith('.d.ts')) files.push(path);
      }
    };
    walk(base, true);
    return { files, from: `${prefix}…` };
  }
  for (const dir of ancestors(posix.dirname(file))) {
    if (posix.basename(dir) === 'node_modules') continue;
    const modules = posix.join(dir, 'node_modules');
    let entries = installed.get(modules);
    if (entries === undefined) {
      entries = [];
      for (const name of tree.list(modules)) {
        if (name.startsWith('.')) continue;
        const roots = name.startsWith('@') ? tree.list(posix.join(modules, name)).map((n) => posix.join(modules, name, n)) : [posix.join(modules, name)];
        for (const root of roots) {
          const entry = tree.isDirectory(root) ? resolvePackage(tree, root, '.') : undefined;
          if (entry !== undefined) entries.push(entry);
        }
      }
      installed.set(modules, entries);
    }
    files.push(...entries.slice(0, MAX_CANDIDATES - files.length));
  }
  return { files, from: 'the installed packages' };
}

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`), or undefined for a path. */
function packageName(specifier: string): string | undefined {
  if (/^[./]/.test(specifier) || specifier.includes(':')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** A name that says which platform it was built for: `-darwin-arm64`, `.linux-x64-musl`, `-win32-`, `wasm32-wasi`. */
const PLATFORM_BUILD = /(^|[-./@])(android|darwin|freebsd|linux|netbsd|openbsd|openharmony|sunos|aix|win32|wasm32|wasi|wasip1)([-.]|$)/;

/** Whether a dependency may be absent: the package a file belongs to declares it optional (optionalDependencies, or an optional peer), or it is a native binary of a platform. */
function declaredOptional(tree: SourceTree, file: string, specifier: string): boolean {
  // a prebuilt binary of a platform (`./parser.android-arm64.node`, `@x/binding-win32-x64-gnu`, `./parser.wasi.cjs`): its
  // loader tries the next; a script of the app's own (`./linux.js`) that is missing stays a finding
  const built = specifier.endsWith('.node') || !/^\.{0,2}\//.test(specifier) || /[-.]wasi/.test(specifier);
  if (built && PLATFORM_BUILD.test(specifier)) return true;
  const name = packageName(specifier);
  if (name === undefined) return false;
  for (const dir of ancestors(posix.dirname(file))) {
    const text = tree.read(posix.join(dir, 'package.json'));
    if (text === undefined) continue;
    try {
      const manifest = JSON.parse(text) as { optionalDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
      return manifest.optionalDependencies?.[name] !== undefined || manifest.peerDependenciesMeta?.[name]?.optional === true;
    } catch {
      return false;
    }
  }
  return false;
}
