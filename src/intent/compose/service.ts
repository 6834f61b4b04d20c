// One Compose service into its model: one function per part of the service
// (command, healthcheck, ports, mounts, security, networks, dependencies),
// each reading the same merged layers; a little over 400 lines, kept together
// so that a service reads top to bottom in one place.
import { emptyModel, type Finding, type IntentModel, type Location, type Source, type Workload } from '../../model/index.ts';
import { argvOf, combineEntrypoint, DEFAULT_SHELL, processesOf, splitWords, type CommandForm } from '../common/command.ts';
import { addCapabilities, addEgress, addListen, addMount, addProcesses } from '../common/model-builder.ts';
import type { EnvVar } from '../common/peers.ts';
import { isRecord } from '../document.ts';
import { readBuild } from './build.ts';
import type { ComposeContext, DockerfileLike } from './context.ts';
import { environmentOf } from './environment.ts';
import { blockForImage } from '../../knowledge/index.ts';
import { digestOf, isFloating, parseImage } from '../common/image-ref.ts';
import {
  allFields, booleanOf, child, entriesOf, itemsOf, lastField, locationOf, scalarText, sourceOf, stringsOf, type Field, type Layer,
} from './layers.ts';
import { parseExposeSpec, parseLongPort, parsePortSpec, type PortResult } from './ports.ts';
import type { ServiceUnit } from './project.ts';
import { Reporter } from './reporter.ts';
import { parseLongVolume, parseVolumeSpec, trimPath, type VolumeSpec } from './volumes.ts';

/** Which networks a service joins, as far as reaching other services by name goes. */
export type NetworkScope =
  | { kind: 'networks'; names: ReadonlySet<string> }
  | { kind: 'host' }
  | { kind: 'service'; service: string }
  | { kind: 'unknown' };

export interface Dependency {
  kind: 'depends_on' | 'links';
  service: string;
  /** The hostname the client uses: the link alias, else the service name. */
  host: string;
  source: Source;
  location: Location;
}

/** A service's model and what the project graph needs to know about it. */
export interface ServiceFacts {
  unit: ServiceUnit;
  model: IntentModel;
  /** Names other services reach it by: its name, `container_name`, network aliases. */
  hostnames: string[];
  networks: NetworkScope;
  dependencies: Dependency[];
  /** Link aliases, which only this service resolves. */
  linkAliases: Map<string, string>;
  /** Names of containers outside the project (`external_links`), which are not unresolved. */
  externalNames: string[];
  env: EnvVar[];
  args?: { argv: string[]; source: Source };
}

/** The id of a service's model: the image digest when pinned, else the project and service. */
export function modelIdOf(unit: ServiceUnit): string {
  const image = scalarText(lastField(unit.layers, 'image')?.value);
  return (image !== undefined ? digestOf(image) : undefined) ?? `compose:${unit.project}/${unit.name}`;
}

/**
 * The model of one compose service: its image's intent from the build's Dockerfile
 * when there is one, overridden as Compose overrides it, then ports, mounts, users,
 * capabilities and other security settings, each with the line it was declared on.
 */
export function analyzeService(unit: ServiceUnit, modelId: string, context: ComposeContext, findings: Finding[]): ServiceFacts {
  const { layers, name } = unit;
  const report = new Reporter(findings, name, modelId);
  const imageField = lastField(layers, 'image');
  const image = scalarText(imageField?.value)?.trim() || undefined;
  const containerField = lastField(layers, 'container_name');
  const container = scalarText(containerField?.value)?.trim() || undefined;
  const workload: Workload = {
    kind: 'ComposeService',
    namespace: unit.project,
    name,
    ...(container !== undefined && { container }),
    sources: layers.filter((l) => l.role !== 'base').map((l) => sourceOf({ value: l.value, doc: l.doc, path: l.path })),
  };
  const model = emptyModel(modelId, { ...(image !== undefined && { image }), workload, app: unit.project });

  const buildField = lastField(layers, 'build');
  const dockerfile = buildField && buildField.value !== null ? readBuild(buildField, unit, context, report) : undefined;
  if (image !== undefined && imageField && !buildField && isFloating(parseImage(image))) {
    report.add('TN113', `Service ${name} runs image ${image}, which has no fixed version`, locationOf(imageField));
  }

  const user = userOf(layers, dockerfile);
  if (user) model.security.user = user;
  const shell = dockerfile?.shell ?? DEFAULT_SHELL;
  const main = mainCommand(layers, dockerfile, shell, report);
  if (main.process) addProcesses(model, processesOf(main.process.argv, 'main', main.process.sources, user?.value));
  addHealthcheck(model, layers, dockerfile, shell, user?.value, report);

  for (const entry of dockerfile?.exposed ?? []) addListen(model, entry);
  addPorts(model, layers, report);
  addMounts(model, layers, dockerfile, report);
  addSecurity(model, layers, dockerfile, report);
  for (const field of allFields(layers, 'dns')) {
    for (const item of itemsOf(field, true) ?? []) {
      const server = scalarText(item.value)?.trim();
      if (server) addEgress(model, server, 53, 'udp', [sourceOf(item, 'a DNS server the container resolves names with')]);
    }
  }
  if (model.network.listen.length === 0 && image !== undefined && !buildField) addKnownPorts(model, image);

  const env = environmentOf(unit, dockerfile, context, report);
  return {
    unit,
    model,
    hostnames: hostnamesOf(unit, container),
    networks: networkScope(layers),
    dependencies: dependenciesOf(layers, report),
    linkAliases: linkAliases(layers),
    externalNames: externalNames(layers),
    env,
    ...(main.args && { args: main.args }),
  };
}

function userOf(layers: readonly Layer[], dockerfile: DockerfileLike | undefined): { value: string; sources: Source[] } | undefined {
  const field = lastField(layers, 'user');
  const value = scalarText(field?.value)?.trim();
  if (field && value) return { value, sources: [sourceOf(field)] };
  return dockerfile?.user ? { value: dockerfile.user.value, sources: [...dockerfile.user.sources] } : undefined;
}

// `command:` / `entrypoint:` as an exec form: a string is split into words, never run by a shell.
function composeCommand(field: Field | undefined, report: Reporter): CommandForm | undefined {
  if (!field || field.value === null) return undefined;
  const sources = [sourceOf(field)];
  const argv = typeof field.value === 'string' ? splitWords(field.value) : stringsOf(field.value);
  if (argv) return { form: 'exec', argv, sources };
  report.invalid(field, `${String(field.path[field.path.length - 1])} must be a string or a list of strings`);
  return undefined;
}

/** A word a program can be named by: a path or a name of letters, digits and `._+-`, not an option. */
const PROGRAM_NAME = /^(?!-)[\w.+/-]+$/;

interface MainCommand {
  process?: { argv: string[]; sources: Source[] };
  // Set even when the image's entrypoint is unknown, since arguments still name peers.
  args?: { argv: string[]; source: Source };
}

// As Compose resolves them: `entrypoint:` replaces the image's ENTRYPOINT and drops its CMD, `command:` replaces the CMD.
function mainCommand(layers: readonly Layer[], dockerfile: DockerfileLike | undefined, shell: readonly string[], report: Reporter): MainCommand {
  const entrypointField = lastField(layers, 'entrypoint');
  const entrypoint = composeCommand(entrypointField, report);
  const command = composeCommand(lastField(layers, 'command'), report);
  const ep = entrypointField && entrypointField.value !== null ? entrypoint : dockerfile?.entrypoint;
  const cmd = entrypointField && entrypointField.value !== null ? command : command ?? dockerfile?.cmd;
  const combined = combineEntrypoint(ep, cmd, shell);
  const scanned = [...(entrypoint ? argvOf(entrypoint) : []), ...(command ? argvOf(command) : [])];
  const scanSource = entrypoint?.sources[0] ?? command?.sources[0];
  const args = scanned.length > 0 && scanSource ? { argv: scanned, source: scanSource } : undefined;
  // Without the image's Dockerfile its entrypoint is unknown; a first word no program is named by (an option, `server start`, `a=b`) is an argument to it
  const unknownEntrypoint = ep === undefined && dockerfile === undefined;
  if (!combined || (unknownEntrypoint && !PROGRAM_NAME.test(combined.argv[0] ?? ''))) return { ...(args && { args }) };
  const sources = unknownEntrypoint
    ? combined.sources.map((s) => ({ ...s, detail: "the image's ENTRYPOINT is unknown: the command runs as a program, or is passed to it" }))
    : combined.sources;
  return { process: { argv: combined.argv, sources }, ...(args && { args }) };
}

function healthcheckCommand(field: Field, report: Reporter): CommandForm | 'NONE' | undefined {
  const sources = [sourceOf(field)];
  if (typeof field.value === 'string') return field.value.trim() === '' ? undefined : { form: 'shell', script: field.value, sources };
  const words = stringsOf(field.value);
  if (!words) {
    report.invalid(field, 'healthcheck.test must be a string or a list of strings');
    return undefined;
  }
  const [kind, ...rest] = words;
  if (kind === 'NONE') return 'NONE';
  if (kind === 'CMD') return { form: 'exec', argv: rest, sources };
  if (kind === 'CMD-SHELL') return { form: 'shell', script: rest.join(' '), sources };
  report.invalid(field, 'healthcheck.test must start with CMD, CMD-SHELL or NONE');
  return undefined;
}

function addHealthcheck(model: IntentModel, layers: readonly Layer[], dockerfile: DockerfileLike | undefined, shell: readonly string[], user: string | undefined, report: Reporter): void {
  const maps = allFields(layers, 'healthcheck').filter((f) => isRecord(f.value));
  const last = (key: string) => [...maps].reverse().map((f) => child(f, key)).find((f) => f.value !== undefined && f.value !== null);
  const disable = last('disable');
  if (disable && (disable.value === true || disable.value === 'true')) return;
  const test = last('test');
  const command = test ? healthcheckCommand(test, report) : dockerfile?.healthcheck;
  if (command === undefined || command === 'NONE') return;
  addProcesses(model, processesOf(argvOf(command, shell), 'healthcheck', command.sources, user));
}

function addPorts(model: IntentModel, layers: readonly Layer[], report: Reporter): void {
  const add = (item: Field, result: PortResult, what: string, name?: string) => {
    if (!result.ok) {
      report.invalid(item, `${what} ${JSON.stringify(item.value)} is not valid: ${result.reason}`);
      return;
    }
    addListen(model, { ...result.mapping, ...(name !== undefined && { name }), sources: [sourceOf(item)] });
  };
  for (const field of allFields(layers, 'ports')) {
    const items = itemsOf(field);
    if (!items) report.invalid(field, 'ports must be a list');
    for (const item of items ?? []) {
      const v = item.value;
      if (typeof v === 'string' || typeof v === 'number') add(item, parsePortSpec(v), 'port');
      else if (isRecord(v)) add(item, parseLongPort(v), 'port', typeof v.name === 'string' ? v.name : undefined);
      else report.invalid(item, 'a port must be a string, a number or a map');
    }
  }
  for (const field of allFields(layers, 'expose')) {
    const items = itemsOf(field);
    if (!items) report.invalid(field, 'expose must be a list');
    for (const item of items ?? []) {
      const v = item.value;
      if (typeof v === 'string' || typeof v === 'number') add(item, parseExposeSpec(v), 'exposed port');
      else report.invalid(item, 'an exposed port must be a string or a number');
    }
  }
}

function addKnownPorts(model: IntentModel, image: string): void {
  const block = blockForImage(image);
  for (const { port, protocol, name, reference } of block?.listen ?? []) {
    const source: Source = { kind: 'knowledge', detail: `the ${block?.name} image listens on ${port}/${protocol}`, reference };
    addListen(model, { port, protocol, ...(name !== undefined && { name }), sources: [source] });
  }
}

function addMounts(model: IntentModel, layers: readonly Layer[], dockerfile: DockerfileLike | undefined, report: Reporter): void {
  // Compose merges volumes by mount point: a later layer's mount replaces an earlier one.
  const byTarget = new Map<string, { volume: VolumeSpec; source: Source }>();
  for (const field of allFields(layers, 'volumes')) {
    const items = itemsOf(field);
    if (!items) report.invalid(field, 'volumes must be a list');
    for (const item of items ?? []) {
      const result = typeof item.value === 'string' ? parseVolumeSpec(item.value)
        : isRecord(item.value) ? parseLongVolume(item.value)
          : { ok: false as const, reason: 'a volume must be a string or a map' };
      if (!result.ok) {
        report.invalid(item, `volume ${JSON.stringify(item.value)} is not valid: ${result.reason}`);
        continue;
      }
      byTarget.delete(result.volume.target);
      byTarget.set(result.volume.target, { volume: result.volume, source: sourceOf(item) });
    }
  }
  for (const { volume, source } of byTarget.values()) {
    addMount(model, { path: volume.target, type: volume.type, ...(volume.source !== undefined && { source: volume.source }), readOnly: volume.readOnly, sources: [source] });
  }
  for (const field of allFields(layers, 'tmpfs')) {
    const items = itemsOf(field, true);
    if (!items) report.invalid(field, 'tmpfs must be a path or a list of paths');
    for (const item of items ?? []) {
      const text = scalarText(item.value)?.trim();
      const path = text === undefined ? '' : trimPath(text.split(':')[0] ?? '');
      if (!path.startsWith('/')) {
        report.invalid(item, `tmpfs ${JSON.stringify(item.value)} is not an absolute path`);
        continue;
      }
      addMount(model, { path, type: 'tmpfs', readOnly: false, sources: [sourceOf(item)] });
    }
  }
  addObjectMounts(model, layers, 'secrets', report);
  addObjectMounts(model, layers, 'configs', report);
  const apiSocket = lastField(layers, 'use_api_socket');
  if (apiSocket?.value === true) {
    addMount(model, { path: '/var/run/docker.sock', type: 'bind', source: '/var/run/docker.sock', readOnly: false, sources: [sourceOf(apiSocket, 'use_api_socket mounts the Docker API socket')] });
  }
  for (const volume of dockerfile?.volumes ?? []) {
    const path = trimPath(volume.path);
    if (!model.filesystem.mounts.some((m) => m.path === path)) addMount(model, { path, type: 'volume', readOnly: false, sources: [...volume.sources] });
  }
}

// `secrets:` land read-only under /run/secrets, `configs:` at the root, unless a target says otherwise.
function addObjectMounts(model: IntentModel, layers: readonly Layer[], key: 'secrets' | 'configs', report: Reporter): void {
  const folder = key === 'secrets' ? '/run/secrets' : '';
  for (const field of allFields(layers, key)) {
    for (const item of itemsOf(field) ?? []) {
      const v = item.value;
      const name = typeof v === 'string' ? v : isRecord(v) && typeof v.source === 'string' ? v.source : undefined;
      if (name === undefined || name === '') {
        report.invalid(item, `${key} entries need a name`);
        continue;
      }
      const target = isRecord(v) && typeof v.target === 'string' && v.target !== '' ? v.target : name;
      const path = target.startsWith('/') ? trimPath(target) : `${folder}/${target}`;
      addMount(model, { path, type: key === 'secrets' ? 'secret' : 'other', source: name, readOnly: true, sources: [sourceOf(item)] });
    }
  }
}

function addSecurity(model: IntentModel, layers: readonly Layer[], dockerfile: DockerfileLike | undefined, report: Reporter): void {
  const { security } = model;
  const privileged = lastField(layers, 'privileged');
  if (privileged) {
    const value = booleanOf(privileged.value);
    if (value === undefined) report.invalid(privileged, 'privileged must be true or false');
    else security.privileged = { value, sources: [sourceOf(privileged)] };
  }
  const readOnly = lastField(layers, 'read_only');
  if (readOnly) {
    const value = booleanOf(readOnly.value);
    if (value === undefined) report.invalid(readOnly, 'read_only must be true or false');
    else model.filesystem.readOnlyRoot = value;
  }
  for (const [key, flag] of [['pid', 'hostPID'], ['ipc', 'hostIPC'], ['network_mode', 'hostNetwork']] as const) {
    const field = lastField(layers, key);
    if (field && scalarText(field.value)?.trim() === 'host') security[flag] = { value: true, sources: [sourceOf(field)] };
  }
  const stopSignal = lastField(layers, 'stop_signal');
  const signal = scalarText(stopSignal?.value)?.trim();
  if (stopSignal && signal) security.stopSignal = { value: signal, sources: [sourceOf(stopSignal)] };
  else if (dockerfile?.stopSignal) security.stopSignal = { value: dockerfile.stopSignal.value, sources: [...dockerfile.stopSignal.sources] };

  for (const key of ['cap_add', 'cap_drop'] as const) {
    for (const field of allFields(layers, key)) {
      const names = (itemsOf(field) ?? []).map((item) => scalarText(item.value)?.trim()).filter((c): c is string => !!c);
      if (!Array.isArray(field.value)) report.invalid(field, `${key} must be a list of capabilities`);
      addCapabilities(model, key === 'cap_add' ? names : [], key === 'cap_drop' ? names : [], [sourceOf(field)]);
    }
  }

  for (const field of allFields(layers, 'security_opt')) {
    const items = itemsOf(field);
    if (!items) report.invalid(field, 'security_opt must be a list');
    for (const item of items ?? []) {
      const text = scalarText(item.value)?.trim() ?? '';
      const match = /^([a-z-]+)(?:[=:](.*))?$/.exec(text);
      const [, option, value] = match ?? [];
      const sources = [sourceOf(item)];
      if (option === 'seccomp' && value !== undefined && value !== '') {
        security.seccompProfile = { value: value === 'unconfined' ? 'Unconfined' : value, sources };
      } else if (option === 'no-new-privileges') {
        const off = value !== undefined && value !== '' && booleanOf(value) === false;
        security.allowPrivilegeEscalation = { value: off, sources };
      }
    }
  }
}

function hostnamesOf(unit: ServiceUnit, container: string | undefined): string[] {
  const names = new Set([unit.name]);
  if (container !== undefined) names.add(container);
  for (const field of allFields(unit.layers, 'networks')) {
    for (const [, network] of entriesOf(field) ?? []) {
      for (const alias of itemsOf(child(network, 'aliases')) ?? []) {
        const text = scalarText(alias.value)?.trim();
        if (text) names.add(text);
      }
    }
  }
  return [...names];
}

function networkScope(layers: readonly Layer[]): NetworkScope {
  const mode = scalarText(lastField(layers, 'network_mode')?.value)?.trim();
  if (mode === 'host') return { kind: 'host' };
  if (mode === 'none') return { kind: 'networks', names: new Set() };
  if (mode?.startsWith('service:')) return { kind: 'service', service: mode.slice('service:'.length) };
  if (mode !== undefined && mode !== '' && mode !== 'bridge' && mode !== 'default') return { kind: 'unknown' };
  if (mode === 'bridge') return { kind: 'networks', names: new Set(['<bridge>']) };
  const names = new Set<string>();
  let declared = false;
  for (const field of allFields(layers, 'networks')) {
    declared = true;
    for (const item of itemsOf(field) ?? []) {
      const text = scalarText(item.value);
      if (text) names.add(text);
    }
    for (const [network] of entriesOf(field) ?? []) names.add(network);
  }
  // A service that names no network joins the project's default one.
  return { kind: 'networks', names: declared ? names : new Set(['default']) };
}

function dependenciesOf(layers: readonly Layer[], report: Reporter): Dependency[] {
  const out: Dependency[] = [];
  const add = (kind: Dependency['kind'], service: string, host: string, item: Field) => {
    if (service !== '') out.push({ kind, service, host, source: sourceOf(item), location: locationOf(item) });
  };
  for (const field of allFields(layers, 'depends_on')) {
    const items = itemsOf(field);
    for (const item of items ?? []) {
      const text = scalarText(item.value)?.trim();
      if (text !== undefined) add('depends_on', text, text, item);
    }
    const entries = entriesOf(field);
    for (const [service, item] of entries ?? []) add('depends_on', service, service, item);
    if (!items && !entries) report.invalid(field, 'depends_on must be a list or a map');
  }
  for (const field of allFields(layers, 'links')) {
    for (const item of itemsOf(field) ?? []) {
      const [service = '', alias] = (scalarText(item.value) ?? '').trim().split(':');
      add('links', service, alias?.trim() || service, item);
    }
  }
  return out;
}

function linkAliases(layers: readonly Layer[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const field of allFields(layers, 'links')) {
    for (const item of itemsOf(field) ?? []) {
      const [service = '', alias] = (scalarText(item.value) ?? '').trim().split(':');
      if (service !== '') aliases.set((alias?.trim() || service).toLowerCase(), service);
    }
  }
  return aliases;
}

function externalNames(layers: readonly Layer[]): string[] {
  const names: string[] = [];
  for (const field of allFields(layers, 'external_links')) {
    for (const item of itemsOf(field) ?? []) {
      for (const part of (scalarText(item.value) ?? '').split(':')) if (part.trim() !== '') names.push(part.trim().toLowerCase());
    }
  }
  return names;
}
