import type { Protocol } from '../../model/index.ts';
import { processesOf, splitWords } from '../common/command.ts';
import { addProcesses } from '../common/model-builder.ts';
import { peerReferences, peerReferencesInArgs, type PeerReference } from '../common/peers.ts';
import type { RunSpec } from './collect.ts';
import { applyPodCheck, mesosCommand } from './checks.ts';
import { applyLinuxInfo } from './docker.ts';
import { emptyEnvironment, looksLikeSecret, readEnvironment, type Environment } from './env.ts';
import {
  boolOf, child, invalid, isPresent, listOf, mapOf, portOf, protocolsOf, report, sourceOf, stringMapOf, stringOf, type Context, type Node,
} from './node.ts';
import { addPortListen, vipsOf, type Network, type NetworkMode, type PortItem } from './ports.ts';
import { applyNetwork, checkImage, checkSecrets, newModel, type Service, type Shared } from './service.ts';
import { applyVolumeMounts, readPodVolumes, readSecrets } from './volumes.ts';

const MODES: Record<string, NetworkMode> = { host: 'host', container: 'container', 'container/bridge': 'bridge' };

// All containers of a pod share one network; without `networks` it is the agent's.
function podNetwork(ctx: Context, pod: Node): Network {
  for (const item of listOf(ctx, child(pod, 'networks'))) {
    if (!mapOf(ctx, item)) continue;
    const modeNode = child(item, 'mode');
    const mode = isPresent(modeNode) ? stringOf(ctx, modeNode) : 'container';
    if (mode === undefined) continue;
    if (Object.hasOwn(MODES, mode)) return { mode: MODES[mode] ?? 'container', node: isPresent(modeNode) ? modeNode : item };
    invalid(ctx, modeNode, 'host, container or container/bridge');
  }
  return { mode: 'host' };
}

// With host networking the process binds the host port, otherwise the container port, where 0
// means the host port Marathon assigns.
function readEndpoints(ctx: Context, container: Node, network: Network): Array<PortItem | undefined> {
  return listOf(ctx, child(container, 'endpoints')).map((entry, index) => {
    if (!mapOf(ctx, entry)) return undefined;
    const name = stringOf(ctx, child(entry, 'name'));
    const hostNode = child(entry, 'hostPort');
    const hostPort = portOf(ctx, hostNode);
    const containerPort = portOf(ctx, child(entry, 'containerPort'));
    const port = network.mode === 'host' ? hostPort ?? 0 : containerPort || hostPort || 0;
    const protocols: Protocol[] = protocolsOf(ctx, child(entry, 'protocol'));
    return {
      index,
      ...(name !== undefined && name !== '' && { name }),
      port,
      protocols,
      ...(network.mode !== 'host' && hostPort !== undefined && hostPort > 0 && { hostPort, hostPortNode: hostNode }),
      vips: vipsOf(stringMapOf(ctx, child(entry, 'labels'))),
      vhosts: [],
      source: sourceOf(entry, port === 0 ? `Marathon assigns this port when the task starts ($ENDPOINT_${(name ?? String(index)).toUpperCase()})` : undefined),
    };
  });
}

/**
 * One model per container of a pod: image, user (the container's, else the pod's),
 * the pod's network, endpoints, command, checks, volume mounts and env peers.
 */
export function analyzePod(s: Shared, spec: RunSpec): Service {
  const { ctx } = s;
  const pod = spec.node;
  const network = podNetwork(ctx, pod);
  const podEnv = emptyEnvironment();
  readEnvironment(ctx, podEnv, child(pod, 'environment'));
  for (const v of podEnv.literals) {
    if (looksLikeSecret(v.name, v.value)) report(ctx, 'TN112', `MarathonPod ${spec.id}: env ${v.name} holds a literal secret`, v.node);
  }
  const secrets = readSecrets(ctx, child(pod, 'secrets'));
  const volumes = readPodVolumes(ctx, child(pod, 'volumes'), secrets);
  const podUserNode = child(pod, 'user');
  const podUser = stringOf(ctx, podUserNode);
  const service: Service = { spec, kind: 'MarathonPod', models: [], ports: [], clients: [], dependencies: [...spec.groupDependencies] };
  const names = new Set<string>();

  for (const container of listOf(ctx, child(pod, 'containers'))) {
    if (!mapOf(ctx, container)) continue;
    const nameNode = child(container, 'name');
    const name = stringOf(ctx, nameNode);
    if (name === undefined || name === '' || names.has(name)) {
      report(ctx, 'TN007', name ? `container name ${name} is used twice in the pod; the second is skipped` : 'pod container has no name; skipped', name ? nameNode : container);
      continue;
    }
    names.add(name);
    const imageNode = child(container, 'image', 'id');
    const imageId = mapOf(ctx, child(container, 'image')) ? stringOf(ctx, imageNode) : undefined;
    const image = imageId !== undefined && imageId.trim() !== '' ? imageId.trim() : undefined;
    const model = newModel(s, image, `marathon:${spec.id}/${name}`, { kind: 'MarathonPod', name: spec.id, container: name, sources: [sourceOf(container)] }, spec.group);
    if (image !== undefined) checkImage(ctx, model, image, imageNode);

    const userNode = child(container, 'user');
    const user = stringOf(ctx, userNode);
    if (user !== undefined && user.trim() !== '') model.security.user = { value: user.trim(), sources: [sourceOf(userNode)] };
    else if (podUser !== undefined && podUser.trim() !== '') model.security.user = { value: podUser.trim(), sources: [sourceOf(podUserNode)] };
    applyNetwork(model, network, pod);
    applyLinuxInfo(ctx, model, child(pod, 'linuxInfo'), true);
    // A container's IPC mode SHARE_PARENT shares the pod's namespace, not the agent's.
    applyLinuxInfo(ctx, model, child(container, 'linuxInfo'), false);

    const endpoints = readEndpoints(ctx, container, network);
    for (const item of endpoints) if (item) addPortListen(ctx, model, item);
    service.ports.push(...endpoints.filter((e): e is PortItem => e !== undefined));
    applyVolumeMounts(ctx, model, child(container, 'volumeMounts'), volumes, image !== undefined);

    // The pod's variables, overridden by the container's; the pod's literals were checked once above.
    const env: Environment = { vars: [...podEnv.vars], literals: [] };
    readEnvironment(ctx, env, child(container, 'environment'));
    checkSecrets(ctx, model, env);

    const refs: PeerReference[] = peerReferences(env.vars);
    const commandNode = child(container, 'exec', 'command');
    const command = isPresent(commandNode) ? mesosCommand(ctx, commandNode) : undefined;
    if (command) {
      // An argv with an image is handed to the image's entrypoint unless overrideEntrypoint says it replaces it.
      const overrides = command.shell !== undefined || image === undefined || boolOf(ctx, child(container, 'exec', 'overrideEntrypoint')) === true;
      if (overrides) addProcesses(model, processesOf(command.argv, 'main', [sourceOf(commandNode)], model.security.user?.value));
      const words = command.shell !== undefined ? splitWords(command.shell) : command.argv;
      refs.push(...peerReferencesInArgs(words, s.knownHosts, sourceOf(commandNode)));
    }
    applyPodCheck(ctx, model, child(container, 'healthCheck'), endpoints, 'healthcheck', model.security.user?.value);
    applyPodCheck(ctx, model, child(container, 'check'), endpoints, 'probe', model.security.user?.value);

    service.models.push(model);
    service.clients.push({ model, refs });
  }
  if (service.models.length === 0) report(ctx, 'TN007', `pod ${spec.id} has no usable container; nothing modelled`, child(pod, 'containers'));
  return service;
}
