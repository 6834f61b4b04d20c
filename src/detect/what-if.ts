import type { Supermodel, SupermodelEdge } from '../model/index.ts';
import { judge, type JudgedModel } from './judge.ts';
import { KnownBad } from './known-bad.ts';

export interface Blocked {
  app: string;
  edge: SupermodelEdge;
}

/** A model that allows everything: only the graph judges the connections what-if replays. */
const ANY: Readonly<JudgedModel> = { id: 'what-if', state: 'active', observe: () => ({ outcome: 'known' }), accept: () => undefined, allows: () => true };

/**
 * What a proposed graph would have blocked: every observed edge of the
 * learned graphs (a connection seen, with its count and times) judged, as
 * the defender judges a connection between two workloads, by a graph that
 * allows what the proposal does (`allows` answers for one edge;
 * `proposedGraph` makes it from a graph): each one the judge calls lateral
 * movement would have been blocked.
 */
export function whatIf(learned: readonly Supermodel[], allows: (app: string, edge: SupermodelEdge) => boolean): Blocked[] {
  const knownBad = new KnownBad();
  const blocked: Blocked[] = [];
  for (const s of learned) {
    for (const edge of s.edges) {
      if (edge.count === undefined) continue;
      const graph = { addFlow: () => ({ from: edge.from, to: edge.to, inside: allows(s.app, edge), first: false }), addAccept: () => undefined };
      const { decisions } = judge({
        kind: 'connect', time: edge.lastSeen ?? new Date(0).toISOString(), source: 'tenet', container: { id: edge.from, name: edge.from },
        network: { protocol: edge.protocol === 'sctp' ? 'other' : edge.protocol, remoteAddress: edge.to, remotePort: edge.targetPort },
      }, { id: edge.from, model: ANY, mode: () => 'alert', ancestors: () => [] }, { knownBad, intel: { size: 0, lookup: () => [] }, graph, now: 0, newId: () => '' });
      if (decisions.some((d) => d.audit.rule === 'lateral-movement')) blocked.push({ app: s.app, edge });
    }
  }
  return blocked;
}
