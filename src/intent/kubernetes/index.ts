import type { SupermodelEdge, SupermodelNode } from '../../model/index.ts';
import { buildSupermodel } from '../common/model-builder.ts';
import type { SourceDocument } from '../document.ts';
import type { FormatResult } from '../types.ts';
import type { Shared } from './container.ts';
import { readConfigMaps } from './env.ts';
import { newContext } from './node.ts';
import { collectObjects, WORKLOAD_TEMPLATES } from './objects.ts';
import { connect, exposedPorts, readServices } from './services.ts';
import { analyzeWorkload } from './workload.ts';
import { append } from '../../append.ts';

export { isKubernetesObject } from './objects.ts';

interface Graph {
  nodes: Map<string, SupermodelNode>;
  edges: SupermodelEdge[];
}

/**
 * Declared intent of Kubernetes objects: one model per container of every workload,
 * and one supermodel per namespace whose edges follow the Services that the peers
 * named in each container's environment and arguments resolve to. Takes the
 * documents of all files at once, since a Service and its Deployment may live apart.
 */
export function analyzeKubernetes(docs: SourceDocument[]): FormatResult {
  const ctx = newContext();
  const objects = collectObjects(ctx, docs);
  const shared: Shared = {
    ctx,
    configMaps: readConfigMaps(ctx, objects),
    serviceNames: new Set(objects.filter((o) => o.kind === 'Service').map((o) => o.name)),
    digests: new Map(),
  };
  const workloads = objects.filter((o) => WORKLOAD_TEMPLATES.has(o.kind)).flatMap((o) => analyzeWorkload(shared, o) ?? []);
  const services = readServices(ctx, objects, workloads);

  const graphs = new Map<string, Graph>();
  for (const workload of workloads) {
    const namespace = workload.obj.namespace;
    const graph: Graph = graphs.get(namespace) ?? { nodes: new Map(), edges: [] };
    graphs.set(namespace, graph);
    let node = graph.nodes.get(workload.nodeId);
    if (node === undefined) {
      const exposed = exposedPorts(services, workload);
      node = { id: workload.nodeId, kind: workload.obj.kind, models: [], ...(exposed.length > 0 && { exposed }) };
      graph.nodes.set(workload.nodeId, node);
    }
    for (const { model, refs } of workload.containers) {
      node.models.push(model.id);
      append(graph.edges, connect(ctx, services, workload, model, refs));
    }
  }
  const supermodels = [...graphs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([namespace, graph]) => buildSupermodel(namespace, [...graph.nodes.values()], graph.edges));
  return {
    models: workloads.flatMap((w) => w.containers.map((c) => c.model)),
    supermodels,
    // In reading order, as the same input always gives the same output.
    findings: ctx.findings.sort((a, b) => (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : a.location.line - b.location.line)),
  };
}
