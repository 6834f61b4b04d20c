import { emptyModel, type IntentModel, type Source, type Workload } from '../../model/index.ts';
import { describe } from '../checks/check.ts';
import type { PeerReference } from '../common/peers.ts';
import type { Dependency, RunSpec } from './collect.ts';
import { looksLikeSecret, type Environment } from './env.ts';
import { digestOf, floatingReason, parseImage } from '../common/image-ref.ts';
import { report, sourceOf, type Context, type Node } from './node.ts';
import type { Network, PortItem } from './ports.ts';

/** One app or pod analysed: its models, the ports clients reach it on, and whom it names as peers. */
export interface Service {
  spec: RunSpec;
  kind: 'MarathonApp' | 'MarathonPod';
  models: IntentModel[];
  ports: PortItem[];
  clients: Array<{ model: IntentModel; refs: PeerReference[] }>;
  dependencies: Dependency[];
}

/** What every app and pod of one analysis shares. */
export interface Shared {
  ctx: Context;
  /** How many models already took each image digest as their id. */
  digests: Map<string, number>;
  /** First DNS labels of the apps and pods of the input, to recognise peers in command lines. */
  knownHosts: ReadonlySet<string>;
}

/** The image digest when the image pins one (the first model to take it), else the workload reference. */
export function modelId(s: Shared, image: string | undefined, workloadRef: string): string {
  const digest = image === undefined ? undefined : digestOf(image);
  if (digest === undefined) return workloadRef;
  const taken = s.digests.get(digest) ?? 0;
  s.digests.set(digest, taken + 1);
  return taken === 0 ? digest : `${digest}#${workloadRef}`;
}

export function newModel(s: Shared, image: string | undefined, workloadRef: string, workload: Workload, group: string): IntentModel {
  return emptyModel(modelId(s, image, workloadRef), { ...(image !== undefined && { image }), workload, app: group });
}

/** TN113 for an image that can change under the same definition; TN007 for a digest that is not one. */
export function checkImage(ctx: Context, model: IntentModel, image: string, node: Node): void {
  const { digest } = parseImage(image);
  if (digest !== undefined && digestOf(image) === undefined) {
    report(ctx, 'TN007', `image digest ${JSON.stringify(digest)} is not a valid digest (algorithm:hex); ignored`, node, model.id);
  }
  const why = floatingReason(image);
  if (why !== undefined) report(ctx, 'TN113', `${describe(model)}: image ${image} ${why}`, node, model.id);
}

/** TN112 for each literal env value that looks like a credential. */
export function checkSecrets(ctx: Context, model: IntentModel, env: Environment): void {
  for (const v of env.literals) {
    if (looksLikeSecret(v.name, v.value)) report(ctx, 'TN112', `${describe(model)}: env ${v.name} holds a literal secret`, v.node, model.id);
  }
}

/**
 * The host-network flag: declared by the network, or Marathon's default when an
 * app or pod declares none (its tasks then share the agent's network namespace).
 */
export function applyNetwork(model: IntentModel, network: Network, owner: Node): void {
  if (model.security.hostNetwork !== undefined) return;
  const sources: Source[] = network.node
    ? [sourceOf(network.node)]
    : [{ ...sourceOf(owner, 'Marathon runs tasks that declare no network on the agent\'s network'), kind: 'knowledge' }];
  model.security.hostNetwork = { value: network.mode === 'host', sources };
}
