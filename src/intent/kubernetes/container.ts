import {
  emptyModel, type BooleanFlag, type IntentModel, type MountType, type ProcessRole, type Source, type StringFlag,
} from '../../model/index.ts';
import { describe } from '../checks/check.ts';
import { combineEntrypoint, processesOf, type CommandForm } from '../common/command.ts';
import { addCapabilities, addListen, addMount, addProcesses } from '../common/model-builder.ts';
import { peerReferences, peerReferencesInArgs, type PeerReference } from '../common/peers.ts';
import { containerEnv, expandVariables, looksLikeSecret, type ConfigMaps } from './env.ts';
import { isFloating, isValidDigest, parseImage } from '../common/image-ref.ts';
import {
  boolOf, child, intOf, isPresent, listOf, mapOf, namedPortOf, portOf, protocolOf, report, sourceOf, stringOf, stringsOf,
  type Context, type KubeObject, type Node,
} from './node.ts';

/** What every container of one analysis shares. */
export interface Shared {
  ctx: Context;
  configMaps: ConfigMaps;
  /** Names of all Services in the input, to recognise peers in command-line arguments. */
  serviceNames: ReadonlySet<string>;
  /** How many models already took each image digest as their id. */
  digests: Map<string, number>;
}

export interface Volume {
  type: MountType;
  source?: string;
  /** ConfigMap, Secret, projected and downward API volumes are always mounted read-only. */
  alwaysReadOnly: boolean;
  declared: Source;
}

/** The settings of a pod that each of its containers inherits. */
export interface Pod {
  obj: KubeObject;
  securityContext: Node | undefined;
  hostNetwork?: BooleanFlag;
  hostPID?: BooleanFlag;
  hostIPC?: BooleanFlag;
  /** From the legacy `seccomp.security.alpha.kubernetes.io/pod` annotation. */
  seccompAnnotation?: StringFlag;
  /** From `container.seccomp.security.alpha.kubernetes.io/<container>` annotations. */
  containerSeccompAnnotations: ReadonlyMap<string, StringFlag>;
  volumes: ReadonlyMap<string, Volume>;
}

export interface ContainerResult {
  model: IntentModel;
  refs: PeerReference[];
  /** Named ports of the container, for probes and Services' named targetPorts. */
  portNames: Map<string, number>;
}

function seccompOf(ctx: Context, node: Node): string | undefined {
  if (!mapOf(ctx, node)) return undefined;
  const typeNode = child(node, 'type');
  const type = stringOf(ctx, typeNode);
  if (type === 'RuntimeDefault' || type === 'Unconfined') return type;
  if (type === 'Localhost') {
    const profile = stringOf(ctx, child(node, 'localhostProfile'));
    return profile === undefined ? 'Localhost' : `Localhost/${profile}`;
  }
  if (type !== undefined) report(ctx, 'TN007', `seccompProfile type must be RuntimeDefault, Unconfined or Localhost, not ${JSON.stringify(type)}; ignored`, typeNode);
  return undefined;
}

/** The legacy annotation values: `runtime/default`, `docker/default`, `unconfined`, `localhost/<path>`. */
export function seccompOfAnnotation(value: string): string | undefined {
  if (value === 'runtime/default' || value === 'docker/default') return 'RuntimeDefault';
  if (value === 'unconfined') return 'Unconfined';
  if (value.startsWith('localhost/')) return `Localhost/${value.slice('localhost/'.length)}`;
  return undefined;
}

// A container's setting, else the pod's: the container wins.
function merged<T>(ctx: Context, read: (ctx: Context, node: Node) => T | undefined, key: string, ...contexts: Array<Node | undefined>): { value: T; node: Node } | undefined {
  for (const sc of contexts) {
    if (!sc) continue;
    const node = child(sc, key);
    const value = read(ctx, node);
    if (value !== undefined) return { value, node };
  }
  return undefined;
}

const flagOf = <T>(found: { value: T; node: Node } | undefined): { value: T; sources: Source[] } | undefined =>
  found && { value: found.value, sources: [sourceOf(found.node)] };

function applySecurity(s: Shared, model: IntentModel, pod: Pod, container: Node, name: string): void {
  const { ctx } = s;
  const sc = mapOf(ctx, child(container, 'securityContext'));
  const security = model.security;
  const uid = merged(ctx, (c, n) => intOf(c, n, 0, 2147483647), 'runAsUser', sc, pod.securityContext);
  if (uid) security.user = { value: String(uid.value), sources: [sourceOf(uid.node)] };
  const nonRoot = flagOf(merged(ctx, boolOf, 'runAsNonRoot', sc, pod.securityContext));
  if (nonRoot) security.runAsNonRoot = nonRoot;
  if (sc) {
    const privileged = flagOf(merged(ctx, boolOf, 'privileged', sc));
    if (privileged) security.privileged = privileged;
    const escalation = flagOf(merged(ctx, boolOf, 'allowPrivilegeEscalation', sc));
    if (escalation) security.allowPrivilegeEscalation = escalation;
    model.filesystem.readOnlyRoot = boolOf(ctx, child(sc, 'readOnlyRootFilesystem')) === true;
    const caps = mapOf(ctx, child(sc, 'capabilities'));
    if (caps) addCapabilities(model, stringsOf(ctx, child(caps, 'add')) ?? [], stringsOf(ctx, child(caps, 'drop')) ?? [], [sourceOf(caps)]);
  }
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    const flag = pod[key];
    if (flag) security[key] = flag;
  }
  const seccomp = flagOf(merged(ctx, seccompOf, 'seccompProfile', sc))
    ?? pod.containerSeccompAnnotations.get(name)
    ?? flagOf(merged(ctx, seccompOf, 'seccompProfile', pod.securityContext))
    ?? pod.seccompAnnotation;
  if (seccomp) security.seccompProfile = seccomp;
}

function applyPorts(s: Shared, model: IntentModel, container: Node): Map<string, number> {
  const { ctx } = s;
  const names = new Map<string, number>();
  for (const entry of listOf(ctx, child(container, 'ports'))) {
    if (!mapOf(ctx, entry)) continue;
    const portNode = child(entry, 'containerPort');
    const port = portOf(ctx, portNode);
    if (port === undefined) {
      if (!isPresent(portNode)) report(ctx, 'TN007', 'port has no containerPort; ignored', entry);
      continue;
    }
    const name = stringOf(ctx, child(entry, 'name'));
    const hostPortNode = child(entry, 'hostPort');
    // The API serialises an unset hostPort as 0.
    const hostPort = intOf(ctx, hostPortNode, 0, 65535) || undefined;
    addListen(model, {
      port,
      protocol: protocolOf(ctx, child(entry, 'protocol')) ?? 'tcp',
      ...(name !== undefined && name !== '' && { name }),
      ...(hostPort !== undefined && { hostPort }),
      sources: [sourceOf(entry)],
    });
    if (name !== undefined && name !== '' && !names.has(name)) names.set(name, port);
    if (hostPort !== undefined) {
      report(ctx, 'TN117', `${describe(model)} binds port ${port} on the node as host port ${hostPort}`, hostPortNode, model.id);
    }
  }
  return names;
}

function applyHandler(s: Shared, model: IntentModel, handler: Node, role: ProcessRole, what: string, ports: ReadonlyMap<string, number>, user: string | undefined): void {
  const { ctx } = s;
  if (!mapOf(ctx, handler)) return;
  const command = child(handler, 'exec', 'command');
  const argv = stringsOf(ctx, command);
  if (argv && argv.length > 0) addProcesses(model, processesOf(argv, role, [sourceOf(command, `${what} runs this`)], user));
  for (const kind of ['httpGet', 'tcpSocket', 'grpc']) {
    const action = child(handler, kind);
    if (!mapOf(ctx, action)) continue;
    const portNode = child(action, 'port');
    const port = namedPortOf(ctx, portNode, ports);
    if (port === undefined) continue;
    addListen(model, { port, protocol: 'tcp', sources: [sourceOf(portNode, `${what} connects to this port`)] });
  }
}

function applyMounts(s: Shared, model: IntentModel, pod: Pod, container: Node): void {
  const { ctx } = s;
  for (const entry of listOf(ctx, child(container, 'volumeMounts'))) {
    if (!mapOf(ctx, entry)) continue;
    const path = stringOf(ctx, child(entry, 'mountPath'));
    const nameNode = child(entry, 'name');
    const name = stringOf(ctx, nameNode);
    if (path === undefined || path === '' || name === undefined) {
      report(ctx, 'TN007', 'volumeMount needs a name and a mountPath; ignored', entry);
      continue;
    }
    const volume = pod.volumes.get(name);
    if (!volume) {
      report(ctx, 'TN007', `volumeMount ${path} refers to volume ${JSON.stringify(name)}, which the pod does not define; ignored`, nameNode);
      continue;
    }
    const subPath = stringOf(ctx, child(entry, 'subPath'));
    const source = volume.type === 'hostPath' && volume.source !== undefined && subPath
      ? `${volume.source.replace(/\/+$/, '')}/${subPath.replace(/^\/+/, '')}`
      : volume.source;
    addMount(model, {
      path,
      type: volume.type,
      ...(source !== undefined && { source }),
      readOnly: volume.alwaysReadOnly || boolOf(ctx, child(entry, 'readOnly')) === true,
      sources: [sourceOf(entry), volume.declared],
    });
  }
}

function modelId(s: Shared, image: string | undefined, workloadRef: string): string {
  const digest = image === undefined ? undefined : parseImage(image).digest;
  if (digest === undefined || !isValidDigest(digest)) return workloadRef;
  const taken = s.digests.get(digest) ?? 0;
  s.digests.set(digest, taken + 1);
  return taken === 0 ? digest : `${digest}#${workloadRef}`;
}

/**
 * The model of one container of a pod: its main process, ports, probes and hooks,
 * security settings merged with the pod's, mounts, and the peers its environment
 * and arguments name (resolved into egress and edges later, once all Services are known).
 */
export function analyzeContainer(s: Shared, pod: Pod, container: Node, name: string, init: boolean): ContainerResult {
  const { ctx } = s;
  const { obj } = pod;
  const imageNode = child(container, 'image');
  const image = stringOf(ctx, imageNode) || undefined;
  const workloadRef = `k8s:${obj.namespace}/${obj.kind}/${obj.name}/${name}`;
  const imageRef = image === undefined ? undefined : parseImage(image);
  const model = emptyModel(modelId(s, image, workloadRef), {
    ...(image !== undefined && { image }),
    workload: { kind: obj.kind, namespace: obj.namespace, name: obj.name, container: name, sources: [sourceOf(container)] },
    app: obj.namespace,
  });
  if (imageRef?.digest !== undefined && !isValidDigest(imageRef.digest)) {
    report(ctx, 'TN007', `image digest ${JSON.stringify(imageRef.digest)} is not a valid digest; ignored`, imageNode, model.id);
  }
  if (image !== undefined && imageRef && isFloating(imageRef)) {
    const why = imageRef.tag === undefined || imageRef.tag === '' ? 'has no tag' : 'uses the latest tag';
    report(ctx, 'TN113', `${describe(model)}: image ${image} ${why}`, imageNode, model.id);
  }

  applySecurity(s, model, pod, container, name);
  const user = model.security.user?.value;
  const portNames = applyPorts(s, model, container);

  const { env, literals } = containerEnv(ctx, container, obj.namespace, s.configMaps);
  for (const v of literals) {
    if (looksLikeSecret(v.name, v.value)) report(ctx, 'TN112', `${describe(model)}: env ${v.name} holds a literal secret`, v.node, model.id);
  }
  const values = new Map(env.map((v) => [v.name, v.value]));
  const commandNode = child(container, 'command');
  const argsNode = child(container, 'args');
  const command = (stringsOf(ctx, commandNode) ?? []).map((a) => expandVariables(a, values));
  const args = (stringsOf(ctx, argsNode) ?? []).map((a) => expandVariables(a, values));
  // A sidecar (an init container that keeps running) is a main process of the pod.
  const sidecar = init && child(container, 'restartPolicy').value === 'Always';
  const role: ProcessRole = init && !sidecar ? 'init' : 'main';
  // Without `command` the image's ENTRYPOINT runs, which a manifest does not show.
  if (command.length > 0) {
    const entrypoint: CommandForm = { form: 'exec', argv: command, sources: [sourceOf(commandNode)] };
    const cmd: CommandForm | undefined = args.length > 0 ? { form: 'exec', argv: args, sources: [sourceOf(argsNode)] } : undefined;
    const main = combineEntrypoint(entrypoint, cmd);
    if (main) addProcesses(model, processesOf(main.argv, role, main.sources, user));
  }

  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    applyHandler(s, model, child(container, probe), 'probe', probe, portNames, user);
  }
  for (const hook of ['postStart', 'preStop']) {
    applyHandler(s, model, child(container, 'lifecycle', hook), 'lifecycle', `${hook} hook`, portNames, user);
  }
  applyMounts(s, model, pod, container);

  const refs = [
    ...peerReferences(env),
    ...peerReferencesInArgs(command, s.serviceNames, sourceOf(commandNode)),
    ...peerReferencesInArgs(args, s.serviceNames, sourceOf(argsNode)),
  ];
  return { model, refs, portNames };
}
