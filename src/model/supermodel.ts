import { z } from 'zod';
import { Protocol } from './intent-model.ts';
import { IntelProvenance } from './intel.ts';
import { Sources } from './source.ts';

export const SupermodelNode = z.object({
  id: z.string().describe('namespace/name (Kubernetes), project/service (compose), full app id (Marathon)'),
  kind: z.string().optional(),
  models: z.array(z.string()).describe('ids of the models of this workload'),
  exposed: z.array(z.object({
    port: z.number().int().min(0).max(65535).describe('the port outside clients connect to (service or host port)'),
    targetPort: z.number().int().min(0).max(65535).describe('the container port the connection lands on'),
    protocol: Protocol,
    sources: Sources,
  })).optional().describe('ports reachable from outside the application: a LoadBalancer or NodePort Service, a published port'),
});
export type SupermodelNode = z.infer<typeof SupermodelNode>;

export const EdgeState = z.enum(['declared', 'learned', 'both', 'anomalous', 'blocked']);
export type EdgeState = z.infer<typeof EdgeState>;

export const SupermodelEdge = z.object({
  from: z.string(),
  to: z.string(),
  port: z.number().int().min(0).max(65535).describe('the port the client connects to (service port)'),
  targetPort: z.number().int().min(0).max(65535).describe('the container port the connection lands on'),
  protocol: Protocol,
  appProtocol: z.string().optional().describe('http, grpc… when declared'),
  host: z.string().optional().describe('the name the client connects to (a Service\'s, a compose service\'s)'),
  sources: Sources,
  state: EdgeState.optional().describe('declared (never observed), learned (while its client\'s model learned), both, anomalous (observed outside the graph), or blocked (outside the graph, and dropped in prevent)'),
  count: z.number().int().nonnegative().optional().describe('connections observed'),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
});
export type SupermodelEdge = z.infer<typeof SupermodelEdge>;

/** Observed traffic from a workload to something outside its application, aggregated. */
export const OutsideFlow = z.object({
  from: z.string(),
  address: z.string(),
  port: z.number().int().min(0).max(65535),
  protocol: Protocol,
  class: z.enum(['other-app', 'host', 'private', 'internet']).describe('a workload of another application, the host, a private address nobody here has, or the internet'),
  node: z.string().optional().describe('for other-app: the workload it reached'),
  name: z.string().optional().describe('the DNS name the client asked for just before, when it did'),
  intel: z.array(IntelProvenance).optional().describe('what threat-intelligence feeds say of the address or the name'),
  count: z.number().int().nonnegative(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type OutsideFlow = z.infer<typeof OutsideFlow>;

/** The graph of one application: its workloads and who may talk to whom. */
export const Supermodel = z.object({
  apiVersion: z.literal('tenet/v1'),
  kind: z.literal('Supermodel'),
  app: z.string(),
  nodes: z.array(SupermodelNode),
  edges: z.array(SupermodelEdge),
  outside: z.array(OutsideFlow).optional().describe('observed traffic from the application to what is not one of its workloads'),
});
export type Supermodel = z.infer<typeof Supermodel>;
