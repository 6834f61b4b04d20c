import {
  finding, type Finding, type Location, type Protocol, type Source, type Supermodel, type SupermodelEdge, type SupermodelNode,
} from '../../model/index.ts';
import { addDns, addEgress, buildSupermodel } from '../common/model-builder.ts';
import { isInternalName, peerReferences, peerReferencesInArgs, type PeerReference } from '../common/peers.ts';
import type { NetworkScope, ServiceFacts } from './service.ts';

interface Port { port: number; protocol: Protocol }

// Settings words that a host-named variable holds more often than a peer (`REV_SERVER=true`).
const NOT_A_HOST = /^(true|false|yes|no|on|off|none|null|auto|default|enabled?|disabled?)$/i;

function nodeId(facts: ServiceFacts): string {
  return `${facts.unit.project}/${facts.unit.name}`;
}

// The single ports a service declares (ranges are relay pools, not service ports).
function declaredPorts(facts: ServiceFacts): Port[] {
  return facts.model.network.listen.filter((l) => l.endPort === undefined).map((l) => ({ port: l.port, protocol: l.protocol }));
}

// The protocol a peer reaches `port` of a service with: TCP unless the port is declared for another one only.
function protocolOf(facts: ServiceFacts | undefined, port: number): Protocol {
  const matching = facts?.model.network.listen.filter((l) => port >= l.port && port <= (l.endPort ?? l.port)) ?? [];
  return matching.some((l) => l.protocol === 'tcp') || matching.length === 0 ? 'tcp' : (matching[0]?.protocol ?? 'tcp');
}

function locationOfSources(sources: readonly Source[], fallback: Location): Location {
  const s = sources.find((x) => x.file !== undefined && x.line !== undefined);
  return s?.file !== undefined && s.line !== undefined ? { file: s.file, line: s.line, ...(s.path !== undefined && { path: s.path }) } : fallback;
}

// Resolves hostnames to the services of one project, preferring those defined in the client's own file.
class Directory {
  private readonly services: readonly ServiceFacts[];

  constructor(services: readonly ServiceFacts[]) {
    this.services = services;
  }

  hostnames(): Set<string> {
    return new Set(this.services.flatMap((s) => s.hostnames.map((h) => h.toLowerCase())));
  }

  byService(name: string, client: ServiceFacts): ServiceFacts | undefined {
    return this.pick(this.services.filter((s) => s.unit.name === name), client);
  }

  byHost(host: string, client: ServiceFacts): ServiceFacts | undefined {
    const name = host.toLowerCase();
    const linked = client.linkAliases.get(name);
    if (linked !== undefined) return this.byService(linked, client);
    return this.pick(this.services.filter((s) => s.hostnames.some((h) => h.toLowerCase() === name)), client);
  }

  private pick(candidates: readonly ServiceFacts[], client: ServiceFacts): ServiceFacts | undefined {
    return candidates.find((s) => s.unit.file === client.unit.file) ?? candidates[0];
  }

  // Whether two services share a network, so that one can reach the other by name.
  reachable(a: ServiceFacts, b: ServiceFacts): boolean {
    const scope = (s: ServiceFacts, depth = 0): NetworkScope => {
      if (s.networks.kind !== 'service' || depth > 3) return s.networks;
      const shared = this.byService(s.networks.service, s);
      return shared && shared !== s ? scope(shared, depth + 1) : { kind: 'unknown' };
    };
    const x = scope(a);
    const y = scope(b);
    if (x.kind !== 'networks' || y.kind !== 'networks') return true;
    return [...x.names].some((n) => y.names.has(n));
  }
}

/**
 * The graph of one compose project. A service talks to another when its environment
 * or arguments name it (at the named port, or at every port it declares), or when it
 * `depends_on` or `links` it without naming it; only services that share a network
 * are joined. Every peer also becomes egress and DNS entries of the client's model.
 */
export function projectGraph(project: string, services: readonly ServiceFacts[], findings: Finding[]): Supermodel {
  const directory = new Directory(services);
  const known = directory.hostnames();
  const edges: SupermodelEdge[] = [];
  for (const client of services) {
    const { model } = client;
    const reached = new Set<ServiceFacts>();
    const connect = (target: ServiceFacts, ports: readonly Port[], sources: Source[]) => {
      if (!directory.reachable(client, target)) return;
      for (const { port, protocol } of ports) {
        edges.push({ from: nodeId(client), to: nodeId(target), port, targetPort: port, protocol, sources: [...sources] });
      }
    };
    const hosts = new Set([...known, ...client.linkAliases.keys()]);
    const references: PeerReference[] = [
      ...peerReferences(client.env),
      ...(client.args ? peerReferencesInArgs(client.args.argv, hosts, client.args.source) : []),
    ];
    const fallback: Location = { file: client.unit.file, line: 1 };
    for (const ref of references) {
      if (ref.port === undefined && NOT_A_HOST.test(ref.host)) continue;
      const target = directory.byHost(ref.host, client);
      const ports: Port[] = ref.port !== undefined
        ? [{ port: ref.port, protocol: protocolOf(target, ref.port) }]
        : target && target !== client ? declaredPorts(target) : [];
      for (const { port, protocol } of ports) addEgress(model, ref.host, port, protocol, ref.sources);
      addDns(model, ref.host, ref.sources);
      if (!target) {
        if (isInternalName(ref.host) && !client.externalNames.includes(ref.host.toLowerCase()) && !/^[\d.]+$/.test(ref.host)) {
          const via = ref.via.join(', ');
          findings.push(finding('TN011', `Service ${client.unit.name} refers to ${ref.host} (${via}), which is not a service of project ${project}`, locationOfSources(ref.sources, fallback), model.id));
        }
        continue;
      }
      if (target === client) continue;
      reached.add(target);
      connect(target, ports, ref.sources);
    }
    for (const dependency of client.dependencies) {
      const target = directory.byService(dependency.service, client);
      if (!target) {
        const how = dependency.kind === 'links' ? 'links to' : 'depends on';
        findings.push(finding('TN011', `Service ${client.unit.name} ${how} ${dependency.service}, which is not a service of project ${project}`, dependency.location, model.id));
        continue;
      }
      if (target === client || reached.has(target)) continue;
      const ports = declaredPorts(target);
      for (const { port, protocol } of ports) addEgress(model, dependency.host, port, protocol, [dependency.source]);
      if (ports.length > 0) addDns(model, dependency.host, [dependency.source]);
      connect(target, ports, [dependency.source]);
    }
  }
  const nodes = new Map<string, SupermodelNode>();
  for (const s of services) {
    const id = nodeId(s);
    const node = nodes.get(id) ?? { id, kind: 'ComposeService', models: [] };
    node.models.push(s.model.id);
    nodes.set(id, node);
  }
  return buildSupermodel(project, [...nodes.values()], edges);
}
