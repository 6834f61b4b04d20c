import { z } from 'zod';
import { Protocol } from './intent-model.ts';
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

export const SupermodelEdge = z.object({
  from: z.string(),
  to: z.string(),
  port: z.number().int().min(0).max(65535).describe('the port the client connects to (service port)'),
  targetPort: z.number().int().min(0).max(65535).describe('the container port the connection lands on'),
  protocol: Protocol,
  appProtocol: z.string().optional().describe('http, grpc… when declared'),
  host: z.string().optional().describe('the name the client connects to (a Service\'s, a compose service\'s)'),
  sources: Sources,
});
export type SupermodelEdge = z.infer<typeof SupermodelEdge>;

/** The graph of one application: its workloads and who may talk to whom. */
export const Supermodel = z.object({
  apiVersion: z.literal('tenet/v1'),
  kind: z.literal('Supermodel'),
  app: z.string(),
  nodes: z.array(SupermodelNode),
  edges: z.array(SupermodelEdge),
});
export type Supermodel = z.infer<typeof Supermodel>;
