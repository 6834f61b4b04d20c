import { isRecord } from '../document.ts';
import type { EnvVar } from '../common/peers.ts';
import { child, invalid, isPresent, listOf, mapOf, report, sourceOf, stringOf, type Context, type Node } from './node.ts';

/** A literal env value written in the definition, for the secret check. */
export interface LiteralEnv {
  name: string;
  value: string;
  node: Node;
}

export interface Environment {
  /** Variables with a literal value, in declaration order; a later one of the same name wins. */
  vars: EnvVar[];
  literals: LiteralEnv[];
}

export function emptyEnvironment(): Environment {
  return { vars: [], literals: [] };
}

/** Sets a variable, replacing an earlier one of the same name. */
export function setVar(env: Environment, v: EnvVar, node: Node): void {
  unsetVar(env, v.name);
  env.vars.push(v);
  env.literals.push({ name: v.name, value: v.value, node });
}

function unsetVar(env: Environment, name: string): void {
  env.vars = env.vars.filter((v) => v.name !== name);
}

function readValue(ctx: Context, env: Environment, name: string, valueNode: Node, entry: Node): void {
  const v = valueNode.value;
  if (typeof v === 'string') {
    setVar(env, { name, value: v, source: sourceOf(entry) }, entry);
  } else if (typeof v === 'number' || typeof v === 'boolean') {
    report(ctx, 'TN007', `env ${name} must be a string, not ${String(v)}; read as "${String(v)}"`, valueNode);
    setVar(env, { name, value: String(v), source: sourceOf(entry) }, entry);
  } else if (isRecord(v) && typeof v.secret === 'string') {
    // A secret's value is injected at launch and is never in the definition.
    unsetVar(env, name);
  } else if (v !== null && v !== undefined) {
    invalid(ctx, valueNode, 'a string or {"secret": name}');
  }
}

/**
 * Adds the variables of an `env` (apps) or `environment` (pods) field to `env`: a
 * map of names to strings or `{secret}` references, or the early pod API's list of
 * `{name, value | secret}`.
 */
export function readEnvironment(ctx: Context, env: Environment, node: Node): void {
  if (!isPresent(node)) return;
  if (Array.isArray(node.value)) {
    for (const entry of listOf(ctx, node)) {
      if (!mapOf(ctx, entry)) continue;
      const name = stringOf(ctx, child(entry, 'name'));
      if (name === undefined || name === '') {
        report(ctx, 'TN007', 'environment entry has no name; ignored', entry);
        continue;
      }
      const value = child(entry, 'value');
      if (isPresent(value)) readValue(ctx, env, name, value, entry);
      else if (typeof child(entry, 'secret').value === 'string') unsetVar(env, name);
      else report(ctx, 'TN007', `environment entry ${name} has neither a value nor a secret; ignored`, entry);
    }
    return;
  }
  if (!mapOf(ctx, node)) return;
  for (const name of Object.keys(node.value as Record<string, unknown>)) {
    const entry = child(node, name);
    readValue(ctx, env, name, entry, entry);
  }
}

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)/i;
// Names that hold where a secret is, not the secret.
const REFERENCE_NAME = /_(FILE|PATH|DIR|NAME|REF|URL|URI)$/i;
const PLACEHOLDER = /^(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*)$/;

/** Whether a literal env value looks like a credential written into the definition. */
export function looksLikeSecret(name: string, value: string): boolean {
  const v = value.trim();
  if (!SECRET_NAME.test(name) || REFERENCE_NAME.test(name)) return false;
  return v !== '' && !PLACEHOLDER.test(v) && !v.startsWith('/') && !/^(true|false)$/i.test(v);
}
