import type { IntentModel } from '../../model/index.ts';
import { DEFAULT_SHELL, processesOf, splitWords } from '../common/command.ts';
import { addProcesses } from '../common/model-builder.ts';
import { peerReferences, peerReferencesInArgs, type PeerReference } from '../common/peers.ts';
import { readDependencies, type RunSpec } from './collect.ts';
import { applyAppChecks } from './checks.ts';
import { applyDocker, applyLinuxInfo, type DockerSettings } from './docker.ts';
import { emptyEnvironment, readEnvironment } from './env.ts';
import { child, invalid, isPresent, mapOf, sourceOf, stringMapOf, stringOf, stringsOf, type Node } from './node.ts';
import { appNetwork, appPorts, type PortItem } from './ports.ts';
import { applyNetwork, checkImage, checkSecrets, newModel, type Service, type Shared } from './service.ts';
import { applyAppVolumes, readSecrets } from './volumes.ts';

// Docker and UCR apps name their image in container.docker, the oldest UCR apps in container.appc.
function imageOf(s: Shared, container: Node | undefined): { image: string; node: Node } | undefined {
  if (!container) return undefined;
  for (const engine of ['docker', 'appc']) {
    const settings = mapOf(s.ctx, child(container, engine));
    if (!settings) continue;
    const node = child(settings, 'image');
    const image = stringOf(s.ctx, node);
    if (image !== undefined && image.trim() !== '') return { image: image.trim(), node };
  }
  return undefined;
}

// `cmd` runs under /bin/sh -c (Mesos overrides a Docker entrypoint for it), while `args` name the
// executable only without an image, as Marathon then takes args[0], and otherwise go to the
// image's entrypoint, unknown until the image is read unless a --entrypoint parameter names it.
function applyCommand(s: Shared, spec: RunSpec, model: IntentModel, hasImage: boolean, docker: DockerSettings): PeerReference[] {
  const { ctx } = s;
  const refs: PeerReference[] = [];
  const user = model.security.user?.value;
  const cmdNode = child(spec.node, 'cmd');
  const cmd = stringOf(ctx, cmdNode);
  if (cmd !== undefined && cmd.trim() !== '') {
    addProcesses(model, processesOf([...DEFAULT_SHELL, cmd], 'main', [sourceOf(cmdNode)], user));
    refs.push(...peerReferencesInArgs(splitWords(cmd), s.knownHosts, sourceOf(cmdNode)));
  }
  const argsNode = child(spec.node, 'args');
  const args = stringsOf(ctx, argsNode) ?? [];
  if (args.length > 0) {
    if (docker.entrypoint) {
      addProcesses(model, processesOf([docker.entrypoint.value, ...args], 'main', [sourceOf(docker.entrypoint.node), sourceOf(argsNode)], user));
    } else if (!hasImage) {
      addProcesses(model, processesOf(args, 'main', [sourceOf(argsNode)], user));
    }
    refs.push(...peerReferencesInArgs(args, s.knownHosts, sourceOf(argsNode)));
  }
  return refs;
}

/**
 * The model of one app: image, user, network and ports, Docker settings, volumes,
 * commands and checks, env peers and dependencies (resolved into egress and edges
 * once every app of the input is known).
 */
export function analyzeApp(s: Shared, spec: RunSpec): Service {
  const { ctx } = s;
  const app = spec.node;
  const container = mapOf(ctx, child(app, 'container'));
  if (container) {
    const typeNode = child(container, 'type');
    const type = stringOf(ctx, typeNode);
    if (type !== undefined && type.toUpperCase() !== 'DOCKER' && type.toUpperCase() !== 'MESOS') invalid(ctx, typeNode, 'DOCKER or MESOS');
  }
  const found = imageOf(s, container);
  const model = newModel(s, found?.image, `marathon:${spec.id}`, { kind: 'MarathonApp', name: spec.id, sources: [sourceOf(app)] }, spec.group);
  if (found) checkImage(ctx, model, found.image, found.node);

  const userNode = child(app, 'user');
  const user = stringOf(ctx, userNode);
  if (user !== undefined && user.trim() !== '') model.security.user = { value: user.trim(), sources: [sourceOf(userNode)] };

  const network = appNetwork(ctx, app);
  const env = emptyEnvironment();
  readEnvironment(ctx, env, child(app, 'env'));
  const docker = container ? mapOf(ctx, child(container, 'docker')) : undefined;
  const settings = docker ? applyDocker(ctx, model, docker, env) : {};
  if (settings.user) model.security.user = { value: settings.user.value, sources: [sourceOf(settings.user.node)] };
  applyNetwork(model, network, app);
  if (container) applyLinuxInfo(ctx, model, child(container, 'linuxInfo'), true);

  const labels = stringMapOf(ctx, child(app, 'labels'));
  const ports = appPorts(ctx, model, app, network, labels);
  if (container && isPresent(child(container, 'volumes'))) {
    applyAppVolumes(ctx, model, child(container, 'volumes'), found !== undefined, readSecrets(ctx, child(app, 'secrets')));
  }

  const commandRefs = applyCommand(s, spec, model, found !== undefined, settings);
  applyAppChecks(ctx, model, app, ports, model.security.user?.value);
  checkSecrets(ctx, model, env);
  return {
    spec,
    kind: 'MarathonApp',
    models: [model],
    ports: ports.filter((p): p is PortItem => p !== undefined),
    clients: [{ model, refs: [...peerReferences(env.vars), ...commandRefs] }],
    dependencies: [...spec.groupDependencies, ...readDependencies(ctx, child(app, 'dependencies'), spec.group)],
  };
}
