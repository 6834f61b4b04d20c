import type { EnvVar } from '../common/peers.ts';
import {
  child, isPresent, listOf, mapOf, report, rootOf, sourceOf, stringMapOf, stringOf, type Context, type KubeObject, type Node,
} from './node.ts';

/** ConfigMaps of the input by `namespace/name`, with their string data. */
export type ConfigMaps = ReadonlyMap<string, ReadonlyMap<string, string>>;

export function readConfigMaps(ctx: Context, objects: readonly KubeObject[]): ConfigMaps {
  const out = new Map<string, ReadonlyMap<string, string>>();
  for (const obj of objects) {
    if (obj.kind !== 'ConfigMap') continue;
    out.set(`${obj.namespace}/${obj.name}`, stringMapOf(ctx, child(rootOf(obj), 'data')));
  }
  return out;
}

/** `$(VAR)` expanded from the variables defined so far, and `$$` reduced to `$`, as the kubelet does. */
export function expandVariables(text: string, vars: ReadonlyMap<string, string>): string {
  if (!text.includes('$')) return text;
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => (name === undefined ? '$' : vars.get(name) ?? match));
}

/** A literal env value written in the manifest, for the secret check. */
export interface LiteralEnv {
  name: string;
  value: string;
  node: Node;
}

/**
 * The environment of a container as the kubelet builds it: `envFrom` first, then
 * `env`, later names winning. ConfigMap values are resolved from the input; Secret
 * and field references have no value here and are left out.
 */
export function containerEnv(ctx: Context, container: Node, namespace: string, configMaps: ConfigMaps): { env: EnvVar[]; literals: LiteralEnv[] } {
  const vars = new Map<string, EnvVar>();
  const values = new Map<string, string>();
  const literals: LiteralEnv[] = [];
  const set = (v: EnvVar): void => {
    vars.delete(v.name);
    vars.set(v.name, v);
    values.set(v.name, v.value);
  };

  for (const from of listOf(ctx, child(container, 'envFrom'))) {
    if (!mapOf(ctx, from)) continue;
    const ref = child(from, 'configMapRef');
    if (!mapOf(ctx, ref)) continue;
    const name = stringOf(ctx, child(ref, 'name'));
    const prefix = stringOf(ctx, child(from, 'prefix')) ?? '';
    const data = name === undefined ? undefined : configMaps.get(`${namespace}/${name}`);
    for (const [key, value] of data ?? []) {
      set({ name: `${prefix}${key}`, value, source: sourceOf(from, `${prefix}${key} from ConfigMap ${name}`) });
    }
  }

  for (const entry of listOf(ctx, child(container, 'env'))) {
    if (!mapOf(ctx, entry)) continue;
    const name = stringOf(ctx, child(entry, 'name'));
    if (name === undefined || name === '') {
      report(ctx, 'TN007', 'env entry has no name; ignored', entry);
      continue;
    }
    const valueNode = child(entry, 'value');
    if (isPresent(valueNode)) {
      const raw = textOf(ctx, valueNode);
      if (raw === undefined) continue;
      literals.push({ name, value: raw, node: entry });
      set({ name, value: expandVariables(raw, values), source: sourceOf(entry) });
      continue;
    }
    const ref = child(entry, 'valueFrom', 'configMapKeyRef');
    if (!mapOf(ctx, ref)) {
      // A Secret, a field or a resource: its value is not in the manifest, and a Secret's must never be.
      vars.delete(name);
      values.delete(name);
      continue;
    }
    const map = stringOf(ctx, child(ref, 'name'));
    const key = stringOf(ctx, child(ref, 'key'));
    const value = map === undefined || key === undefined ? undefined : configMaps.get(`${namespace}/${map}`)?.get(key);
    if (value !== undefined) set({ name, value, source: sourceOf(entry, `value of key ${key} in ConfigMap ${map}`) });
  }
  return { env: [...vars.values()], literals };
}

// A scalar as the text the kubelet would need; a number is reported (the API wants a string) but kept.
function textOf(ctx: Context, node: Node): string | undefined {
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') {
    report(ctx, 'TN007', `env value must be a string, not ${String(v)}; read as "${String(v)}"`, node);
    return String(v);
  }
  return stringOf(ctx, node);
}

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)/i;
// Names that hold where a secret is, not the secret.
const REFERENCE_NAME = /_(FILE|PATH|DIR|NAME|REF)$/i;
const PLACEHOLDER = /^(\$\{[^}]*\}|\$\([^)]*\))$/;

/** Whether a literal env value looks like a credential written into the manifest. */
export function looksLikeSecret(name: string, value: string): boolean {
  const v = value.trim();
  if (!SECRET_NAME.test(name) || REFERENCE_NAME.test(name)) return false;
  return v !== '' && !PLACEHOLDER.test(v) && !v.startsWith('/') && !/^(true|false)$/i.test(v);
}
