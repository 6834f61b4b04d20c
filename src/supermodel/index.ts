/** Supermodels: the applications as graphs, learned from the connections their containers make and joined to the declared ones. */
export { edgeKey, FlowGraph, isPrivateAddress, joinSupermodels, type Endpoint, type Flow } from './flow-graph.ts';
export { proposedGraph } from './what-if.ts';
