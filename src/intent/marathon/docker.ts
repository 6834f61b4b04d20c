import type { IntentModel, MountEntry, Source } from '../../model/index.ts';
import { addCapabilities, addListen, addMount } from '../common/model-builder.ts';
import { setVar, type Environment } from './env.ts';
import { boolOf, child, isPresent, listOf, mapOf, report, sourceOf, stringOf, type Context, type Node } from './node.ts';

/** What the Docker settings of an app say beyond what they write into the model. */
export interface DockerSettings {
  /** `--user`, which wins over the app's `user`. */
  user?: { value: string; node: Node };
  /** `--entrypoint`, the executable that `args` are handed to. */
  entrypoint?: { value: string; node: Node };
}

const TRUE = new Set(['', 'true', '1']);

// As for `docker run -v SRC:DST[:OPTS]`, an absolute source is a host path and any other a named volume.
function volumeMount(spec: string, sources: Source[]): MountEntry | undefined {
  const [first, second, options] = spec.split(':');
  if (first === undefined || first === '') return undefined;
  if (second === undefined) return { path: first, type: 'volume', readOnly: false, sources };
  const readOnly = (options ?? '').split(',').includes('ro');
  return { path: second, type: first.startsWith('/') ? 'hostPath' : 'volume', source: first, readOnly, sources };
}

function mountOption(spec: string, sources: Source[]): MountEntry | undefined {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    fields.set((eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase(), eq === -1 ? 'true' : part.slice(eq + 1).trim());
  }
  const path = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (path === undefined || path === '') return undefined;
  const source = fields.get('source') ?? fields.get('src');
  const kind = fields.get('type') ?? 'volume';
  const type = kind === 'bind' ? 'hostPath' : kind === 'tmpfs' ? 'tmpfs' : 'volume';
  const readOnly = ['readonly', 'ro'].some((k) => TRUE.has(fields.get(k) ?? 'false'));
  return { path, type, ...(source !== undefined && source !== '' && { source }), readOnly, sources };
}

// `-p [IP:][HOST:]CONTAINER[-END][/PROTO]`; the process listens on the container port(s).
function publish(model: IntentModel, spec: string, sources: Source[]): boolean {
  const slash = spec.lastIndexOf('/');
  const protocol = (slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase());
  const parts = (slash === -1 ? spec : spec.slice(0, slash)).trim().split(':');
  const range = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(parts[parts.length - 1] ?? '');
  const hostText = parts.length > 1 ? parts[parts.length - 2] ?? '' : '';
  const port = Number(range?.[1]);
  const endPort = range?.[2] === undefined ? undefined : Number(range[2]);
  const hostPort = /^\d{1,5}$/.test(hostText) ? Number(hostText) : undefined;
  if (!range || port < 1 || port > 65535 || (endPort !== undefined && (endPort < port || endPort > 65535)) || (hostPort !== undefined && hostPort > 65535)) return false;
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') return false;
  addListen(model, { port, ...(endPort !== undefined && { endPort }), protocol, ...(hostPort !== undefined && hostPort > 0 && { hostPort }), sources });
  return true;
}

function securityOption(model: IntentModel, option: string, sources: Source[]): void {
  const m = /^([a-z-]+)(?:[=:](.*))?$/i.exec(option.trim());
  const name = m?.[1]?.toLowerCase();
  const value = m?.[2] ?? '';
  if (name === 'seccomp' && value !== '') {
    model.security.seccompProfile = { value: value === 'unconfined' ? 'Unconfined' : value, sources };
  } else if (name === 'no-new-privileges' && TRUE.has(value.toLowerCase())) {
    model.security.allowPrivilegeEscalation = { value: false, sources };
  }
}

/**
 * Applies `container.docker`: `privileged`, and the `parameters` handed to
 * `docker run` (capabilities, user, read-only root, security options, host
 * namespaces, extra mounts, env and published ports). Unknown parameters change
 * nothing the model holds.
 */
export function applyDocker(ctx: Context, model: IntentModel, docker: Node, env: Environment): DockerSettings {
  const settings: DockerSettings = {};
  const privilegedNode = child(docker, 'privileged');
  const privileged = boolOf(ctx, privilegedNode);
  if (privileged !== undefined) model.security.privileged = { value: privileged, sources: [sourceOf(privilegedNode)] };

  for (const item of listOf(ctx, child(docker, 'parameters'))) {
    if (!mapOf(ctx, item)) continue;
    const key = stringOf(ctx, child(item, 'key'))?.replace(/^-+/, '').toLowerCase();
    const valueNode = child(item, 'value');
    const value = isPresent(valueNode) ? stringOf(ctx, valueNode) : '';
    if (key === undefined || key === '' || value === undefined) {
      if (key === '') report(ctx, 'TN007', 'docker parameter has an empty key; ignored', item);
      continue;
    }
    const sources = [sourceOf(item)];
    const flag = (on: boolean) => ({ value: on, sources });
    switch (key) {
      case 'cap-add':
        addCapabilities(model, [value], [], sources);
        break;
      case 'cap-drop':
        addCapabilities(model, [], [value], sources);
        break;
      case 'user':
      case 'u':
        if (value.trim() !== '') settings.user = { value: value.trim(), node: item };
        break;
      case 'read-only':
        model.filesystem.readOnlyRoot = TRUE.has(value.trim().toLowerCase());
        break;
      case 'privileged':
        model.security.privileged = flag(TRUE.has(value.trim().toLowerCase()));
        break;
      case 'net':
      case 'network':
        if (value === 'host') model.security.hostNetwork = flag(true);
        break;
      case 'pid':
        if (value === 'host') model.security.hostPID = flag(true);
        break;
      case 'ipc':
        if (value === 'host') model.security.hostIPC = flag(true);
        break;
      case 'security-opt':
        securityOption(model, value, sources);
        break;
      case 'volume':
      case 'v':
      case 'mount':
      case 'tmpfs': {
        const mount = key === 'mount'
          ? mountOption(value, sources)
          : key === 'tmpfs'
            ? (value.split(':')[0] ?? '') !== '' ? { path: value.split(':')[0] ?? '', type: 'tmpfs' as const, readOnly: false, sources } : undefined
            : volumeMount(value, sources);
        if (mount) addMount(model, mount);
        else report(ctx, 'TN007', `docker parameter ${key} ${JSON.stringify(value)} names no mount; ignored`, valueNode);
        break;
      }
      case 'env':
      case 'e': {
        const eq = value.indexOf('=');
        // `-e NAME` alone copies the agent's variable, whose value is not in the definition.
        if (eq > 0) setVar(env, { name: value.slice(0, eq), value: value.slice(eq + 1), source: sourceOf(item) }, item);
        break;
      }
      case 'entrypoint':
        if (value.trim() !== '') settings.entrypoint = { value: value.trim(), node: item };
        break;
      case 'publish':
      case 'p':
        if (!publish(model, value, sources)) report(ctx, 'TN007', `docker parameter publish ${JSON.stringify(value)} is not [IP:][HOST:]PORT[/PROTOCOL]; ignored`, valueNode);
        break;
      default:
        break;
    }
  }
  return settings;
}

/**
 * `linuxInfo` of an app or pod: a seccomp profile, and an IPC namespace shared
 * with the parent, which for an app or a pod is the agent's.
 */
export function applyLinuxInfo(ctx: Context, model: IntentModel, linuxInfo: Node, ipcIsHost: boolean): void {
  if (!mapOf(ctx, linuxInfo)) return;
  const seccomp = child(linuxInfo, 'seccomp');
  if (mapOf(ctx, seccomp)) {
    const unconfined = boolOf(ctx, child(seccomp, 'unconfined'));
    const profile = stringOf(ctx, child(seccomp, 'profileName'));
    if (unconfined === true) model.security.seccompProfile = { value: 'Unconfined', sources: [sourceOf(seccomp)] };
    else if (profile !== undefined && profile !== '') model.security.seccompProfile = { value: `Localhost/${profile}`, sources: [sourceOf(seccomp)] };
  }
  const mode = child(linuxInfo, 'ipcInfo', 'mode');
  if (ipcIsHost && stringOf(ctx, mode) === 'SHARE_PARENT') model.security.hostIPC = { value: true, sources: [sourceOf(mode)] };
}
