/**
 * The pieces of JavaScript syntax the reading of a file works with: ESTree
 * nodes, literals, the values an expression is known to hold, and scopes.
 */
export type Node = { type: string; start: number; end: number; [key: string]: unknown };

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

export function lineIndex(text: string): (offset: number) => number {
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

export const literal = (node: unknown): string | number | undefined => {
  if (!isNode(node)) return undefined;
  if (node.type === 'Literal' && (typeof node.value === 'string' || typeof node.value === 'number')) return node.value;
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0) {
    return ((node.quasis as Array<{ value: { cooked: string } }>)[0]?.value.cooked) ?? undefined;
  }
  return undefined;
};

export const propertyName = (member: Node): string | undefined => {
  if (member.computed) return typeof literal(member.property) === 'string' ? (literal(member.property) as string) : undefined;
  return isNode(member.property) && member.property.type === 'Identifier' ? (member.property.name as string) : undefined;
};

/**
 * What an expression is known to be without running it: a core module (a
 * namespace), one member of one, Node's `require`, a literal, a literal list of
 * strings, or a path from the file's own folder (`path.join(__dirname, '..')`).
 */
export type Value =
  | { kind: 'namespace'; module: string }
  | { kind: 'member'; module: string; member: string }
  /** `require`: Node's, or a bundle's own (a parameter or function named so), which loads core modules from Node's but knows its own ids. */
  | { kind: 'require'; own: boolean }
  | { kind: 'literal'; value: string | number }
  | { kind: 'list'; values: string[] }
  | { kind: 'here'; path: string }
  /** A file's path or URL known only at run time (`path.resolve(x)`, `pathToFileURL(x).href`): never a core module. */
  | { kind: 'file' };

/** A name declared in a scope, and what it holds, worked out when first asked. */
export interface Declared {
  /** The expression the name is bound to (`const x = init`), with the keys a destructuring pattern took from it. */
  init?: { node: Node; scope: Scope; keys: string[] };
  /** Later `name = expr` assignments, for a name declared without a value (`let fs; … fs = require('fs')`). */
  assigned?: Array<{ node: Node; scope: Scope }>;
  /** The name takes each element of this expression in turn (`for (const m of [...])`, `[...].forEach((m) => …)`). */
  each?: { node: Node; scope: Scope };
  /** Bound by `import` from a core module: the module, and the name imported (`default`, `*` for the namespace). */
  imported?: { module: string; name: string };
  /** A function declared by the name: what its parameters are used for is looked at when a module is passed to it. */
  fn?: Node;
  /** A parameter of a function this file calls by name (`fn`, declared in `scope`), at its place in the arguments. */
  param?: { fn: string; scope: Scope; index: number };
  /** The default a pattern gives the name when its value is absent (`{ fsp = nativeFsp } = {}`), with the keys taken from it. */
  fallback?: { node: Node; scope: Scope; keys: string[] };
  value?: Value | null;
  resolving?: boolean;
}

/** A function's, a block's or the file's scope: the names declared in it. */
export interface Scope {
  parent: Scope | undefined;
  /** Where `var` and function parameters go. */
  fn: boolean;
  names?: Map<string, Declared>;
  /** The class body it is, whose private names (`#fsp`) the code in it may use. */
  classBody?: Node;
}

export function declare(scope: Scope, name: string, declared: Declared = {}): Declared {
  scope.names ??= new Map();
  const existing = scope.names.get(name);
  if (existing !== undefined) {
    // `var x; var x = require('fs')`: one name, the declaration with a value wins
    if (existing.init === undefined && declared.init !== undefined) existing.init = declared.init;
    return existing;
  }
  scope.names.set(name, declared);
  return declared;
}

export function lookup(scope: Scope | undefined, name: string): Declared | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    const found = s.names?.get(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

export const functionScope = (scope: Scope): Scope => {
  let s = scope;
  while (!s.fn && s.parent !== undefined) s = s.parent;
  return s;
};

/** What Node gives every module before it declares anything. */
export function globalValue(name: string): Value | undefined {
  switch (name) {
    case 'process': return { kind: 'namespace', module: 'process' };
    case 'fetch': case 'WebSocket': case 'EventSource': return { kind: 'member', module: 'globals', member: name };
    case 'require': return { kind: 'require', own: false };
    case '__dirname': return { kind: 'here', path: '.' };
    default: return undefined;
  }
}

/** How many nodes of a type have their keys read before the type's keys are taken as known. */
export const KEY_SAMPLES = 8;
/** Keys of a node that never hold a child node. */
export const PRIMITIVE_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'name', 'raw', 'operator', 'computed', 'optional', 'kind', 'sourceType', 'method', 'shorthand', 'static', 'async', 'generator', 'prefix', 'delegate', 'directive', 'bigint', 'regex', 'tail']);
/** Nodes whose children are types (TypeScript), never code: not walked. */
export const TYPE_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeParameters', 'implements']);
export const TYPE_ONLY = new Set(['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSDeclareFunction', 'TSEnumDeclaration', 'TSTypeReference', 'TSDeclareMethod', 'TSIndexSignature', 'TSAbstractMethodDefinition']);
/** Array methods whose callback's first parameter takes each element of the array. */
export const EACH = new Set(['forEach', 'map', 'filter', 'some', 'every', 'flatMap', 'find', 'findIndex']);
/** Wrappers that are their inner expression for what it holds. */
export const TRANSPARENT = new Set(['ParenthesizedExpression', 'TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'ChainExpression', 'TSInstantiationExpression']);
/** Members of a core module that are the module itself: its promises API, and its default export to ES modules. */
export const SAME = new Set(['promises', 'default']);
/** Bundlers' and compilers' interop helpers: what they return is the module they are given (`__toESM(require('fs'))`). */
const INTEROP = /^(__toESM|__toCommonJS|__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard|_interop_require_default|_interop_require_wildcard|_interopNamespace|_interopNamespaceDefault|_interopDefault|_interopDefaultCompat|_interopNamespaceCompat)$/;
/** Whether `call` is an interop helper's call with `argument` as what it wraps: `__toESM(x)`, or through the module holding it (`require_runtime.__toESM(x)`, `tslib.__importStar(x)`). */
export const isInterop = (call: Node, argument: Node): boolean => {
  if (call.type !== 'CallExpression' || (call.arguments as Node[])[0] !== argument) return false;
  const callee = call.callee as Node;
  const name = callee.type === 'Identifier' ? (callee.name as string) : callee.type === 'MemberExpression' && !callee.computed ? propertyName(callee) : undefined;
  return name !== undefined && INTEROP.test(name);
};
/** Calls that look at an object without calling into it: `Object.keys(fs)`, `Object.defineProperty(fs, k, d)`. */
const LOOKS = new Set(['defineProperty', 'defineProperties', 'keys', 'getOwnPropertyNames', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors', 'getPrototypeOf', 'isFrozen', 'isExtensible', 'isSealed']);
/** Whether `call` only looks at its first argument `argument` (Object.keys, defineProperty), calling nothing of it. */
export function inert(call: Node, argument: Node): boolean {
  if (call.type !== 'CallExpression' || (call.arguments as Node[])[0] !== argument) return false;
  const callee = call.callee as Node;
  if (callee.type !== 'MemberExpression' || (callee.object as Node).type !== 'Identifier') return false;
  const name = propertyName(callee);
  return ((callee.object as Node).name === 'Object' && name !== undefined && LOOKS.has(name)) || ((callee.object as Node).name === 'Reflect' && (name === 'has' || name === 'ownKeys'));
}

/** The name of an object's or a pattern's property (`fs`, `'fs'`, `['fs']`); undefined when computed at run time. */
export function keyName(property: Node): string | undefined {
  const key = property.key as Node;
  const name = !property.computed && key.type === 'Identifier' ? (key.name as string) : literal(key);
  return typeof name === 'string' ? name : undefined;
}

/** `exports`, `module`, `module.exports`: what is written on them is handed out of the file. */
export function exportsObject(node: Node): boolean {
  if (node.type === 'Identifier') return node.name === 'exports' || node.name === 'module';
  return node.type === 'MemberExpression' && (node.object as Node).type === 'Identifier' && (node.object as Node).name === 'module' && propertyName(node) === 'exports';
}

/** Whether an object or array literal is handed out of the file where it is written: returned, exported, or passed to a call. */
export function handsOut(value: Node, parent: Node): boolean {
  switch (parent.type) {
    case 'ReturnStatement': case 'ExportDefaultDeclaration': case 'YieldExpression': return true;
    case 'ArrowFunctionExpression': return parent.body === value;
    case 'CallExpression': case 'NewExpression': return (parent.arguments as Node[]).includes(value);
    case 'AssignmentExpression': return parent.right === value && (parent.left as Node).type === 'MemberExpression' && (exportsObject(parent.left as Node) || exportsObject((parent.left as Node).object as Node));
    default: return false;
  }
}

/** Nodes whose parent is looked at: uses, and what a value flows up through. */
export const LINKED = new Set(['Identifier', 'MemberExpression', 'CallExpression', 'ImportExpression', 'AwaitExpression', 'ConditionalExpression', 'LogicalExpression', ...TRANSPARENT]);

/** An identifier a binding pattern declares: the keys that lead to it, and the default nearest to it with the keys taken from that. */
export interface PatternName {
  id: Node;
  keys: string[];
  fallback?: { node: Node; keys: string[] };
}

/** The identifiers a binding pattern declares, with the keys that lead to each (`{ a: { b } }` → b by [a, b]). */
export function patternNames(pattern: Node, keys: string[], out: PatternName[], fallback?: { node: Node; depth: number }): void {
  switch (pattern.type) {
    case 'Identifier':
      out.push({ id: pattern, keys, ...(fallback !== undefined && { fallback: { node: fallback.node, keys: keys.slice(fallback.depth) } }) });
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties as Node[]) {
        if (property.type === 'RestElement') patternNames(property.argument as Node, [...keys, '*'], out, fallback);
        else if (property.type === 'Property') patternNames(property.value as Node, [...keys, keyName(property) ?? '*'], out, fallback);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements as Array<Node | null>) if (element !== null) patternNames(element, [...keys, '*'], out, fallback);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left as Node, keys, out, { node: pattern.right as Node, depth: keys.length });
      break;
    case 'RestElement':
      patternNames(pattern.argument as Node, [...keys, '*'], out, fallback);
      break;
    case 'TSParameterProperty':
      patternNames(pattern.parameter as Node, keys, out, fallback);
      break;
  }
}

/** Whether a pattern keeps what it is given whole (`{ ...rest }`, `[a, b]`): a namespace given to it is then passed on. */
export function keepsWhole(pattern: Node): boolean {
  const found: PatternName[] = [];
  patternNames(pattern, [], found);
  return pattern.type !== 'Identifier' && found.some((n) => n.keys.includes('*'));
}
