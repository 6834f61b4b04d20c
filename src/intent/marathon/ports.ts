import type { IntentModel, Protocol, Source } from '../../model/index.ts';
import { describe } from '../checks/check.ts';
import { addListen } from '../common/model-builder.ts';
import {
  child, invalid, isPresent, listOf, mapOf, portOf, protocolsOf, report, sourceOf, stringMapOf, stringOf, type Context, type Node,
} from './node.ts';

export type NetworkMode = 'host' | 'bridge' | 'container';

export interface Network {
  mode: NetworkMode;
  /** Where the mode is declared; absent when Marathon's default, host networking, applies. */
  node?: Node;
}

/** One declared port (a port definition, a port mapping or a pod endpoint), for listen entries, checks and edges. */
export interface PortItem {
  index: number;
  name?: string;
  /** Where the process listens: the container port, or the host port with host networking; 0 when Marathon assigns it at launch. */
  port: number;
  protocols: Protocol[];
  /** A fixed host port the container port is published on, and where it is declared. */
  hostPort?: number;
  hostPortNode?: Node;
  /** The port clients reach the app on through marathon-lb: `HAPROXY_n_PORT`, else a fixed service port. */
  servicePort?: number;
  /** Named (`name:port`) and address (`ip:port`) VIPs of DC/OS's layer-4 load balancer. */
  vips: string[];
  /** Virtual hosts marathon-lb routes to this port (`HAPROXY_n_VHOST`). */
  vhosts: string[];
  source: Source;
}

const MODES: Record<string, NetworkMode> = { host: 'host', container: 'container', 'container/bridge': 'bridge' };
const DOCKER_MODES: Record<string, NetworkMode> = { HOST: 'host', BRIDGE: 'bridge', USER: 'container', NONE: 'container' };

/**
 * The network an app joins, as Marathon 1.5 normalises it: `networks`, else the
 * deprecated `container.docker.network`, else `ipAddress` (a container network),
 * else host networking.
 */
export function appNetwork(ctx: Context, app: Node): Network {
  const networks = child(app, 'networks');
  const found: Network[] = [];
  for (const item of listOf(ctx, networks)) {
    if (!mapOf(ctx, item)) continue;
    const modeNode = child(item, 'mode');
    const mode = isPresent(modeNode) ? stringOf(ctx, modeNode) : 'container';
    if (mode === undefined) continue;
    const known = Object.hasOwn(MODES, mode) ? MODES[mode] : undefined;
    if (known === undefined) invalid(ctx, modeNode, 'host, container or container/bridge');
    else found.push({ mode: known, node: isPresent(modeNode) ? modeNode : item });
  }
  // Marathon refuses to mix modes; host, then bridge, is the wider reading.
  const pick = found.find((n) => n.mode === 'host') ?? found.find((n) => n.mode === 'bridge') ?? found[0];
  if (pick) return pick;

  const dockerNetwork = child(app, 'container', 'docker', 'network');
  const docker = stringOf(ctx, dockerNetwork);
  if (docker !== undefined) {
    const mode = Object.hasOwn(DOCKER_MODES, docker.toUpperCase()) ? DOCKER_MODES[docker.toUpperCase()] : undefined;
    if (mode !== undefined) return { mode, node: dockerNetwork };
    invalid(ctx, dockerNetwork, 'HOST, BRIDGE or USER');
  }
  const ipAddress = child(app, 'ipAddress');
  if (mapOf(ctx, ipAddress)) return { mode: 'container', node: ipAddress };
  return { mode: 'host' };
}

interface LoadBalancer {
  ports: Map<number, number>;
  vhosts: Map<number, string[]>;
}

// marathon-lb's HAPROXY_n_PORT and HAPROXY_n_VHOST labels, by port index n.
function loadBalancerLabels(labels: ReadonlyMap<string, string>): LoadBalancer {
  const ports = new Map<number, number>();
  const vhosts = new Map<number, string[]>();
  for (const [key, value] of labels) {
    const m = /^HAPROXY_(\d+)_(PORT|VHOST)$/.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    if (m[2] === 'PORT') {
      const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : undefined;
      if (port !== undefined && port > 0 && port <= 65535) ports.set(index, port);
    } else {
      vhosts.set(index, value.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean));
    }
  }
  return { ports, vhosts };
}

/** The DC/OS VIPs that `VIP_n` labels of a port name (`/name:port` or `ip:port`), as `name:port`. */
export function vipsOf(labels: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [key, value] of labels) {
    if (!/^vip(_\d+)?$/i.test(key)) continue;
    const m = /^\/?(.+):(\d{1,5})$/.exec(value.trim());
    if (m) out.push(`${(m[1] ?? '').replace(/\//g, '').toLowerCase()}:${Number(m[2])}`);
  }
  return out;
}

interface RawPort {
  index: number;
  entry: Node;
  port: number;
  hostPort?: number;
  hostPortNode?: Node;
  servicePort?: number;
  detail?: string;
}

function readPortItem(ctx: Context, raw: RawPort, lb: LoadBalancer): PortItem {
  const name = stringOf(ctx, child(raw.entry, 'name'));
  const servicePort = lb.ports.get(raw.index) ?? (raw.servicePort !== undefined && raw.servicePort > 0 ? raw.servicePort : undefined);
  return {
    index: raw.index,
    ...(name !== undefined && name !== '' && { name }),
    port: raw.port,
    protocols: protocolsOf(ctx, child(raw.entry, 'protocol')),
    ...(raw.hostPort !== undefined && raw.hostPort > 0 && { hostPort: raw.hostPort, ...(raw.hostPortNode && { hostPortNode: raw.hostPortNode }) }),
    ...(servicePort !== undefined && { servicePort }),
    vips: vipsOf(stringMapOf(ctx, child(raw.entry, 'labels'))),
    vhosts: lb.vhosts.get(raw.index) ?? [],
    source: sourceOf(raw.entry, raw.detail),
  };
}

const ASSIGNED = 'Marathon assigns this port when the task starts ($PORT';

// Marathon reads the legacy `ports` only when there are no `portDefinitions`.
function hostPorts(ctx: Context, app: Node, lb: LoadBalancer): Array<PortItem | undefined> | undefined {
  const requirePorts = child(app, 'requirePorts').value === true;
  const detailOf = (port: number, index: number): string | undefined => {
    if (port === 0) return `${ASSIGNED}${index})`;
    return requirePorts ? undefined : `service port; without requirePorts the task binds a host port Marathon assigns ($PORT${index})`;
  };
  const definitions = child(app, 'portDefinitions');
  if (isPresent(definitions)) {
    return listOf(ctx, definitions).map((entry, index) => {
      if (!mapOf(ctx, entry)) return undefined;
      const portNode = child(entry, 'port');
      const port = isPresent(portNode) ? portOf(ctx, portNode) : 0;
      if (port === undefined) return undefined;
      return readPortItem(ctx, { index, entry, port, servicePort: port, ...withDetail(detailOf(port, index)) }, lb);
    });
  }
  const ports = child(app, 'ports');
  if (!isPresent(ports)) return undefined;
  return listOf(ctx, ports).map((entry, index) => {
    const port = portOf(ctx, entry);
    if (port === undefined) return undefined;
    return readPortItem(ctx, { index, entry, port, servicePort: port, ...withDetail(detailOf(port, index)) }, lb);
  });
}

function withDetail(detail: string | undefined): { detail?: string } {
  return detail === undefined ? {} : { detail };
}

// `docker.portMappings` is the place of port mappings before Marathon 1.5, `ipAddress.discovery.ports` an older one still.
function mappedPorts(ctx: Context, app: Node, network: Network, lb: LoadBalancer): Array<PortItem | undefined> | undefined {
  const container = child(app, 'container');
  const mappings = [child(container, 'portMappings'), child(container, 'docker', 'portMappings')].find(isPresent);
  if (mappings) {
    return listOf(ctx, mappings).map((entry, index) => {
      if (!mapOf(ctx, entry)) return undefined;
      const containerNode = child(entry, 'containerPort');
      const containerPort = isPresent(containerNode) ? portOf(ctx, containerNode) : 0;
      const hostNode = child(entry, 'hostPort');
      // In bridge mode an unset host port is a dynamic one; on a container network it stays unpublished.
      const hostPort = isPresent(hostNode) ? portOf(ctx, hostNode) : network.mode === 'bridge' ? 0 : undefined;
      const servicePort = portOf(ctx, child(entry, 'servicePort'));
      if (containerPort === undefined) return undefined;
      const port = containerPort === 0 ? hostPort ?? 0 : containerPort;
      const detail = port === 0 ? `${ASSIGNED}${index})` : containerPort === 0 ? 'the container port is the host port' : undefined;
      return readPortItem(ctx, {
        index, entry, port, ...(hostPort !== undefined && { hostPort, hostPortNode: hostNode }), ...(servicePort !== undefined && { servicePort }), ...withDetail(detail),
      }, lb);
    });
  }
  const discovery = child(app, 'ipAddress', 'discovery', 'ports');
  if (!isPresent(discovery)) return undefined;
  return listOf(ctx, discovery).map((entry, index) => {
    if (!mapOf(ctx, entry)) return undefined;
    const numberNode = child(entry, 'number');
    const port = isPresent(numberNode) ? portOf(ctx, numberNode) : 0;
    return port === undefined ? undefined : readPortItem(ctx, { index, entry, port, ...withDetail(port === 0 ? `${ASSIGNED}${index})` : undefined) }, lb);
  });
}

/**
 * The ports an app declares, by index (a health check's `portIndex` counts in
 * this list; an invalid entry keeps its place as undefined), with their listen
 * entries added to the model. Without any, Marathon gives the app one port it
 * assigns at launch, named `default`.
 */
export function appPorts(ctx: Context, model: IntentModel, app: Node, network: Network, labels: ReadonlyMap<string, string>): Array<PortItem | undefined> {
  const lb = loadBalancerLabels(labels);
  const declared = network.mode === 'host' ? hostPorts(ctx, app, lb) : mappedPorts(ctx, app, network, lb);
  const servicePort = lb.ports.get(0);
  const items: Array<PortItem | undefined> = declared ?? [{
    index: 0,
    name: 'default',
    port: 0,
    protocols: ['tcp'],
    ...(servicePort !== undefined && { servicePort }),
    vips: [],
    vhosts: lb.vhosts.get(0) ?? [],
    source: { ...sourceOf(app, 'Marathon gives an app that declares no port one it assigns when the task starts ($PORT0)'), kind: 'knowledge' },
  }];
  for (const item of items) if (item) addPortListen(ctx, model, item);
  return items;
}

/** Listen entries for a port, one per protocol; a fixed host port is reported (TN117). */
export function addPortListen(ctx: Context, model: IntentModel, item: PortItem): void {
  for (const protocol of item.protocols) {
    addListen(model, {
      port: item.port,
      protocol,
      ...(item.name !== undefined && { name: item.name }),
      ...(item.hostPort !== undefined && { hostPort: item.hostPort }),
      sources: [item.source],
    });
  }
  if (item.hostPort !== undefined && item.hostPortNode) {
    report(ctx, 'TN117', `${describe(model)} binds port ${item.port} on the agent as host port ${item.hostPort}`, item.hostPortNode, model.id);
  }
}
