import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { parse, type ParserPlugin } from '@babel/parser';
import * as acorn from 'acorn';
import { KEYS as VISITOR_KEYS } from 'eslint-visitor-keys';
import { parseSync, type ParserOptions } from 'oxc-parser';
import {
  declare, type Declared, EACH, exportsObject, functionScope, globalValue, handsOut, inert, isInterop, isNode, KEY_SAMPLES, keepsWhole, keyName, lineIndex, LINKED, literal, lookup, type Node, type PatternName, patternNames, PRIMITIVE_KEYS, propertyName, SAME, type Scope, TRANSPARENT, TYPE_KEYS, TYPE_ONLY, type Value,
} from './syntax.ts';

/** A module this file loads: the edges of the module graph. */
export interface ModuleImport {
  specifier: string;
  line: number;
  kind: 'import' | 'require' | 'dynamic' | 'export';
  /**
   * The only members the file uses on what it loads (`const gfs = require('graceful-fs'); gfs.readFile()`),
   * for a module that is not a core one; absent when they are not known (passed on, destructured, re-exported).
   */
  members?: string[];
}

/** One use of a Node.js core module: `fs.readFile` at a line, with literal arguments when written. */
export interface CoreUse {
  /** Without `node:` and with `/promises` folded in: `fs`, `child_process`. */
  module: string;
  /** The member used, or `*` when the whole module escapes (passed on, computed member). */
  member: string;
  line: number;
  /** The arguments written as literals, in order, others left out: `[6379, "redis"]`, `[{ "port": 3000 }]`. */
  args?: Literal[];
  /** A process started with Node.js itself (`spawn(process.execPath, …)`, `execFile('node', …)`): no other program's calls. */
  runsNode?: true;
}

export type Literal = string | number | Record<string, string | number>;

/** A script the code runs: a path from the file's folder (`new Worker(new URL('./w.js', import.meta.url))`) or from the working folder (`fork('./child.js')`). */
export interface ScriptRun {
  line: number;
  path: string;
  from: 'file' | 'cwd';
  /** How it is run: `worker_threads.Worker`, `child_process.fork`, `child_process.spawn`. */
  how: string;
}

/** A module named at run time, with what is known of it. */
export interface ComputedLoad {
  line: number;
  code: string;
  /** The path it starts with, from the file's folder (`./locale/` of `` `./locale/${lang}.js` ``): it loads a file under there. */
  prefix?: string;
  /** The only members used on what it loads (`require(engine).__express`); absent when the value is passed on or called. */
  members?: string[];
  /**
   * Why it is never a core module, when its expression says so: it is a file (`path.resolve(x)`,
   * `pathToFileURL(x).href`), it starts with text no core module starts with (`` `@x/binding-${arch}` ``),
   * or the name holding it says it is a path (`configPath`, `fileURL`, `moduleDir`).
   */
  notCore?: string;
  /**
   * The environment variable that names it (`require(process.env.NAPI_RS_NATIVE_LIBRARY_PATH)`): what the operator
   * sets there, not the app's own code; none of the app's files is taken for it.
   */
  env?: string;
}

export interface FileUsage {
  imports: ModuleImport[];
  core: CoreUse[];
  /** `require(x)` and `import(x)` of a name known only at run time. */
  computed: ComputedLoad[];
  /** `server.listen(3000)`, `app.listen(process.env.PORT || 8080)`, `listen({ port: 3000 })` on any object. */
  listens: Array<{ line: number; port: number }>;
  /** JavaScript files the code runs as a thread or a program of their own: workers, forked modules, `node script.js`. */
  runs: ScriptRun[];
  /**
   * Core modules this file hands on as what it exports (`module.exports = patch(clone(fs))`, as graceful-fs
   * does): their members are used where the file is loaded, as those files use its exports.
   */
  exportsCore: string[];
  errors: Array<{ line: number; message: string }>;
}

const BUILTINS = new Set(builtinModules);
/** Names that say they hold a path or a URL (`configPath`, `fileURL`, `moduleDir`, `packagefile`, `.href`): what they name is a file. */
const PATH_NAME = /(path|file|filename|url|uri|href|dir|directory|location)$/i;

/** `node:fs/promises` → `fs`; undefined when not a core module. */
export function coreModule(specifier: string): string | undefined {
  const name = specifier.replace(/^node:/, '');
  if (!BUILTINS.has(name) && !specifier.startsWith('node:')) return undefined;
  // fs/promises, path/win32, util/types, stream/web: the module they are part of; _stream_transform is stream's
  const base = name.split('/')[0]!;
  return /^_(stream|http|tls)_/.exec(base)?.[1] ?? base;
}

const JAVASCRIPT = /\.(c|m)?js$/;

/**
 * The file's syntax tree (ESTree). Plain JavaScript goes to oxc, a parser in
 * Rust whose tree crosses to JavaScript as one buffer: as a module when it
 * imports or exports, else as a script, else as CommonJS (a `return` at the top);
 * a file nested deeper than its tree reader's stack goes to acorn. TypeScript,
 * JSX and files both refuse go to Babel, which recovers from errors: what
 * parsed is still used, and every error is kept with its line.
 */
function parseProgram(file: string, text: string, errors: FileUsage['errors']): Node | undefined {
  if (JAVASCRIPT.test(file)) {
    for (const sourceType of file.endsWith('.mjs') ? ['module'] as const : file.endsWith('.cjs') ? ['commonjs'] as const : ['unambiguous', 'commonjs'] as const) {
      try {
        const result = parseSync(file, text, { lang: 'js', sourceType, preserveParens: false, experimentalRawTransfer: true } as ParserOptions);
        if (result.errors.length === 0) return result.program as unknown as Node;
      } catch {
        const deep = deepProgram(file, text);
        if (deep !== undefined) return deep;
        break;
      }
    }
  }
  const plugins: ParserPlugin[] = ['estree'];
  if (/\.(c|m)?tsx?$/.test(file)) plugins.push('typescript');
  if (/\.(j|t)sx$/.test(file)) plugins.push('jsx');
  try {
    const result = parse(text, { sourceType: 'unambiguous', plugins, errorRecovery: true, createImportExpressions: true, allowReturnOutsideFunction: true });
    for (const error of result.errors ?? []) errors.push({ line: error.loc.line, message: error.message.replace(/ \(\d+:\d+\)$/, '') });
    return result.program as unknown as Node;
  } catch (e) {
    // An error the parser could not recover from: nothing of the file is known.
    const line = (e as { loc?: { line: number } }).loc?.line ?? 1;
    errors.push({ line, message: (e as Error).message.replace(/ \(\d+:\d+\)$/, '') });
    return undefined;
  }
}

/** A tree too deep for oxc's reader (a long chain of minified expressions): acorn, which holds it. */
function deepProgram(file: string, text: string): Node | undefined {
  const options = { ecmaVersion: 'latest', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowHashBang: true } as const;
  for (const sourceType of file.endsWith('.mjs') ? ['module'] as const : ['script', 'module'] as const) {
    try {
      return acorn.parse(text, { ...options, sourceType }) as unknown as Node;
    } catch {
      // the other source type, or Babel with its error recovery
    }
  }
  return undefined;
}

/** Where a node's parent is kept on it, for the nodes whose parent is looked at (LINKED): a symbol, which no walk meets. */
const PARENT = Symbol('parent');
/** The children of each ESTree type, by where ESLint's table says they are. */
const ESTREE: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(VISITOR_KEYS));
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const REFERENCES = new Set(['Identifier', 'MemberExpression', 'CallExpression', 'ImportExpression']);

/**
 * The modules a JavaScript or TypeScript file loads and the members of Node's
 * core modules it uses. Names are resolved by scope: a local or a parameter
 * named like a global (`process`, `fetch`, `require`) is not the global; a
 * core module bound to a name, destructured, aliased, assigned later or kept in
 * a property the file reads itself is followed to its uses; a computed member
 * over a literal list (`fs[m]` for `m` of `['stat', 'readFile']`), either branch
 * of a condition, or a parameter the file only ever gives strings is those
 * members; `require(path.join(__dirname,
 * '..', 'x.json'))` is a literal path. What cannot be known (a namespace passed
 * on, a member computed at run time) widens to every member of its module.
 */
export function fileUsage(file: string, text: string): FileUsage {
  const lineOf = lineIndex(text);
  const usage: FileUsage = { imports: [], core: [], computed: [], listens: [], runs: [], exportsCore: [], errors: [] };
  const program = parseProgram(file, text, usage.errors);
  // oxc and acorn give every node of a type the same keys (Babel does not): the keys that may hold children are listed once per type
  const acornTree = program !== undefined && !('extra' in program) && program.loc === undefined;
  const childKeys = new Map<string, readonly string[]>();
  /** What the walk does with each node type, worked out at its first node. */
  const kinds = new Map<string, { typeOnly: boolean; linked: boolean; reference: boolean; keys: readonly string[] | undefined }>();
  const childSeen = new Map<string, number>();
  if (program === undefined) return usage;

  const top: Scope = { parent: undefined, fn: true };
  /** Identifiers that name, not use: declarations, property keys, labels. */
  const names = new Set<Node>();
  const references: Array<[Node, Scope]> = [];
  const parentOf = (node: Node): Node | undefined => (node as { [PARENT]?: Node })[PARENT];
  const functionScopes = new Map<Node, Scope>();
  /** Functions that are values of an object or array: a bundle's modules (`2058: (e) => { e.exports = require('fs') }`). */
  const wrappers: Array<[Node, Node]> = [];
  const assignments: Array<{ name: string; node: Node; scope: Scope }> = [];
  const fieldAssignments: Array<{ classBody: Node | undefined; name: string; node: Node; scope: Scope }> = [];
  /**
   * Every value the file gives a property, by the property's name (`{ fs: options.fs || fs }`, `this.fs = fs`), and
   * whether the object is handed out of the file (returned, exported, passed to a call): see `propertyValue`.
   */
  const propertyWrites = new Map<string, Array<{ node: Node; scope: Scope; out: boolean }>>();
  const writeProperty = (name: string, node: Node, scope: Scope, out: boolean) => {
    (propertyWrites.get(name) ?? propertyWrites.set(name, []).get(name)!).push({ node, scope, out });
  };
  /** Object literals handed out of the file as they are written: returned, exported, or passed to a call. */
  const handedOut = new Set<Node>();
  /**
   * The file's own interop helpers, whatever they are named (`br = _ && _.__importStar || function (n) { if (n && n.__esModule) return n; … }`
   * in a minified bundle): what they return is the module they are given.
   */
  const helpers = new Set<Declared>();
  const helperNames = new Set<string>();
  const isHelper = (init: Node): boolean => {
    const fn = init.type === 'LogicalExpression' && init.operator === '||' ? (init.right as Node) : init;
    return FUNCTIONS.has(fn.type) && (fn.params as Node[]).length >= 1 && fn.end - fn.start < 1000 && text.slice(fn.start, fn.end).includes('__esModule');
  };
  /** Property names destructuring patterns take (`const { fs } = state`). */
  const patternKeys = new Set<string>();
  const offsets = new Map<ModuleImport, number>();
  const addImport = (specifier: string, at: Node, kind: ModuleImport['kind']): ModuleImport => {
    const entry: ModuleImport = { specifier, line: lineOf(at.start), kind };
    usage.imports.push(entry);
    offsets.set(entry, at.start);
    return entry;
  };
  /** ES imports of modules that are not core ones, with the names they bind: their members are worked out with the uses. */
  const esImports: Array<{ entry: ModuleImport; bound: Array<{ local: string; imported: string }> }> = [];

  const bind = (pattern: Node, scope: Scope, make: (keys: string[]) => Declared) => {
    const found: PatternName[] = [];
    patternNames(pattern, [], found);
    for (const { id, keys, fallback } of found) {
      names.add(id);
      if (keys.length > 0) patternKeys.add(keys.at(-1)!);
      const declared = declare(scope, id.name as string, make(keys));
      if (fallback !== undefined) declared.fallback = { ...fallback, scope };
    }
  };
  /** The class body a private name (`#fsp`) written at `scope` belongs to: private names are lexical, whatever `this` is. */
  const classOf = (scope: Scope): Node | undefined => {
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) if (s.classBody !== undefined) return s.classBody;
    return undefined;
  };
  /** Private fields by class body, each a name given values by `this.#x = …` and `#x = …`. */
  const fields = new Map<Node, Map<string, Declared>>();
  const field = (classBody: Node | undefined, name: string): Declared | undefined => {
    if (classBody === undefined) return undefined;
    const own = fields.get(classBody) ?? fields.set(classBody, new Map()).get(classBody)!;
    return own.get(name) ?? own.set(name, {}).get(name);
  };
  /** `this.#x`, `other.#x`: a private field of the class the code is written in. */
  const privateField = (node: Node): string | undefined =>
    node.type === 'MemberExpression' && (node.property as Node).type === 'PrivateIdentifier' ? `#${(node.property as Node).name as string}` : undefined;
  const nameOnly = (node: unknown) => {
    if (isNode(node)) names.add(node);
  };

  /** What a callback's first parameter is: each element of the array it iterates, or the module `import()` gave. */
  const callbackParameter = (fn: Node, parent: Node | undefined, scope: Scope): Declared => {
    if (parent?.type !== 'CallExpression' || (parent.arguments as Node[])[0] !== fn) return {};
    const callee = parent.callee as Node;
    if (callee.type !== 'MemberExpression') return {};
    const method = propertyName(callee);
    if (method !== undefined && EACH.has(method)) return { each: { node: callee.object as Node, scope } };
    const source = callee.object as Node;
    const module = method === 'then' && source.type === 'ImportExpression' ? literal(source.source) : undefined;
    const core = typeof module === 'string' ? coreModule(module) : undefined;
    return core !== undefined ? { imported: { module: core, name: '*' } } : {};
  };

  /** Declares what `node` declares; the scope its children are in. */
  const enter = (node: Node, parent: Node | undefined, scope: Scope): Scope => {
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const inner: Scope = { parent: scope, fn: true };
        functionScopes.set(node, inner);
        if (parent?.type === 'Property' || parent?.type === 'ArrayExpression') wrappers.push([node, parent]);
        if (isNode(node.id)) {
          names.add(node.id);
          const declared = declare(node.type === 'FunctionDeclaration' ? scope : inner, node.id.name as string, { fn: node });
          if (node.type === 'FunctionDeclaration' && isHelper(node)) {
            helpers.add(declared);
            helperNames.add(node.id.name as string);
          }
        }
        // a function called where it is written ((function (fs$close) { … })(fs.close)): each parameter is its argument
        const called = parent?.type === 'CallExpression' && parent.callee === node ? (parent.arguments as Node[]) : undefined;
        // the name the function is called by in this file, when it has one its callers outside cannot reach directly
        const named = node.type === 'FunctionDeclaration' ? (parent?.type === 'ExportNamedDeclaration' || parent?.type === 'ExportDefaultDeclaration' ? undefined : (node.id as Node).name as string)
          : parent?.type === 'VariableDeclarator' && parent.init === node && (parent.id as Node).type === 'Identifier' ? (parent.id as Node).name as string : undefined;
        (node.params as Node[]).forEach((param, i) => bind(param, inner, (keys) => {
          const argument = called?.[i];
          if (argument !== undefined && argument.type !== 'SpreadElement') return { init: { node: argument, scope, keys } };
          const given = i === 0 ? callbackParameter(node, parent, scope) : {};
          return named !== undefined && param.type === 'Identifier' ? { ...given, param: { fn: named, scope, index: i } } : given;
        }));
        return inner;
      }
      case 'BlockStatement':
        return parent !== undefined && FUNCTIONS.has(parent.type) ? scope : { parent: scope, fn: false };
      case 'ClassBody':
        return { parent: scope, fn: false, classBody: node };
      case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': case 'SwitchStatement': case 'StaticBlock':
        return { parent: scope, fn: false };
      case 'CatchClause': {
        const inner: Scope = { parent: scope, fn: false };
        if (isNode(node.param)) bind(node.param, inner, () => ({}));
        return inner;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        if (!isNode(node.id)) return scope;
        names.add(node.id);
        const inner: Scope = node.type === 'ClassExpression' ? { parent: scope, fn: false } : scope;
        declare(inner, node.id.name as string);
        return inner;
      }
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? functionScope(scope) : scope;
        if (parent?.type === 'ExportNamedDeclaration') for (const d of node.declarations as Node[]) if (isNode(d.init)) handedOut.add(d.init);
        const loop = parent?.type === 'ForOfStatement' && parent.left === node ? (parent.right as Node) : undefined;
        for (const declarator of node.declarations as Node[]) {
          const init = declarator.init;
          bind(declarator.id as Node, target, (keys) => (loop !== undefined ? (keys.length === 0 ? { each: { node: loop, scope } } : {})
            : isNode(init) ? { init: { node: init, scope, keys } } : {}));
          const id = declarator.id as Node;
          if (isNode(init) && id.type === 'Identifier' && isHelper(init)) {
            helpers.add(lookup(target, id.name as string)!);
            helperNames.add(id.name as string);
          }
        }
        return scope;
      }
      case 'ImportDeclaration': {
        const specifier = (node.source as Node).value as string;
        const typeOnly = (node.importKind as string | undefined) === 'type';
        const entry = typeOnly ? undefined : addImport(specifier, node, 'import');
        const module = typeOnly ? undefined : coreModule(specifier);
        if (entry !== undefined && module === undefined) {
          esImports.push({ entry, bound: (node.specifiers as Node[]).map((s) => ({ local: (s.local as Node).name as string, imported: isNode(s.imported) ? ((s.imported.name ?? s.imported.value) as string) : s.type === 'ImportDefaultSpecifier' ? 'default' : '*' })) });
        }
        for (const s of node.specifiers as Node[]) {
          nameOnly(s.imported);
          const local = s.local as Node;
          names.add(local);
          const imported = isNode(s.imported) ? ((s.imported.name ?? s.imported.value) as string) : s.type === 'ImportDefaultSpecifier' ? 'default' : '*';
          declare(top, local.name as string, module !== undefined ? { imported: { module, name: imported } } : {});
        }
        return scope;
      }
      case 'ExportAllDeclaration':
      case 'ExportNamedDeclaration':
        if (isNode(node.source)) {
          addImport(node.source.value as string, node, 'export');
          for (const s of (node.specifiers as Node[] | undefined) ?? []) nameOnly(s.local);
        }
        return scope;
      case 'ExportSpecifier':
        nameOnly(node.exported);
        return scope;
      case 'AssignmentExpression': {
        const left = node.left as Node;
        const given = node.operator === '=' || node.operator === '||=' || node.operator === '??=';
        if (left.type === 'Identifier') {
          names.add(left);
          if (given) assignments.push({ name: left.name as string, node: node.right as Node, scope });
        }
        const name = privateField(left);
        if (name !== undefined && given) fieldAssignments.push({ classBody: classOf(scope), name, node: node.right as Node, scope });
        const property = name === undefined && left.type === 'MemberExpression' ? propertyName(left) : undefined;
        if (property !== undefined) writeProperty(property, node.right as Node, scope, exportsObject(left.object as Node));
        return scope;
      }
      case 'ObjectExpression': case 'ArrayExpression':
        // handed out as it is, or inside an object or array that is
        if (parent !== undefined && (handedOut.has(parent) || handsOut(node, parent))) handedOut.add(node);
        return scope;
      case 'Property': {
        if (!node.computed && node.value !== node.key) nameOnly(node.key);
        const name = parent?.type === 'ObjectExpression' ? keyName(node) : undefined;
        if (parent !== undefined && handedOut.has(parent)) handedOut.add(node);
        if (name !== undefined) writeProperty(name, node.value as Node, scope, handedOut.has(node));
        return scope;
      }
      case 'MethodDefinition': case 'PropertyDefinition': case 'AccessorProperty': case 'TSAbstractPropertyDefinition':
        if (!node.computed) nameOnly(node.key);
        // `#fsp = fs;` in a class body
        if (node.type === 'PropertyDefinition' && (node.key as Node).type === 'PrivateIdentifier' && isNode(node.value)) {
          fieldAssignments.push({ classBody: parent, name: `#${(node.key as Node).name as string}`, node: node.value, scope });
        }
        return scope;
      case 'LabeledStatement': case 'BreakStatement': case 'ContinueStatement':
        nameOnly(node.label);
        return scope;
      case 'MetaProperty':
        nameOnly(node.meta);
        nameOnly(node.property);
        return scope;
      default:
        return scope;
    }
  };

  // One walk: scopes and declarations, and the nodes that may use something, each with its scope.
  const nodes: Node[] = [program];
  const parents: Array<Node | undefined> = [undefined];
  const scopes: Scope[] = [top];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const parent = parents.pop();
    const outer = scopes.pop()!;
    const type = node.type;
    let kind = kinds.get(type);
    if (kind === undefined) {
      kind = { typeOnly: TYPE_ONLY.has(type), linked: LINKED.has(type), reference: REFERENCES.has(type), keys: acornTree ? ESTREE.get(type) : undefined };
      kinds.set(type, kind);
    }
    if (kind.typeOnly) continue;
    if (parent !== undefined && kind.linked) (node as { [PARENT]?: Node })[PARENT] = parent;
    if (kind.reference) references.push([node, outer]);
    const scope = enter(node, parent, outer);
    // an ESTree type's children are where ESLint's table says (oxc and acorn put them nowhere else); Babel's trees carry
    // TypeScript's too, and other types are sampled
    const known = kind.keys;
    let keys = known ?? childKeys.get(type);
    if (keys === undefined || (known === undefined && (childSeen.get(node.type) ?? 0) < KEY_SAMPLES)) {
      // the union over the first few nodes of the type, in case a key is set only on some
      const own = Object.keys(node).filter((k) => !TYPE_KEYS.has(k) && !PRIMITIVE_KEYS.has(k));
      keys = keys === undefined ? own : [...new Set([...keys, ...own])];
      if (acornTree) {
        childKeys.set(node.type, keys);
        childSeen.set(node.type, (childSeen.get(node.type) ?? 0) + 1);
      }
    }
    for (const key of keys) {
      const value = node[key];
      if (typeof value !== 'object' || value === null) continue;
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          if (isNode(value[i])) {
            nodes.push(value[i] as Node);
            parents.push(node);
            scopes.push(scope);
          }
        }
      } else if (isNode(value)) {
        nodes.push(value);
        parents.push(node);
        scopes.push(scope);
      }
    }
  }
  for (const { name, node, scope } of assignments) {
    const declared = lookup(scope, name) ?? declare(top, name);
    (declared.assigned ??= []).push({ node, scope });
  }
  for (const { classBody, name, node, scope } of fieldAssignments) {
    const declared = field(classBody, name);
    if (declared !== undefined) (declared.assigned ??= []).push({ node, scope });
  }

  /**
   * Whether `call` is an interop helper's call with `argument` as what it wraps: a known helper's name, or one of the
   * file's own (`scope` is the call's: a helper's name is looked up from there).
   */
  const interop = (call: Node, argument: Node, scope: Scope): boolean => {
    if (isInterop(call, argument)) return true;
    const callee = call.type === 'CallExpression' && (call.arguments as Node[])[0] === argument ? (call.callee as Node) : undefined;
    if (callee?.type !== 'Identifier' || !helperNames.has(callee.name as string)) return false;
    const declared = lookup(scope, callee.name as string);
    return declared !== undefined && helpers.has(declared);
  };

  const valueOf = (declared: Declared): Value | undefined => {
    if (declared.value !== undefined) return declared.value ?? undefined;
    if (declared.resolving === true) return undefined;
    declared.resolving = true;
    let value: Value | undefined;
    if (declared.imported !== undefined) {
      const { module, name } = declared.imported;
      value = name === '*' || name === 'default' || name === 'promises' ? { kind: 'namespace', module } : { kind: 'member', module, member: name };
    } else if (declared.each !== undefined) {
      const list = evaluate(declared.each.node, declared.each.scope);
      value = list?.kind === 'list' ? list : undefined;
    } else {
      // every value the name is given must agree: `let x = 1; x = other` is not known
      // a default is the value when the one given is not known (`{ fsp = nativeFsp } = {}`)
      const fromInit = declared.init === undefined ? undefined : follow(evaluate(declared.init.node, declared.init.scope), declared.init.keys);
      const { fallback } = declared;
      const initial = fromInit ?? (fallback === undefined ? undefined : follow(evaluate(fallback.node, fallback.scope), fallback.keys));
      const given = [initial, ...(declared.assigned ?? []).map((a) => evaluate(a.node, a.scope))].filter((v) => v !== undefined);
      value = given.length > 0 && given.every((v) => JSON.stringify(v) === JSON.stringify(given[0])) ? given[0] : undefined;
    }
    declared.resolving = false;
    declared.value = value ?? null;
    return value;
  };

  const follow = (value: Value | undefined, keys: readonly string[]): Value | undefined => {
    let v = value;
    for (const key of keys) {
      if (key === '*') return undefined;
      // const { fs } = state: what the file keeps in a property of that name
      if (v?.kind !== 'namespace') v = propertyValue(key);
      else if (!SAME.has(key)) v = { kind: 'member', module: v.module, member: key };
      if (v === undefined) return undefined;
    }
    return v;
  };

  /**
   * The core module a property holds, by its name, when every value the file gives a property of that name is that
   * module (`this.state = { fs: options.fs || fs }`), the file reads the property itself (`const { fs } = state`,
   * `state.fs.readdir`) and no object holding it is handed out as written (returned, exported, passed to a call):
   * the file keeps the module there for its own use, and its uses are the members read through the property.
   */
  const properties = new Map<string, Value | undefined>();
  let propertiesRead: Set<string> | undefined;
  const propertyValue = (name: string): Value | undefined => {
    if (properties.has(name)) return properties.get(name);
    properties.set(name, undefined); // a value given from the property itself (`options.fs || fs`) adds nothing
    const writes = propertyWrites.get(name);
    if (writes === undefined || writes.some((w) => w.out)) return undefined;
    let value: Value | undefined;
    for (const { node, scope } of writes) {
      const given = evaluate(node, scope);
      if (given?.kind !== 'namespace' || (value?.kind === 'namespace' && value.module !== given.module)) return undefined;
      value = given;
    }
    if (propertiesRead === undefined) {
      propertiesRead = new Set(patternKeys);
      for (const [node] of references) {
        const around = node.type === 'MemberExpression' ? parentOf(node) : undefined;
        const read = node.type === 'MemberExpression' && !(around?.type === 'AssignmentExpression' && around.left === node) ? propertyName(node) : undefined;
        if (read !== undefined) propertiesRead.add(read);
      }
    }
    if (!propertiesRead.has(name)) return undefined;
    properties.set(name, value);
    return value;
  };

  const specifierOf = (node: unknown, scope: Scope): string | undefined => {
    if (!isNode(node)) return undefined;
    const value = evaluate(node, scope);
    if (value?.kind === 'literal' && typeof value.value === 'string') return value.value;
    if (value?.kind === 'here') return value.path.startsWith('.') ? (value.path === '.' ? './' : value.path) : `./${value.path}`;
    return undefined;
  };

  function evaluate(node: Node, scope: Scope, depth = 0): Value | undefined {
    if (depth > 24) return undefined;
    const inner = (n: unknown) => (isNode(n) ? evaluate(n, scope, depth + 1) : undefined);
    if (TRANSPARENT.has(node.type)) return inner(node.expression);
    switch (node.type) {
      case 'Literal':
      case 'TemplateLiteral': {
        const value = literal(node);
        return value === undefined ? undefined : { kind: 'literal', value };
      }
      case 'ArrayExpression': {
        const values = (node.elements as unknown[]).map(literal);
        return values.length > 0 && values.every((v) => typeof v === 'string') ? { kind: 'list', values: values as string[] } : undefined;
      }
      case 'Identifier': {
        const name = node.name as string;
        const declared = lookup(scope, name);
        if (declared === undefined) return globalValue(name);
        return valueOf(declared) ?? (name === 'require' ? { kind: 'require', own: true } : undefined);
      }
      case 'MemberExpression': {
        const own = privateField(node);
        if (own !== undefined) {
          const declared = field(classOf(scope), own);
          return declared === undefined ? undefined : valueOf(declared);
        }
        const name = propertyName(node);
        const object = node.object as Node;
        if (object.type === 'MetaProperty') return name === 'dirname' ? { kind: 'here', path: '.' } : undefined;
        if (object.type === 'Identifier' && (object.name === 'globalThis' || object.name === 'global') && lookup(scope, object.name) === undefined) {
          return name === undefined ? undefined : globalValue(name);
        }
        if (name === undefined) return undefined;
        const base = inner(object);
        if (base?.kind === 'file') return name === 'href' || name === 'pathname' ? base : undefined;
        if (base?.kind !== 'namespace') return propertyValue(name);
        return SAME.has(name) ? base : { kind: 'member', module: base.module, member: name };
      }
      case 'CallExpression': {
        const args = node.arguments as Node[];
        if (args.length > 0 && interop(node, args[0]!, scope)) return inner(args[0]);
        const callee = inner(node.callee);
        // n(2058) in a bundle whose module 2058 re-exports a core module
        const id = args.length === 1 && bundled.size > 0 && (node.callee as Node).type === 'Identifier' && callee?.kind !== 'require' ? literal(args[0]) : undefined;
        if (id !== undefined && bundled.has(String(id))) return { kind: 'namespace', module: bundled.get(String(id))! };
        if (callee?.kind === 'require') {
          const specifier = specifierOf(args[0], scope);
          const module = specifier === undefined ? undefined : coreModule(specifier);
          return module === undefined ? undefined : { kind: 'namespace', module };
        }
        if (callee?.kind !== 'member') {
          // require.resolve(x) is a file's path
          const resolve = (node.callee as Node).type === 'MemberExpression' && propertyName(node.callee as Node) === 'resolve' ? inner((node.callee as Node).object) : undefined;
          return resolve?.kind === 'require' ? { kind: 'file' } : undefined;
        }
        if (callee.module === 'module' && callee.member === 'createRequire') return { kind: 'require', own: false };
        if (callee.module === 'url' && (callee.member === 'pathToFileURL' || callee.member === 'fileURLToPath')) return { kind: 'file' };
        if (callee.module === 'path' && (callee.member === 'join' || callee.member === 'resolve') && args.length > 0) {
          // path.resolve always gives an absolute path: a file, whatever its parts
          const unknown: Value | undefined = callee.member === 'resolve' ? { kind: 'file' } : undefined;
          const parts = args.map(inner);
          if (parts[0]?.kind !== 'here' || !parts.slice(1).every((p) => p?.kind === 'literal' && typeof p.value === 'string')) return unknown;
          if (parts.slice(1).some((p) => String((p as { value: string }).value).startsWith('/'))) return unknown;
          return { kind: 'here', path: posix.join(parts[0].path, ...parts.slice(1).map((p) => String((p as { value: string }).value))) };
        }
        return undefined;
      }
      case 'NewExpression': {
        // new URL('./worker.js', import.meta.url)
        const [target, base] = node.arguments as Node[];
        const callee = node.callee as Node;
        const url = typeof literal(target) === 'string' ? (literal(target) as string) : undefined;
        if (callee.type !== 'Identifier' || callee.name !== 'URL' || url === undefined || !/^\.\.?\//.test(url) || base?.type !== 'MemberExpression') return undefined;
        return (base.object as Node).type === 'MetaProperty' && propertyName(base) === 'url' ? { kind: 'here', path: posix.join('.', url) } : undefined;
      }
      case 'AwaitExpression': {
        const argument = node.argument as Node;
        if (argument.type !== 'ImportExpression') return undefined;
        const specifier = specifierOf(argument.source, scope);
        const module = specifier === undefined ? undefined : coreModule(specifier);
        return module === undefined ? undefined : { kind: 'namespace', module };
      }
      case 'LogicalExpression':
        return node.operator === '&&' ? inner(node.right) : inner(node.left) ?? inner(node.right);
      case 'ConditionalExpression':
        return inner(node.consequent) ?? inner(node.alternate);
      case 'SequenceExpression':
        return inner((node.expressions as Node[]).at(-1));
      case 'AssignmentExpression':
        return inner(node.right);
      default:
        return undefined;
    }
  }

  /** A literal, the fallback of `x || 3000`, a constant's value, or an object literal of such values. */
  const argument = (node: unknown, scope: Scope): Literal | undefined => {
    if (!isNode(node)) return undefined;
    if (node.type !== 'ObjectExpression') {
      const value = evaluate(node, scope);
      return value?.kind === 'literal' ? value.value : undefined;
    }
    const entries: Array<[string, string | number]> = [];
    for (const property of node.properties as Node[]) {
      if (property.type !== 'Property' || property.computed) continue;
      const key = property.key as Node;
      const name = key.type === 'Identifier' ? (key.name as string) : literal(key);
      const value = argument(property.value, scope);
      if (typeof name === 'string' && (typeof value === 'string' || typeof value === 'number')) entries.push([name, value]);
    }
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };

  /** The call or `new` this node is the callee of. */
  const callOf = (node: Node): Node | undefined => {
    const parent = parentOf(node);
    return (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') && parent.callee === node ? parent : undefined;
  };

  /**
   * Whether a module's namespace at `node` (in `scope`) escapes (is passed on, stored, returned):
   * not when it is only bound to a name (whose uses are followed), tested, or a member's object.
   */
  const escapes = (node: Node, scope: Scope): boolean => {
    let child: Node = node;
    let parent = parentOf(node);
    for (;;) {
      if (parent === undefined) return false;
      if (TRANSPARENT.has(parent.type) || parent.type === 'AwaitExpression' || (parent.type === 'ConditionalExpression' && parent.test !== child) || interop(parent, child, scope)) {
        // the value flows through
      } else if (parent.type === 'LogicalExpression') {
        if (parent.operator === '&&' && parent.left === child) return false;
      } else break;
      child = parent;
      parent = parentOf(parent);
    }
    switch (parent.type) {
      // bound to names, whose uses are followed; a pattern that keeps it whole (`{ ...rest }`) passes it on
      case 'VariableDeclarator': return parent.init !== child || keepsWhole(parent.id as Node);
      case 'AssignmentPattern': return parent.right !== child || keepsWhole(parent.left as Node);
      case 'PropertyDefinition': return parent.value !== child || (parent.key as Node).type !== 'PrivateIdentifier';
      // kept in a property the file reads itself, whose uses are followed (see propertyValue)
      case 'Property': return parent.value !== child || propertyValue(keyName(parent) ?? '') === undefined;
      case 'AssignmentExpression': {
        const left = parent.left as Node;
        if (parent.right !== child) return true;
        if (left.type === 'Identifier' || privateField(left) !== undefined) return false;
        return left.type !== 'MemberExpression' || propertyValue(propertyName(left) ?? '') === undefined;
      }
      case 'MemberExpression': return parent.object !== child;
      case 'ExpressionStatement': case 'IfStatement': case 'WhileStatement': case 'BinaryExpression': return false;
      case 'UnaryExpression': return parent.operator !== 'typeof' && parent.operator !== '!';
      case 'ConditionalExpression': return parent.test !== child;
      case 'CallExpression': return !inert(parent, child);
      default: return true;
    }
  };

  const use = (module: string, member: string, at: Node, call: Node | undefined, scope: Scope) => {
    const args = call ? (call.arguments as unknown[]).slice(0, 3).map((a) => argument(a, scope)) : [];
    const known = args.filter((a) => a !== undefined);
    const runsNode = call !== undefined && module === 'child_process' && /^(spawn|execFile)(Sync)?$/.test(member) && isNodeProgram((call.arguments as Node[])[0], scope);
    usage.core.push({ module, member, line: lineOf(at.start), ...(known.length > 0 && { args: known }), ...(runsNode && { runsNode: true as const }) });
    if (call !== undefined) runsOf(`${module}.${member.replace(/Sync$/, '')}`, call, scope);
  };

  /** A script path: a literal (from the working folder) or a path from the file's own folder. */
  const scriptPath = (node: unknown, scope: Scope): { path: string; from: ScriptRun['from'] } | undefined => {
    const value = isNode(node) ? evaluate(node, scope) : undefined;
    if (value?.kind === 'here') return { path: value.path, from: 'file' };
    return value?.kind === 'literal' && typeof value.value === 'string' && !value.value.startsWith('-') ? { path: value.value, from: 'cwd' } : undefined;
  };
  const isNodeProgram = (node: unknown, scope: Scope): boolean => {
    const value = isNode(node) ? evaluate(node, scope) : undefined;
    if (value?.kind === 'member') return value.module === 'process' && value.member === 'execPath';
    return value?.kind === 'literal' && typeof value.value === 'string' && /(^|\/)(node|nodejs)$/.test(value.value);
  };
  /** The scripts a worker, a fork or a Node.js program started by the code runs. */
  const runsOf = (how: string, call: Node, scope: Scope) => {
    const [first, second] = call.arguments as Node[];
    let script: { path: string; from: ScriptRun['from'] } | undefined;
    if (how === 'worker_threads.Worker' || how === 'child_process.fork') script = scriptPath(first, scope);
    else if (/^child_process\.(spawn|execFile)$/.test(how) && isNodeProgram(first, scope) && second?.type === 'ArrayExpression') {
      // node [flags] script …: the first argument that is not a flag
      script = (second.elements as Array<Node | null>).map((e) => scriptPath(e, scope)).find((p) => p !== undefined);
    } else if (how === 'child_process.exec') {
      const command = evaluate(first ?? ({ type: 'Nothing' } as Node), scope);
      const words = command?.kind === 'literal' && typeof command.value === 'string' ? command.value.trim().split(/\s+/) : [];
      const path = /(^|\/)(node|nodejs)$/.test(words[0] ?? '') ? words.slice(1).find((w) => !w.startsWith('-')) : undefined;
      if (path !== undefined) script = { path, from: 'cwd' };
    }
    if (script !== undefined) usage.runs.push({ line: lineOf(call.start), ...script, how });
  };
  const excerpt = (node: Node) => text.slice(node.start, Math.min(node.end, node.start + 80));

  // A bundle's module that only re-exports a core module, by its id: `n(2058)` is fs, and that require is no escape.
  const bundled = new Map<string, string>();
  const rexported = new Set<Node>();
  for (const [fn, holder] of wrappers) {
    const param = (fn.params as Node[])[0];
    const body = fn.body as Node;
    const statements = body.type === 'BlockStatement'
      ? (body.body as Node[]).filter((st) => !(st.type === 'ExpressionStatement' && typeof st.directive === 'string'))
      : [{ type: 'ExpressionStatement', expression: body, start: body.start, end: body.end }];
    const assignment = statements.length === 1 && statements[0]!.type === 'ExpressionStatement' ? (statements[0]!.expression as Node) : undefined;
    if (param?.type !== 'Identifier' || assignment?.type !== 'AssignmentExpression' || assignment.operator !== '=') continue;
    const left = assignment.left as Node;
    const right = assignment.right as Node;
    if (left.type !== 'MemberExpression' || propertyName(left) !== 'exports' || (left.object as Node).type !== 'Identifier' || (left.object as Node).name !== param.name) continue;
    if (right.type !== 'CallExpression' || (right.callee as Node).type !== 'Identifier' || (right.callee as Node).name !== 'require') continue;
    const specifier = literal((right.arguments as Node[])[0]);
    const module = typeof specifier === 'string' ? coreModule(specifier) : undefined;
    const key = holder.type === 'ArrayExpression' ? (holder.elements as Node[]).indexOf(fn)
      : (holder.key as Node).type === 'Identifier' && !holder.computed ? (holder.key as Node).name : literal(holder.key);
    if (module === undefined || key === undefined || key === -1) continue;
    bundled.set(String(key), module);
    rexported.add(right);
  }

  /** The members used on a name, when it is only ever used through members (`x.a`, `typeof x`); undefined when it is passed on, called or stored. */
  /** The identifiers that use each name, indexed once when first asked (a file's requires are each followed to their uses). */
  let byName: Map<string, Array<[Node, Scope]>> | undefined;
  /** The uses of the name `declared` binds: the identifiers of that name that resolve to it, with their scopes. */
  const usesAt = (declared: Declared, name: string): Array<[Node, Scope]> => {
    if (byName === undefined) {
      byName = new Map();
      for (const entry of references) {
        if (entry[0].type !== 'Identifier' || names.has(entry[0])) continue;
        const key = entry[0].name as string;
        (byName.get(key) ?? byName.set(key, []).get(key)!).push(entry);
      }
    }
    return (byName.get(name) ?? []).filter(([, at]) => lookup(at, name) === declared);
  };
  const usesOf = (declared: Declared, name: string): Node[] => usesAt(declared, name).map(([node]) => node);

  /**
   * The strings a parameter is given where its function is called in this file (`isType('stat', …)`,
   * `isType.bind(null, 'lstat')`), when the function is only ever called there, each time with a string:
   * `fs[fsStatType]` in it is then those members. Undefined when anything else is done with the function.
   */
  const asking = new Set<Declared>();
  const givenStrings = (declared: Declared | undefined): string[] | undefined => {
    const param = declared?.param;
    const fn = param === undefined ? undefined : lookup(param.scope, param.fn);
    // a function that passes the parameter on to itself (`f(m)` in f) gives it nothing new: not followed round
    if (param === undefined || fn === undefined || fn.assigned !== undefined || asking.has(declared!)) return undefined;
    asking.add(declared!);
    try {
      return callersGive(fn, param);
    } finally {
      asking.delete(declared!);
    }
  };
  const callersGive = (fn: Declared, param: NonNullable<Declared['param']>): string[] | undefined => {
    const values = new Set<string>();
    for (const [ref, at] of usesAt(fn, param.fn)) {
      const use = parentOf(ref);
      let args: Node[];
      if (use?.type === 'CallExpression' && use.callee === ref) args = use.arguments as Node[];
      else {
        const call = use?.type === 'MemberExpression' && use.object === ref && ['bind', 'call'].includes(propertyName(use) ?? '') ? parentOf(use) : undefined;
        if (call?.type !== 'CallExpression' || call.callee !== use) return undefined;
        args = (call.arguments as Node[]).slice(1);
      }
      const given = args.slice(0, param.index + 1);
      if (given.length <= param.index || given.some((a) => a.type === 'SpreadElement')) return undefined;
      const strings = stringsOf(given[param.index]!, at);
      if (strings === undefined) return undefined;
      for (const v of strings) values.add(v);
    }
    return values.size === 0 ? undefined : [...values];
  };

  /** Every string an expression may be: a literal, a constant, a literal list, either branch of `c ? 'a' : 'b'` or `x || 'a'`. */
  const stringsOf = (node: Node, scope: Scope, depth = 0): string[] | undefined => {
    if (depth > 8) return undefined;
    if (node.type === 'ConditionalExpression' || (node.type === 'LogicalExpression' && node.operator !== '&&')) {
      const [a, b] = node.type === 'ConditionalExpression' ? [node.consequent, node.alternate] : [node.left, node.right];
      const left = stringsOf(a as Node, scope, depth + 1);
      const right = left === undefined ? undefined : stringsOf(b as Node, scope, depth + 1);
      return right === undefined ? undefined : [...left!, ...right];
    }
    const value = evaluate(node, scope);
    if (value?.kind === 'literal' && typeof value.value === 'string') return [value.value];
    if (value?.kind === 'list') return value.values;
    return node.type === 'Identifier' ? givenStrings(lookup(scope, node.name as string)) : undefined;
  };

  const usedMembers = new Map<Declared, string[] | undefined>();
  const membersUsed = (declared: Declared, name: string): string[] | undefined => {
    if (usedMembers.has(declared)) return usedMembers.get(declared);
    usedMembers.set(declared, undefined); // a name passed back to itself is not followed
    const members = new Set<string>();
    let escaped = false;
    for (const node of usesOf(declared, name)) {
      const use = parentOf(node);
      if ((use?.type === 'UnaryExpression' && use.operator === 'typeof') || (use !== undefined && inert(use, node))) continue;
      const member = use?.type === 'MemberExpression' && use.object === node ? propertyName(use) : undefined;
      if (member === undefined) {
        escaped = true;
        break;
      }
      members.add(member);
    }
    const result = escaped ? undefined : [...members];
    usedMembers.set(declared, result);
    return result;
  };

  /** The parameter of a function of this file that the argument `node` is passed as (`listeners(process, 'x')`), by its name. */
  const calleeParameter = (node: Node, scope: Scope): { declared: Declared; name: string } | undefined => {
    const call = parentOf(node);
    if (call?.type !== 'CallExpression' || (call.callee as Node).type !== 'Identifier') return undefined;
    const index = (call.arguments as Node[]).indexOf(node);
    const callee = lookup(scope, (call.callee as Node).name as string);
    const fn = callee?.fn ?? (callee?.init !== undefined && FUNCTIONS.has(callee.init.node.type) ? callee.init.node : undefined);
    const param = fn === undefined || index === -1 ? undefined : (fn.params as Node[])[index];
    if (param?.type !== 'Identifier') return undefined;
    const declared = functionScopes.get(fn!)?.names?.get(param.name as string);
    return declared === undefined ? undefined : { declared, name: param.name as string };
  };

  /** The members a function of this file uses on the argument `node` is passed as, when it uses only members of it. */
  const membersInCallee = (node: Node, scope: Scope): string[] | undefined => {
    const param = calleeParameter(node, scope);
    return param === undefined ? undefined : membersUsed(param.declared, param.name);
  };

  /** Whether the value of `node` is only tested (`!x`, `typeof x`, `if (x)`, `x && …`, `x === y`), never kept or called. */
  const tested = (node: Node, parent: Node | undefined): boolean => {
    if (parent === undefined) return false;
    switch (parent.type) {
      case 'UnaryExpression': return parent.operator === '!' || parent.operator === 'typeof';
      case 'BinaryExpression': return true;
      case 'IfStatement': case 'WhileStatement': case 'ConditionalExpression': return parent.test === node;
      case 'LogicalExpression': return parent.left === node && parent.operator === '&&';
      default: return false;
    }
  };

  /** `origCwd.call(process)` where origCwd is `process.cwd`: a member of the module called on it, no escape. */
  const selfCall = (node: Node, module: string, scope: Scope): boolean => {
    const call = parentOf(node);
    const callee = call?.type === 'CallExpression' && (call.arguments as Node[])[0] === node ? (call.callee as Node) : undefined;
    if (callee?.type !== 'MemberExpression' || !['call', 'apply', 'bind'].includes(propertyName(callee) ?? '')) return false;
    const fn = evaluate(callee.object as Node, scope);
    return fn?.kind === 'member' && fn.module === module;
  };

  /**
   * Each member use of the parameter an argument is passed as, in a function of this file, whatever else it does with it;
   * a member the function replaces (`var orig = fs.copyFile; fs.copyFile = wrapped`) is read to be wrapped: it is used
   * where the module it hands on is called, by its importers.
   */
  const memberUsesInCallee = (node: Node, scope: Scope): Array<{ member: string; at: Node; call: Node | undefined }> => {
    const param = calleeParameter(node, scope);
    const read: Array<{ member: string; at: Node; call: Node | undefined }> = [];
    const replaced = new Set<string>();
    for (const ref of param === undefined ? [] : usesOf(param.declared, param.name)) {
      const use = parentOf(ref)!;
      const member = use.type === 'MemberExpression' && use.object === ref ? propertyName(use) : undefined;
      if (member === undefined) continue;
      const written = parentOf(use)?.type === 'AssignmentExpression' && (parentOf(use)!.left as Node) === use;
      if (written) replaced.add(member);
      else read.push({ member, at: use, call: callOf(use) });
    }
    return read.filter((r) => !replaced.has(r.member));
  };

  /**
   * The text a module name made at run time starts with: `'./x/' + name`, `` `@x/binding-${arch}` ``,
   * `path.join(__dirname, 'x', name)`, also through a constant holding such an expression.
   */
  const startOf = (node: unknown, scope: Scope, depth = 0): string | undefined => {
    if (!isNode(node) || depth > 4) return undefined;
    switch (node.type) {
      case 'TemplateLiteral':
        return (node.quasis as Array<{ value: { cooked: string } }>)[0]?.value.cooked;
      case 'BinaryExpression': {
        if (node.operator !== '+') return undefined;
        const left = evaluate(node.left as Node, scope);
        return left?.kind === 'literal' ? String(left.value) : left?.kind === 'here' ? `${left.path}/` : startOf(node.left, scope, depth + 1);
      }
      case 'CallExpression': {
        const callee = evaluate(node.callee as Node, scope);
        const known = (node.arguments as Node[]).slice(0, -1);
        if (known.length === 0 || callee?.kind !== 'member' || callee.module !== 'path' || (callee.member !== 'join' && callee.member !== 'resolve')) return undefined;
        const head = evaluate({ ...node, arguments: known } as Node, scope);
        return head?.kind === 'here' ? `${head.path}/` : undefined;
      }
      case 'Identifier': {
        const declared = lookup(scope, node.name as string);
        const constant = declared?.init !== undefined && declared.init.keys.length === 0 && declared.assigned === undefined;
        return constant ? startOf(declared.init!.node, declared.init!.scope, depth + 1) : undefined;
      }
      default:
        return undefined;
    }
  };
  /** The relative path a module name starts with, from the file's folder: it loads a file under there. */
  const prefixOf = (node: unknown, scope: Scope): string | undefined => {
    const prefix = startOf(node, scope);
    return prefix !== undefined && /^\.\.?\//.test(prefix) ? prefix : undefined;
  };

  /** The members used on what a load gives, when it is only ever used through members. */
  const membersOf = (load: Node, scope: Scope): string[] | undefined => {
    const parent = parentOf(load);
    const name = parent?.type === 'MemberExpression' && parent.object === load ? propertyName(parent) : undefined;
    if (name !== undefined) return [name];
    if (parent?.type !== 'VariableDeclarator' || parent.init !== load) return undefined;
    const id = parent.id as Node;
    if (id.type === 'ObjectPattern') {
      // const { readFile, watch: w } = require('x'): those members
      const keys = (id.properties as Node[]).map((p) => (p.type === 'Property' && !p.computed ? propertyName({ ...p, property: p.key, computed: false } as Node) : undefined));
      return keys.every((k) => k !== undefined) ? keys as string[] : undefined;
    }
    if (id.type !== 'Identifier') return undefined;
    const declared = lookup(scope, (parent.id as Node).name as string);
    return declared === undefined ? undefined : membersUsed(declared, (parent.id as Node).name as string);
  };

  /** Why a module named at run time by `node` is never a core module, when the expression says so. */
  const notCoreBecause = (node: unknown, scope: Scope): string | undefined => {
    if (!isNode(node)) return undefined;
    if (evaluate(node, scope)?.kind === 'file') return 'a file';
    const start = startOf(node, scope);
    if (start !== undefined && start !== '' && !start.startsWith('node:') && !builtinModules.some((b) => b.startsWith(start))) return `it starts with '${start}', as no core module does`;
    if (node.type === 'CallExpression') {
      // path.join(dir, 'package.json'): a part with an extension, which no core module's name has
      const callee = evaluate(node.callee as Node, scope);
      const parts = (node.arguments as Node[]).map((a) => literal(a));
      if (callee?.kind === 'member' && callee.module === 'path' && parts.some((p) => typeof p === 'string' && /[^.]\.[^./]/.test(p))) return 'a path to a file';
    }
    const name = node.type === 'Identifier' ? (node.name as string) : node.type === 'MemberExpression' && !node.computed ? propertyName(node) : undefined;
    return name !== undefined && PATH_NAME.test(name) ? `named as a path (${name})` : undefined;
  };

  /** `process.env.X`, `process.env['X']`: the variable's name. */
  const envName = (node: unknown, scope: Scope): string | undefined => {
    if (!isNode(node) || node.type !== 'MemberExpression') return undefined;
    const holder = node.object as Node;
    const env = holder.type === 'MemberExpression' ? evaluate(holder, scope) : undefined;
    return env?.kind === 'member' && env.module === 'process' && env.member === 'env' ? propertyName(node) : undefined;
  };

  const computedLoad = (load: Node, name: unknown, scope: Scope): ComputedLoad => {
    const env = envName(name, scope);
    const prefix = prefixOf(name, scope);
    // what import() gives is a promise of the module: its members are not followed
    const members = load.type === 'ImportExpression' ? undefined : membersOf(load, scope);
    const notCore = prefix === undefined ? notCoreBecause(name, scope) : undefined;
    return { line: lineOf(load.start), code: excerpt(load), ...(prefix !== undefined && { prefix }), ...(members !== undefined && { members }), ...(notCore !== undefined && { notCore }), ...(env !== undefined && { env }) };
  };

  /**
   * Whether a namespace flows, through calls and wrappers, into `module.exports` (`module.exports = patch(clone(fs))`):
   * the file then hands the module on, and its importers' uses are its uses (recorded in exportsCore).
   */
  const exported = (node: Node, module: string, scope: Scope): boolean => {
    let child = node;
    const through: Node[] = [];
    for (let parent = parentOf(node); parent !== undefined; child = parent, parent = parentOf(parent)) {
      if (parent.type === 'AssignmentExpression') {
        const left = parent.left as Node;
        const toExports = parent.right === child && left.type === 'MemberExpression' && propertyName(left) === 'exports' && (left.object as Node).type === 'Identifier' && (left.object as Node).name === 'module';
        if (!toExports) return false;
        if (!usage.exportsCore.includes(module)) usage.exportsCore.push(module);
        // what the file's own functions it passes through use of it (a wrapper forwards each member to the same member)
        for (const argument of through) {
          for (const { member, at, call } of memberUsesInCallee(argument, scope)) use(module, member, at, call, scope);
        }
        return true;
      }
      const flows = parent.type === 'CallExpression' ? (parent.arguments as Node[]).includes(child) : LINKED.has(parent.type) && parent.type !== 'MemberExpression';
      if (!flows) return false;
      if (parent.type === 'CallExpression') through.push(child);
    }
    return false;
  };

  /** A namespace at `node`: when it is passed on, what the function it is passed to uses of it, else all of it. */
  const passedOn = (node: Node, module: string, scope: Scope) => {
    if (!escapes(node, scope) || selfCall(node, module, scope) || exported(node, module, scope)) return;
    for (const member of membersInCallee(node, scope) ?? ['*']) use(module, member, node, undefined, scope);
  };

  for (const [node, scope] of references) {
    switch (node.type) {
      case 'Identifier': {
        if (names.has(node)) break;
        const parent = parentOf(node);
        if (parent?.type === 'MemberExpression' && parent.property === node && !parent.computed) break;
        const value = evaluate(node, scope);
        if (value?.kind === 'member') use(value.module, value.member, node, callOf(node), scope);
        else if (value?.kind === 'namespace') passedOn(node, value.module, scope);
        break;
      }
      case 'MemberExpression': {
        const object = node.object as Node;
        if (object.type === 'Identifier' && (object.name === 'globalThis' || object.name === 'global')) {
          const value = evaluate(node, scope);
          if (value?.kind === 'member') use(value.module, value.member, node, callOf(node), scope);
          break;
        }
        // fs.__patched = true: a member written, not called; `if (!fs.lchmod)`, `typeof fs.x`: only tested
        const around = parentOf(node);
        if (around?.type === 'AssignmentExpression' && around.left === node) break;
        if (tested(node, around)) break;
        // a namespace held by a private field (this.#fsp) or reached as fs.promises: its uses are the members around it, unless passed on
        const name = node.computed ? undefined : propertyName(node);
        if (privateField(node) !== undefined || (name !== undefined && (SAME.has(name) || propertyValue(name) !== undefined))) {
          const value = evaluate(node, scope);
          if (value?.kind === 'namespace') passedOn(node, value.module, scope);
          break;
        }
        const base = evaluate(object, scope);
        if (base?.kind !== 'namespace') break;
        let members: readonly string[];
        if (!node.computed) {
          if (name === undefined) break;
          members = [name];
        } else {
          members = stringsOf(node.property as Node, scope) ?? ['*'];
        }
        for (const member of members) if (!SAME.has(member)) use(base.module, member, node, callOf(node), scope);
        break;
      }
      case 'CallExpression': {
        const callee = node.callee as Node;
        const args = node.arguments as Node[];
        if (callee.type === 'MemberExpression' && propertyName(callee) === 'listen') {
          const first = argument(args[0], scope);
          const port = typeof first === 'object' ? first.port : first;
          if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) usage.listens.push({ line: lineOf(node.start), port });
        }
        const loader = evaluate(callee, scope);
        if (loader?.kind !== 'require') break;
        const specifier = specifierOf(args[0], scope);
        const module = specifier === undefined ? undefined : coreModule(specifier);
        // a bundle's own require knows its own module ids; a core module it loads is still Node's
        if (!loader.own) {
          if (specifier === undefined) usage.computed.push(computedLoad(node, args[0], scope));
          else {
            const entry = addImport(specifier, node, 'require');
            const members = module === undefined ? membersOf(node, scope) : undefined;
            if (members !== undefined) entry.members = members;
          }
        }
        if (module !== undefined && !rexported.has(node)) passedOn(node, module, scope);
        break;
      }
      case 'ImportExpression': {
        const specifier = specifierOf(node.source, scope);
        if (specifier === undefined) {
          usage.computed.push(computedLoad(node, node.source, scope));
          break;
        }
        addImport(specifier, node, 'dynamic');
        const module = coreModule(specifier);
        const parent = parentOf(node);
        const then = parent?.type === 'MemberExpression' && parent.object === node;
        if (module !== undefined && !then && escapes(node, scope)) use(module, '*', node, undefined, scope);
        break;
      }
    }
  }
  for (const { entry, bound } of esImports) {
    const members = new Set<string>();
    let known = true;
    for (const { local, imported } of bound) {
      if (imported !== 'default' && imported !== '*') members.add(imported);
      else {
        const declared = top.names?.get(local);
        const used = declared === undefined ? undefined : membersUsed(declared, local);
        if (used === undefined) known = false;
        else for (const m of used) members.add(m);
      }
    }
    if (known) entry.members = [...members];
  }
  usage.imports.sort((a, b) => offsets.get(a)! - offsets.get(b)!);
  return usage;
}
