import { dirname } from 'node:path/posix';
import type { EnvVar } from '../common/peers.ts';
import { isRecord } from '../document.ts';
import type { ComposeContext, DockerfileLike } from './context.ts';
import { parseDotenv } from './dotenv.ts';
import { allFields, booleanOf, entriesOf, itemsOf, locationOf, rawOf, scalarText, sourceOf, type Field } from './layers.ts';
import { resolvePath, type ServiceUnit } from './project.ts';
import type { Reporter } from './reporter.ts';
import { looksLikeSecret, refersToVariable } from './secrets.ts';

/** The environment the container starts with: the image's ENV, then env files, then `environment:`. */
export function environmentOf(unit: ServiceUnit, dockerfile: DockerfileLike | undefined, context: ComposeContext, report: Reporter): EnvVar[] {
  const vars = new Map<string, EnvVar>();
  const set = (v: EnvVar) => {
    vars.delete(v.name);
    vars.set(v.name, v);
  };
  for (const v of dockerfile?.env ?? []) set(v);
  for (const field of allFields(unit.layers, 'env_file')) {
    const items = itemsOf(field, true);
    if (!items) report.invalid(field, 'env_file must be a path, a list of paths or of {path, required}');
    for (const item of items ?? []) {
      const v = item.value;
      const path = typeof v === 'string' ? v : isRecord(v) && typeof v.path === 'string' ? v.path : undefined;
      if (path === undefined) {
        report.invalid(item, 'an env_file entry needs a path');
        continue;
      }
      const required = !(isRecord(v) && booleanOf(v.required) === false);
      const file = resolvePath(dirname(item.doc.file), path);
      const text = context.files.read(file);
      if (text === undefined) {
        if (required) report.add('TN013', `Env file ${file} of service ${unit.name} was not found; its variables are missing from the model`, locationOf(item));
        continue;
      }
      const parsed = parseDotenv(text, unit.lookup);
      for (const p of parsed.problems) {
        report.add(p.kind === 'invalid' ? 'TN007' : 'TN012', `${p.message} in env file ${file}`, { file, line: p.line });
      }
      for (const e of parsed.entries) set({ name: e.name, value: e.value, source: { kind: 'declared', format: 'compose', file, line: e.line, path: e.name } });
    }
  }
  for (const field of allFields(unit.layers, 'environment')) {
    const declared: Array<{ name: string; value: string | undefined; item: Field; raw: string | undefined }> = [];
    for (const item of itemsOf(field) ?? []) {
      const text = scalarText(item.value);
      if (text === undefined) {
        report.invalid(item, 'an environment entry must be NAME=value or NAME');
        continue;
      }
      const eq = text.indexOf('=');
      const raw = scalarText(rawOf(item));
      declared.push(eq === -1
        ? { name: text.trim(), value: undefined, item, raw: undefined }
        : { name: text.slice(0, eq).trim(), value: text.slice(eq + 1), item, raw: raw === undefined ? undefined : raw.slice(raw.indexOf('=') + 1) });
    }
    for (const [name, item] of entriesOf(field) ?? []) {
      const value = item.value === null ? undefined : scalarText(item.value);
      if (item.value !== null && value === undefined) {
        report.invalid(item, `environment variable ${name} must be a string, a number or a boolean`);
        continue;
      }
      declared.push({ name, value, item, raw: scalarText(rawOf(item)) });
    }
    if (!Array.isArray(field.value) && !isRecord(field.value)) report.invalid(field, 'environment must be a list or a map');
    for (const d of declared) {
      if (d.name === '') continue;
      // A variable without a value takes the one of the environment Compose runs in, or stays unset.
      const value = d.value ?? unit.lookup(d.name);
      if (value === undefined) continue;
      set({ name: d.name, value, source: sourceOf(d.item) });
      const literal = d.value !== undefined && !refersToVariable(d.raw ?? d.value);
      if (literal && looksLikeSecret(d.name, value)) {
        report.add('TN112', `Service ${unit.name} sets ${d.name} to a literal secret in the compose file`, locationOf(d.item));
      }
    }
  }
  return [...vars.values()];
}
