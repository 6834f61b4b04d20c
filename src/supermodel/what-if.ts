import type { Supermodel, SupermodelEdge } from '../model/index.ts';
import { edgeKey } from './flow-graph.ts';

export interface Blocked {
  app: string;
  edge: SupermodelEdge;
}

/**
 * What a proposed graph would have blocked: every observed edge of the
 * learned graphs (a connection seen, with its count and times) that the
 * proposal does not allow. `allows` answers for one edge; `proposedGraph`
 * makes it from a graph (declared manifests, another learned graph).
 */
export function whatIf(learned: readonly Supermodel[], allows: (app: string, edge: SupermodelEdge) => boolean): Blocked[] {
  return learned.flatMap((s) => s.edges.filter((e) => e.count !== undefined && !allows(s.app, e)).map((edge) => ({ app: s.app, edge })));
}

/** A proposal made of graphs: an edge is allowed when a graph of its application has it (client, server, container port, protocol). */
export function proposedGraph(proposal: readonly Supermodel[]): (app: string, edge: SupermodelEdge) => boolean {
  const allowed = new Map(proposal.map((s) => [s.app, new Set(s.edges.map(edgeKey))]));
  return (app, edge) => allowed.get(app)?.has(edgeKey(edge)) === true;
}
