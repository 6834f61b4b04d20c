import type { Supermodel, SupermodelEdge } from '../model/index.ts';
import { edgeKey } from './flow-graph.ts';

/** A proposal made of graphs: an edge is allowed when a graph of its application has it (client, server, container port, protocol). */
export function proposedGraph(proposal: readonly Supermodel[]): (app: string, edge: SupermodelEdge) => boolean {
  const allowed = new Map(proposal.map((s) => [s.app, new Set(s.edges.map(edgeKey))]));
  return (app, edge) => allowed.get(app)?.has(edgeKey(edge)) === true;
}
