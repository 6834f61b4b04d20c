import { builtinModules } from 'node:module';
import { parse, type ParserPlugin } from '@babel/parser';
import * as acorn from 'acorn';

/** A module this file loads: the edges of the module graph. */
export interface ModuleImport {
  specifier: string;
  line: number;
  kind: 'import' | 'require' | 'dynamic' | 'export';
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
}

export type Literal = string | number | Record<string, string | number>;

export interface FileUsage {
  imports: ModuleImport[];
  core: CoreUse[];
  /** `require(x)` and `import(x)` of a name known only at run time. */
  computed: Array<{ line: number; code: string }>;
  /** `server.listen(3000)`, `app.listen(process.env.PORT || 8080)`, `listen({ port: 3000 })` on any object. */
  listens: Array<{ line: number; port: number }>;
  errors: Array<{ line: number; message: string }>;
}

const BUILTINS = new Set(builtinModules);

/** `node:fs/promises` → `fs`; undefined when not a core module. */
export function coreModule(specifier: string): string | undefined {
  const name = specifier.replace(/^node:/, '');
  if (!BUILTINS.has(name) && !specifier.startsWith('node:')) return undefined;
  return name.replace(/\/promises$/, '');
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Every node of the tree, parents before children, with its parent. */
function walk(root: Node, visit: (node: Node, parent: Node | undefined) => void): void {
  // Two stacks rather than one of pairs: this runs for every node of every file.
  const nodes: Node[] = [root];
  const parents: Array<Node | undefined> = [undefined];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    visit(node, parents.pop());
    for (const key in node) {
      const value = node[key];
      if (typeof value !== 'object' || value === null) continue;
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          if (isNode(value[i])) {
            nodes.push(value[i] as Node);
            parents.push(node);
          }
        }
      } else if (isNode(value)) {
        nodes.push(value);
        parents.push(node);
      }
    }
  }
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}

const literal = (node: unknown): string | number | undefined => {
  if (!isNode(node)) return undefined;
  if (node.type === 'Literal' && (typeof node.value === 'string' || typeof node.value === 'number')) return node.value;
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0) {
    return ((node.quasis as Array<{ value: { cooked: string } }>)[0]?.value.cooked) ?? undefined;
  }
  return undefined;
};

/** A literal, the fallback of `x || 3000` / `x ?? 3000`, or an object literal of such values. */
function argument(node: unknown): Literal | undefined {
  const value = literal(node);
  if (value !== undefined || !isNode(node)) return value;
  if (node.type === 'LogicalExpression' && (node.operator === '||' || node.operator === '??')) return literal(node.right);
  if (node.type !== 'ObjectExpression') return undefined;
  const entries: Array<[string, string | number]> = [];
  for (const property of node.properties as Node[]) {
    if (property.type !== 'Property' || property.computed) continue;
    const key = property.key as Node;
    const name = key.type === 'Identifier' ? (key.name as string) : literal(key);
    const value = argument(property.value);
    if (typeof name === 'string' && (typeof value === 'string' || typeof value === 'number')) entries.push([name, value]);
  }
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

const propertyName = (member: Node): string | undefined => {
  if (member.computed) return typeof literal(member.property) === 'string' ? (literal(member.property) as string) : undefined;
  return isNode(member.property) && member.property.type === 'Identifier' ? (member.property.name as string) : undefined;
};

/** `require('x')` → 'x'; `require(expr)` → null; anything else → undefined. */
function requireOf(node: unknown): string | null | undefined {
  if (!isNode(node) || node.type !== 'CallExpression') return undefined;
  const callee = node.callee as Node;
  if (callee.type !== 'Identifier' || callee.name !== 'require') return undefined;
  const arg = literal((node.arguments as unknown[])[0]);
  return typeof arg === 'string' ? arg : null;
}

const JAVASCRIPT = /\.(c|m)?js$/;

/**
 * The file's syntax tree (ESTree). Plain JavaScript goes to acorn, the fastest
 * of the ESTree parsers, as a script and, failing that, as a module; TypeScript,
 * JSX and files acorn refuses go to Babel, which recovers from errors: what
 * parsed is still used, and every error is kept with its line.
 */
function parseProgram(file: string, text: string, errors: FileUsage['errors']): Node | undefined {
  if (JAVASCRIPT.test(file)) {
    const options = { ecmaVersion: 'latest', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowHashBang: true } as const;
    for (const sourceType of file.endsWith('.mjs') ? ['module'] as const : ['script', 'module'] as const) {
      try {
        return acorn.parse(text, { ...options, sourceType }) as unknown as Node;
      } catch {
        // the other source type, or Babel with its error recovery
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

/**
 * The modules a JavaScript or TypeScript file loads and the members of Node's
 * core modules it uses. Bindings are followed by name, not by scope, so a
 * shadowed name can only add uses: the analysis errs on the side of allowing.
 */
export function fileUsage(file: string, text: string): FileUsage {
  const lineOf = lineIndex(text);
  const usage: FileUsage = { imports: [], core: [], computed: [], listens: [], errors: [] };
  const program = parseProgram(file, text, usage.errors);
  if (program === undefined) return usage;

  // name → core module (a namespace) or core module member; Node's globals are bound from the start.
  const namespaces = new Map<string, string>([['process', 'process']]);
  const members = new Map<string, { module: string; member: string }>(
    ['fetch', 'WebSocket', 'EventSource'].map((name) => [name, { module: 'globals', member: name }]),
  );
  const declarations = new Set<number>();

  const bindPattern = (pattern: Node, module: string) => {
    if (pattern.type === 'Identifier') {
      namespaces.set(pattern.name as string, module);
      declarations.add(pattern.start);
    } else if (pattern.type === 'ObjectPattern') {
      for (const property of pattern.properties as Node[]) {
        if (property.type !== 'Property') continue;
        const key = propertyName({ ...property, property: property.key } as Node);
        const value = property.value as Node;
        const local = value.type === 'AssignmentPattern' ? (value.left as Node) : value;
        if (key !== undefined && local.type === 'Identifier') {
          members.set(local.name as string, { module, member: key === 'promises' ? '*' : key });
          if (key === 'promises') namespaces.set(local.name as string, module);
          declarations.add(local.start);
        }
      }
    }
  };

  // Member expressions and identifiers are kept with their parents for the second pass.
  const candidates: Array<[Node, Node | undefined]> = [];
  walk(program, (node, parent) => {
    switch (node.type) {
      case 'MemberExpression':
      case 'Identifier':
        candidates.push([node, parent]);
        break;
      case 'ImportDeclaration': {
        const specifier = (node.source as Node).value as string;
        if ((node.importKind as string | undefined) === 'type') break;
        usage.imports.push({ specifier, line: lineOf(node.start), kind: 'import' });
        const module = coreModule(specifier);
        if (module === undefined) break;
        for (const s of node.specifiers as Node[]) {
          const local = s.local as Node;
          declarations.add(local.start);
          if (s.type === 'ImportSpecifier') {
            const imported = s.imported as Node;
            const name = (imported.name ?? imported.value) as string;
            if (name === 'default') namespaces.set(local.name as string, module);
            else if (name === 'promises') namespaces.set(local.name as string, module);
            else members.set(local.name as string, { module, member: name });
          } else {
            namespaces.set(local.name as string, module);
          }
        }
        break;
      }
      case 'ExportAllDeclaration':
      case 'ExportNamedDeclaration':
        if (isNode(node.source)) usage.imports.push({ specifier: node.source.value as string, line: lineOf(node.start), kind: 'export' });
        break;
      case 'ImportExpression': {
        const specifier = literal(node.source);
        if (typeof specifier === 'string') usage.imports.push({ specifier, line: lineOf(node.start), kind: 'dynamic' });
        else usage.computed.push({ line: lineOf(node.start), code: text.slice(node.start, Math.min(node.end, node.start + 80)) });
        break;
      }
      case 'CallExpression': {
        const callee = node.callee as Node;
        if (callee.type === 'MemberExpression' && propertyName(callee) === 'listen') {
          const first = argument((node.arguments as unknown[])[0]);
          const port = typeof first === 'object' ? first.port : first;
          if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) usage.listens.push({ line: lineOf(node.start), port });
        }
        const specifier = requireOf(node);
        if (specifier === undefined) break;
        if (specifier === null) usage.computed.push({ line: lineOf(node.start), code: text.slice(node.start, Math.min(node.end, node.start + 80)) });
        else usage.imports.push({ specifier, line: lineOf(node.start), kind: 'require' });
        break;
      }
      case 'VariableDeclarator': {
        const init = node.init as Node | undefined;
        if (!init) break;
        let module: string | undefined;
        const required = requireOf(init);
        const imported = init.type === 'AwaitExpression' && isNode(init.argument) && init.argument.type === 'ImportExpression'
          ? literal(init.argument.source) : undefined;
        if (typeof required === 'string') module = coreModule(required);
        else if (typeof imported === 'string') module = coreModule(imported);
        else if (init.type === 'MemberExpression') {
          // const fsp = require('fs').promises / fs.promises; const { readFile } = fs.promises
          const object = init.object as Node;
          const base = typeof requireOf(object) === 'string' ? coreModule(requireOf(object) as string)
            : object.type === 'Identifier' ? namespaces.get(object.name as string) : undefined;
          if (base !== undefined && propertyName(init) === 'promises') module = base;
          else if (base !== undefined && (node.id as Node).type === 'Identifier' && propertyName(init) !== undefined) {
            members.set((node.id as Node).name as string, { module: base, member: propertyName(init)! });
            declarations.add((node.id as Node).start);
          }
        }
        if (module !== undefined) bindPattern(node.id as Node, module);
        break;
      }
    }
  });

  // Second pass: the uses of what the first pass bound.
  const use = (module: string, member: string, at: Node, call: Node | undefined) => {
    const args = call ? (call.arguments as unknown[]).slice(0, 3).map(argument) : [];
    const known = args.filter((a) => a !== undefined);
    usage.core.push({ module, member, line: lineOf(at.start), ...(known.length > 0 && { args: known }) });
  };
  const moduleOf = (object: Node): string | undefined => {
    if (object.type === 'Identifier') return namespaces.get(object.name as string);
    const required = requireOf(object);
    if (typeof required === 'string') return coreModule(required);
    // fs.promises and require('fs').promises stand for the module itself
    if (object.type === 'MemberExpression' && propertyName(object) === 'promises') return moduleOf(object.object as Node);
    return undefined;
  };
  for (const [node, parent] of candidates) {
    if (node.type === 'MemberExpression') {
      const module = moduleOf(node.object as Node);
      const member = propertyName(node) ?? '*';
      // A bare fs.promises is a namespace: its uses are found through the member around it or its binding.
      if (module === undefined || member === 'promises') continue;
      use(module, member, node, parent?.type === 'CallExpression' && parent.callee === node ? parent : undefined);
      continue;
    }
    if (node.type !== 'Identifier' || declarations.has(node.start)) continue;
    if (parent?.type === 'MemberExpression' && (parent.property === node && !parent.computed)) continue;
    if (parent?.type === 'Property' && parent.key === node && !parent.computed && parent.value !== node) continue;
    if (parent?.type === 'ImportSpecifier' || parent?.type === 'ImportDefaultSpecifier' || parent?.type === 'ImportNamespaceSpecifier') continue;
    const name = node.name as string;
    const bound = members.get(name);
    if (bound !== undefined) {
      use(bound.module, bound.member, node, parent?.type === 'CallExpression' && parent.callee === node ? parent : undefined);
      continue;
    }
    const module = namespaces.get(name);
    if (module === undefined || (parent?.type === 'MemberExpression' && parent.object === node)) continue;
    if (parent?.type === 'UnaryExpression' && parent.operator === 'typeof') continue;
    // A namespace used other than as `ns.member` escapes: every member may be used.
    use(module, '*', node, undefined);
  }
  return usage;
}
