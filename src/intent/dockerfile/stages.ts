// A Dockerfile's build stages, instruction by instruction, into the model of
// the image it builds. Over 400 lines for a reason: the instructions share one
// stage state (its environment, user, working folder, ports, entries and
// their sources), which splitting would pass around instead.
import { isAbsolute, join, normalize } from 'node:path/posix';
import { finding, type Finding, type FindingCodeId, type ListenEntry, type Protocol, type Source, type WritableEntry } from '../../model/index.ts';
import { DEFAULT_SHELL, type CommandForm } from '../common/command.ts';
import { mergeSources } from '../common/model-builder.ts';
import type { EnvVar } from '../common/peers.ts';
import type { DockerInstruction, ParsedDockerfile } from './instructions.ts';
import { expand, parseJsonArray, splitWords, takeFlags, type Expansion, type Lookup } from './shell-words.ts';

export interface Setting<T> {
  value: T;
  sources: Source[];
}

/** A command with the shell that was in effect when it was declared, since Docker bakes that shell in. */
export interface DeclaredCommand {
  command: CommandForm;
  shell: string[];
}

export interface CopyFrom {
  stage: string;
  from: string;
  to: string;
  sources: Source[];
}

/** The part of a stage that a later `FROM <stage>` inherits: Docker's image config. */
export interface ImageConfig {
  entrypoint?: DeclaredCommand;
  cmd?: DeclaredCommand;
  shell?: Setting<string[]>;
  user?: Setting<string>;
  exposed: ListenEntry[];
  volumes: WritableEntry[];
  workdir?: string;
  env: EnvVar[];
  stopSignal?: Setting<string>;
  healthcheck?: CommandForm | 'NONE';
  copiesFrom: CopyFrom[];
  onbuild: string[];
}

export interface Stage {
  /** Lower-cased `AS` name. */
  name?: string;
  index: number;
  from: Source;
  /** The image the stage finally builds on, through any stages it is `FROM`. */
  baseImage?: string;
  config: ImageConfig;
  /** ARGs declared in this stage; undefined when declared without a value. */
  args: Map<string, string | undefined>;
  /** Whether CMD was set in this stage, which keeps a later ENTRYPOINT from resetting it. */
  cmdSet: boolean;
}

export interface BuildResult {
  stages: Stage[];
  findings: Finding[];
}

const KNOWN = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD',
  'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

// ARGs BuildKit defines for FROM lines without a declaration; their value depends on the build machine.
const AUTOMATIC_ARGS = new Set([
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
]);

const STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;
const IMAGE_REF = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?$/;
const PORT_SPEC = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/;
const SIGNAL = /^(?:(?:SIG)?[A-Z][A-Z0-9+-]*|\d{1,2})$/i;

function emptyConfig(): ImageConfig {
  return { exposed: [], volumes: [], env: [], copiesFrom: [], onbuild: [] };
}

/**
 * Runs a Dockerfile's instructions the way the builder updates its image config,
 * stage by stage, without building anything. Bad instructions become findings and
 * are skipped; the rest still counts.
 */
export function buildStages(parsed: ParsedDockerfile, file: string, buildArgs: Record<string, string> = {}): BuildResult {
  const { escape, instructions } = parsed;
  const findings: Finding[] = [];
  const stages: Stage[] = [];
  const metaArgs = new Map<string, string | undefined>();
  const report = (code: FindingCodeId, message: string, ins: DockerInstruction) => findings.push(finding(code, message, { file, line: ins.line }));
  const sourceOf = (ins: DockerInstruction): Source => ({ kind: 'declared', format: 'dockerfile', file, line: ins.line, instruction: ins.text });
  const buildArg = (name: string): string | undefined => (Object.hasOwn(buildArgs, name) ? buildArgs[name] : undefined);
  const metaLookup: Lookup = (name) => (metaArgs.has(name) ? metaArgs.get(name) : AUTOMATIC_ARGS.has(name) ? buildArg(name) : undefined);
  const hasFrom = instructions.some((i) => i.keyword === 'FROM');

  if (!hasFrom) findings.push(finding('TN009', 'The Dockerfile has no FROM instruction', { file, line: instructions[0]?.line ?? 1 }));

  // Expands a value and, for the instructions where it matters, reports variables left without a value.
  const substitute = (text: string, lookup: Lookup, ins: DockerInstruction, reportUnresolved: boolean): Expansion => {
    const result = expand(text, lookup, escape);
    if (result.error !== undefined) report('TN009', `${ins.keyword}: ${result.error}`, ins);
    if (reportUnresolved) {
      for (const name of result.unresolved) {
        if (!AUTOMATIC_ARGS.has(name)) report('TN012', `Variable ${name} in ${ins.keyword} has no value; Docker substitutes an empty string`, ins);
      }
    }
    return result;
  };

  for (const ins of instructions) {
    if (!KNOWN.has(ins.keyword)) {
      report('TN008', `Unknown instruction ${ins.keyword}; docker build would fail here`, ins);
      continue;
    }
    for (const heredoc of ins.heredocs.filter((h) => !h.terminated)) {
      report('TN009', `${ins.keyword}: heredoc <<${heredoc.name} is never closed; it takes the rest of the file`, ins);
    }
    if (ins.args === '' && ins.heredocs.length === 0) {
      report('TN009', `${ins.keyword} has no arguments`, ins);
      continue;
    }
    const stage = stages.at(-1);
    if (ins.keyword === 'ARG' && stage === undefined) {
      declareArgs(ins, metaArgs, metaLookup, buildArg, () => undefined, escape, substitute, report);
      continue;
    }
    if (ins.keyword === 'FROM') {
      stages.push(fromInstruction(ins, stages, metaLookup, sourceOf(ins), substitute, report));
      continue;
    }
    if (stage === undefined) {
      if (hasFrom) report('TN009', `${ins.keyword} before the first FROM; only ARG may come before it`, ins);
      continue;
    }
    dispatch(ins, stage, stages, {
      escape, source: sourceOf(ins), report, substitute,
      lookup: (name) => stageLookup(stage, name),
      declareArg: () => declareArgs(ins, stage.args, (name) => stageLookup(stage, name), buildArg, (name) => metaArgs.get(name), escape, substitute, report),
    });
  }
  return { stages, findings };
}

// ENV wins over an ARG of the same name, whatever their order.
function stageLookup(stage: Stage, name: string): string | undefined {
  const env = stage.config.env.find((e) => e.name === name);
  return env !== undefined ? env.value : stage.args.get(name);
}

type Substitute = (text: string, lookup: Lookup, ins: DockerInstruction, reportUnresolved: boolean) => Expansion;
type Report = (code: FindingCodeId, message: string, ins: DockerInstruction) => void;

// `ARG NAME[=default] …`: a build argument wins over the default; an ARG without a
// default takes what `inherited` gives (in a stage, the global ARG of that name).
function declareArgs(
  ins: DockerInstruction,
  into: Map<string, string | undefined>,
  lookup: Lookup,
  buildArg: (name: string) => string | undefined,
  inherited: (name: string) => string | undefined,
  escape: string,
  substitute: Substitute,
  report: Report,
): void {
  for (const word of splitWords(ins.args, escape)) {
    const eq = word.indexOf('=');
    const name = eq === -1 ? word : word.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      report('TN009', `ARG has an invalid name: ${word}`, ins);
      continue;
    }
    const given = buildArg(name);
    if (given !== undefined) into.set(name, given);
    else if (eq !== -1) into.set(name, substitute(word.slice(eq + 1), lookup, ins, false).value);
    else into.set(name, inherited(name));
  }
}

function fromInstruction(ins: DockerInstruction, stages: readonly Stage[], metaLookup: Lookup, source: Source, substitute: Substitute, report: Report): Stage {
  const { rest } = takeFlags(ins.args);
  const words = rest.split(/\s+/).filter(Boolean);
  let name: string | undefined;
  if (words.length === 3 && words[1]?.toUpperCase() === 'AS') {
    name = words[2]?.toLowerCase();
    if (name !== undefined && !STAGE_NAME.test(name)) {
      report('TN009', `FROM: invalid stage name ${words[2] ?? ''}`, ins);
      name = undefined;
    } else if (name !== undefined && stages.some((s) => s.name === name)) {
      report('TN009', `FROM: stage name ${name} is used twice`, ins);
    }
  } else if (words.length !== 1) {
    report('TN009', 'FROM takes an image and an optional AS name', ins);
  }
  const expanded = substitute(words[0] ?? '', metaLookup, ins, true);
  const image = expanded.value.trim();
  const index = stages.length;
  const parent = image === '' ? undefined : stages.find((s) => s.name === image.toLowerCase());
  if (parent !== undefined) {
    const config = structuredClone(parent.config);
    config.onbuild = []; // Docker runs a base's ONBUILD triggers and does not pass them on
    return { ...(name !== undefined && { name }), index, from: source, ...(parent.baseImage !== undefined && { baseImage: parent.baseImage }), config, args: new Map(), cmdSet: false };
  }
  if (image === '' && expanded.error === undefined) report('TN009', 'FROM has no image after substitution', ins);
  return { ...(name !== undefined && { name }), index, from: source, ...(image !== '' && { baseImage: image }), config: emptyConfig(), args: new Map(), cmdSet: false };
}

interface DispatchContext {
  escape: string;
  source: Source;
  report: Report;
  substitute: Substitute;
  lookup: Lookup;
  declareArg: () => void;
}

function commandForm(args: string, source: Source): CommandForm {
  const argv = parseJsonArray(args);
  return argv !== undefined ? { form: 'exec', argv, sources: [source] } : { form: 'shell', script: args, sources: [source] };
}

function dispatch(ins: DockerInstruction, stage: Stage, stages: readonly Stage[], ctx: DispatchContext): void {
  const { config } = stage;
  const { source, report, substitute, lookup } = ctx;
  const shell = config.shell?.value ?? DEFAULT_SHELL;
  switch (ins.keyword) {
    case 'ARG':
      ctx.declareArg();
      return;
    case 'ENV': {
      // Every value is expanded before any is set: `ENV A=1 B=$A` gives B the A from before.
      const expanded = nameValuePairs(ins, ctx.escape, report).map(([name, value]): EnvVar => ({
        name: substitute(name, lookup, ins, false).value,
        value: substitute(value, lookup, ins, false).value,
        source,
      }));
      for (const variable of expanded) setEnv(config.env, variable);
      return;
    }
    case 'LABEL':
      // Labels are not intent, but Docker still fails on a bad substitution in them.
      for (const pair of nameValuePairs(ins, ctx.escape, report)) for (const text of pair) substitute(text, lookup, ins, false);
      return;
    case 'CMD':
      config.cmd = { command: commandForm(ins.args, source), shell: [...shell] };
      stage.cmdSet = true;
      return;
    case 'ENTRYPOINT':
      config.entrypoint = { command: commandForm(ins.args, source), shell: [...shell] };
      if (!stage.cmdSet) delete config.cmd; // Docker drops an inherited CMD, not one set in this stage
      return;
    case 'SHELL': {
      const argv = parseJsonArray(ins.args);
      if (argv === undefined || argv.length === 0) report('TN009', 'SHELL needs a JSON array, like ["/bin/bash", "-c"]', ins);
      else config.shell = { value: argv, sources: [source] };
      return;
    }
    case 'USER': {
      const user = substitute(ins.args, lookup, ins, true).value.trim();
      if (user !== '') config.user = { value: user, sources: [source] };
      return;
    }
    case 'WORKDIR': {
      const dir = substitute(ins.args, lookup, ins, false).value.trim();
      if (dir !== '') config.workdir = resolveDir(config.workdir, dir);
      return;
    }
    case 'EXPOSE':
      for (const word of ins.args.split(/\s+/).filter(Boolean)) {
        for (const spec of substitute(word, lookup, ins, true).words) {
          const entry = parsePort(spec, source);
          if (typeof entry === 'string') report('TN007', `EXPOSE ${spec}: ${entry}`, ins);
          else config.exposed.push(entry);
        }
      }
      return;
    case 'VOLUME': {
      const paths = parseJsonArray(ins.args) ?? ins.args.split(/\s+/).filter(Boolean);
      for (const raw of paths) {
        const path = substitute(raw, lookup, ins, false).value.trim();
        if (path === '') report('TN009', 'VOLUME path is empty', ins);
        else if (!isAbsolute(path) && !isWindowsPath(path)) report('TN007', `VOLUME ${path}: a volume path must be absolute`, ins);
        else config.volumes.push({ path, sources: [source] });
      }
      return;
    }
    case 'STOPSIGNAL': {
      const signal = substitute(ins.args, lookup, ins, false).value.trim();
      if (SIGNAL.test(signal)) config.stopSignal = { value: signal, sources: [source] };
      else report('TN007', `STOPSIGNAL ${signal}: not a signal`, ins);
      return;
    }
    case 'HEALTHCHECK':
      healthcheck(ins, config, source, report);
      return;
    case 'ONBUILD': {
      const trigger = (ins.args.split(/\s+/)[0] ?? '').toUpperCase();
      if (trigger === 'ONBUILD' || trigger === 'FROM' || trigger === 'MAINTAINER') report('TN009', `${trigger} is not allowed as an ONBUILD trigger`, ins);
      else if (!KNOWN.has(trigger)) report('TN008', `Unknown instruction ${trigger} in ONBUILD`, ins);
      else config.onbuild.push(ins.args);
      return;
    }
    case 'COPY':
    case 'ADD':
      copy(ins, stage, stages, ctx);
      return;
    default:
      return; // RUN and MAINTAINER change files or metadata, not the runtime intent
  }
}

// `NAME=value …` pairs, or the old `NAME value` form; quotes are kept for the expansion to remove.
function nameValuePairs(ins: DockerInstruction, escape: string, report: Report): Array<[string, string]> {
  const words = splitWords(ins.args, escape);
  const first = words[0] ?? '';
  if (!first.includes('=')) {
    const old = /^(\S+)\s+([\s\S]*)$/.exec(ins.args);
    if (!old) {
      report('TN009', `${ins.keyword} ${first} needs a value`, ins);
      return [];
    }
    return [[old[1] ?? '', old[2] ?? '']];
  }
  const pairs: Array<[string, string]> = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      report('TN009', `${ins.keyword}: ${word} is not of the form name=value`, ins);
      continue;
    }
    pairs.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  return pairs;
}

// The image config keeps a redefined variable where it was first defined.
function setEnv(env: EnvVar[], variable: EnvVar): void {
  const at = env.findIndex((e) => e.name === variable.name);
  if (at === -1) env.push(variable);
  else env[at] = variable;
}

function isWindowsPath(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path);
}

// A relative WORKDIR is relative to the previous one, and Docker cleans the result.
function resolveDir(current: string | undefined, dir: string): string {
  if (isWindowsPath(dir)) return dir;
  const joined = isAbsolute(dir) ? normalize(dir) : join('/', current ?? '/', dir);
  return joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
}

function parsePort(spec: string, source: Source): ListenEntry | string {
  const match = PORT_SPEC.exec(spec);
  if (!match) return 'not a port, a port range or port/protocol';
  const port = Number(match[1]);
  const end = match[2] === undefined ? port : Number(match[2]);
  const protocol = (match[3] ?? 'tcp').toLowerCase();
  if (port < 1 || port > 65535 || end < 1 || end > 65535) return 'a port must be between 1 and 65535';
  if (end < port) return 'the range ends before it starts';
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') return `unknown protocol ${protocol}`;
  return { port, ...(end !== port && { endPort: end }), protocol: protocol as Protocol, sources: [source] };
}

/** Entries for the same ports, or the same path, become one with the sources of all; by key, since a port list can be long. */
export function mergeEntries<T extends { sources: Source[] }>(entries: readonly T[], key: (entry: T) => string): T[] {
  const merged = new Map<string, T>();
  for (const entry of entries) {
    const same = merged.get(key(entry));
    if (same) mergeSources(same.sources, entry.sources);
    else merged.set(key(entry), { ...entry, sources: [...entry.sources] });
  }
  return [...merged.values()];
}

function healthcheck(ins: DockerInstruction, config: ImageConfig, source: Source, report: Report): void {
  const { rest } = takeFlags(ins.args);
  const match = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  const kind = match?.[1]?.toUpperCase();
  const command = (match?.[2] ?? '').trim();
  if (kind === 'NONE') {
    if (command !== '') report('TN009', 'HEALTHCHECK NONE takes no arguments', ins);
    else config.healthcheck = 'NONE';
  } else if (kind === 'CMD') {
    if (command === '') report('TN009', 'HEALTHCHECK CMD has no command', ins);
    else config.healthcheck = commandForm(command, source);
  } else {
    report('TN009', `HEALTHCHECK takes CMD or NONE, not ${match?.[1] ?? 'nothing'}`, ins);
  }
}

// The stage a `COPY --from` name or index points at; stages are read in order, so only this one and earlier ones exist.
function stageOf(from: string, stages: readonly Stage[]): Stage | undefined {
  if (/^\d+$/.test(from)) return stages[Number(from)];
  return stages.find((s) => s.name === from.toLowerCase());
}

function copy(ins: DockerInstruction, stage: Stage, stages: readonly Stage[], ctx: DispatchContext): void {
  const { source, report, substitute, lookup } = ctx;
  const { flags, rest } = takeFlags(ins.args);
  const words = (parseJsonArray(rest) ?? rest.split(/\s+/).filter(Boolean)).map((w) => substitute(w, lookup, ins, false).value);
  if (words.length < 2) {
    report('TN009', `${ins.keyword} needs a source and a destination`, ins);
    return;
  }
  const sources = words.slice(0, -1);
  const dest = words.at(-1) ?? '';
  if (ins.keyword === 'ADD' && !flags.has('checksum')) {
    for (const src of sources.filter((s) => /^https?:\/\//i.test(s))) {
      report('TN114', `ADD fetches ${src} without a checksum`, ins);
    }
  }
  const fromFlag = flags.get('from');
  if (fromFlag === undefined) return;
  const from = substitute(fromFlag, lookup, ins, false).value.trim();
  const target = stageOf(from, stages);
  if (target === stage) {
    report('TN009', `${ins.keyword} --from=${from} refers to its own stage`, ins);
    return;
  }
  if (target === undefined && (/^\d+$/.test(from) || !IMAGE_REF.test(from))) {
    report('TN009', `${ins.keyword} --from=${from} is neither an earlier stage nor an image`, ins);
    return;
  }
  const to = dest.startsWith('/') || isWindowsPath(dest) ? dest : resolveDir(stage.config.workdir, dest) + (dest.endsWith('/') && dest !== '/' ? '/' : '');
  for (const src of sources) stage.config.copiesFrom.push({ stage: from, from: src, to, sources: [source] });
}
