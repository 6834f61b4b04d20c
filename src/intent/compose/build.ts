import { dirname } from 'node:path/posix';
import type { Source } from '../../model/index.ts';
import type { CommandForm } from '../common/command.ts';
import { isRecord } from '../document.ts';
import type { BuildOptions, ComposeContext, DockerfileLike } from './context.ts';
import { child, entriesOf, itemsOf, locationOf, scalarText, setOwn, type Field } from './layers.ts';
import { resolvePath, type ServiceUnit } from './project.ts';
import type { Reporter } from './reporter.ts';
import { append } from '../../append.ts';

function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || /\.git(#|$)/.test(context);
}

function buildArgs(field: Field | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  if (!field) return args;
  for (const item of itemsOf(field) ?? []) {
    const text = scalarText(item.value);
    const eq = text?.indexOf('=') ?? -1;
    if (text !== undefined && eq > 0) setOwn(args, text.slice(0, eq), text.slice(eq + 1));
  }
  for (const [key, value] of entriesOf(field) ?? []) {
    const text = scalarText(value.value);
    if (text !== undefined) setOwn(args, key, text);
  }
  return args;
}

/** Reads and analyses the Dockerfile of `build`, or the inline one; a missing file is a finding. */
export function readBuild(field: Field, unit: ServiceUnit, context: ComposeContext, report: Reporter): DockerfileLike | undefined {
  let contextDir = '.';
  let dockerfileName = 'Dockerfile';
  let inline: Field | undefined;
  const options: BuildOptions = { args: {} };
  if (typeof field.value === 'string') {
    contextDir = field.value;
  } else if (isRecord(field.value)) {
    const b = field.value;
    if (typeof b.context === 'string' && b.context !== '') contextDir = b.context;
    if (typeof b.dockerfile === 'string' && b.dockerfile !== '') dockerfileName = b.dockerfile;
    if (typeof b.dockerfile_inline === 'string') inline = child(field, 'dockerfile_inline');
    if (typeof b.target === 'string' && b.target !== '') options.target = b.target;
    options.args = buildArgs(b.args === undefined ? undefined : child(field, 'args'));
  } else {
    report.invalid(field, 'build must be a context path or a map');
    return undefined;
  }
  if (inline) {
    // The inline text starts on the line after `dockerfile_inline: |`, so its line n is the key's line + n.
    const offset = inline.doc.lineOf(inline.path);
    const analysed = context.dockerfile?.(inline.doc.file, String(inline.value), options);
    return analysed ? shiftLines(analysed, inline.doc.file, offset, report) : undefined;
  }
  if (isRemoteContext(contextDir)) return undefined;
  const path = resolvePath(resolvePath(dirname(field.doc.file), contextDir), dockerfileName);
  const text = context.files.read(path);
  if (text === undefined) {
    report.add('TN013', `Dockerfile ${path} of service ${unit.name} was not found; the image's own intent is missing from the model`, locationOf(field));
    return undefined;
  }
  const analysed = context.dockerfile?.(path, text, options);
  if (analysed) append(report.findings, analysed.findings);
  return analysed;
}

function shiftLines(d: DockerfileLike, file: string, offset: number, report: Reporter): DockerfileLike {
  const shift = (s: Source): Source => (s.file === file && s.line !== undefined && s.format !== 'compose' ? { ...s, line: s.line + offset } : s);
  const shiftAll = (sources: readonly Source[]) => sources.map(shift);
  const command = (c: CommandForm | undefined): CommandForm | undefined => (c ? { ...c, sources: shiftAll(c.sources) } : undefined);
  for (const f of d.findings) report.findings.push({ ...f, location: { ...f.location, line: f.location.line + offset } });
  const entrypoint = command(d.entrypoint);
  const cmd = command(d.cmd);
  const healthcheck = d.healthcheck === 'NONE' ? 'NONE' : command(d.healthcheck);
  return {
    ...(entrypoint && { entrypoint }),
    ...(cmd && { cmd }),
    ...(d.shell && { shell: d.shell }),
    ...(d.user && { user: { value: d.user.value, sources: shiftAll(d.user.sources) } }),
    exposed: d.exposed.map((e) => ({ ...e, sources: shiftAll(e.sources) })),
    volumes: d.volumes.map((v) => ({ ...v, sources: shiftAll(v.sources) })),
    ...(healthcheck && { healthcheck }),
    ...(d.env && { env: d.env.map((v) => ({ ...v, source: shift(v.source) })) }),
    ...(d.stopSignal && { stopSignal: { value: d.stopSignal.value, sources: shiftAll(d.stopSignal.sources) } }),
    findings: [],
  };
}
