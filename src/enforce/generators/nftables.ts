/**
 * An nftables table for one container's network namespace, from its model:
 * new connections in only to the model's listen ports, out only to its
 * egress peers and DNS; replies, loopback and ICMP pass; everything else is
 * counted and dropped (a dropped connection times out, the process lives on).
 * Installed with `nsenter -t PID -n nft -f FILE`; it goes away with the
 * namespace, so nothing is left on the host.
 */
import { ipFamily } from '../../intel/index.ts';
import type { IntentModel, RuntimeEvent } from '../../model/index.ts';

export interface NftablesOptions {
  /** The table's name (default `tenet`). */
  table?: string;
  /** Addresses of the names the model's peers are given by (a Service, a compose service), when known. */
  resolved?: ReadonlyMap<string, readonly string[]>;
  /** Which directions to hold to the model (default both): a direction left out is not filtered. */
  directions?: { in: boolean; out: boolean };
}

/** What a ruleset allows, and what it had to widen to. */
export interface NftablesRuleset {
  text: string;
  /** Peers named by a DNS name no address is known for: their port is allowed to any peer, and said so here. */
  widened: string[];
  /** Ports open to any peer (`tcp/443`): from `*` peers and widened names. */
  anyPeer: string[];
  /** The directions it filters. */
  directions: { in: boolean; out: boolean };
}

/**
 * Whether the table's output chain drops a new connection, as the kernel would: it passes DNS (port 53), loopback,
 * and the ports open to any peer (`anyPeer`) whatever the model says; the peers of the model pass too (but an event
 * about such a peer is no deviation). An action is said only for what the table really does.
 */
export function dropsOut(ruleset: { anyPeer: readonly string[]; directions: { out: boolean } }, event: RuntimeEvent): boolean {
  const n = event.network;
  if (event.kind !== 'connect' || n?.remotePort === undefined || !ruleset.directions.out) return false;
  const protocol = n.protocol ?? 'tcp';
  if (n.remotePort === 53 && (protocol === 'tcp' || protocol === 'udp')) return false;
  const address = n.remoteAddress?.replace(/^\[|\]$/g, '').replace(/^::ffff:/, '');
  if (address !== undefined && (address.startsWith('127.') || address === '::1')) return false;
  return !ruleset.anyPeer.includes(`${protocol}/${n.remotePort}`);
}

const element = (address: string, protocol: string, port: number) => `${address} . ${protocol} . ${port}`;

export function nftablesRuleset(model: IntentModel, options: NftablesOptions = {}): NftablesRuleset {
  const table = options.table ?? 'tenet';
  const directions = options.directions ?? { in: true, out: true };
  const listen = new Set<string>();
  for (const l of model.network.listen) for (let port = l.port; port <= (l.endPort ?? l.port); port++) listen.add(`${l.protocol} . ${port}`);
  const egress4 = new Set<string>();
  const egress6 = new Set<string>();
  const anyPeer = new Set<string>();
  const widened: string[] = [];
  for (const e of model.network.egress) {
    const host = e.host.replace(/^\[|\]$/g, '');
    const [address, prefix] = host.split('/') as [string, string | undefined];
    const family = host === '*' ? 0 : ipFamily(address);
    if (host === '*') {
      anyPeer.add(`${e.protocol} . ${e.port}`);
    } else if (family !== 0) {
      (family === 4 ? egress4 : egress6).add(element(prefix === undefined ? address : `${address}/${prefix}`, e.protocol, e.port));
    } else {
      const addresses = options.resolved?.get(host) ?? [];
      for (const a of addresses) (ipFamily(a) === 6 ? egress6 : egress4).add(element(a, e.protocol, e.port));
      if (addresses.length === 0) {
        anyPeer.add(`${e.protocol} . ${e.port}`);
        widened.push(`${e.protocol}/${host}:${e.port}`);
      }
    }
  }
  const set = (name: string, type: string, elements: ReadonlySet<string>, interval = false) => [
    `  set ${name} {`,
    `    type ${type}`,
    ...(interval ? ['    flags interval'] : []),
    ...(elements.size > 0 ? [`    elements = { ${[...elements].sort().join(', ')} }`] : []),
    '  }',
  ];
  const lines = [
    `# Tenet: network allow-list of ${model.id}`,
    ...widened.map((w) => `# widened: ${w} has no known address, so its port is open to any peer`),
    `table inet ${table} {`,
    '  counter dropped_in {}',
    '  counter dropped_out {}',
    ...set('listen', 'inet_proto . inet_service', listen),
    ...set('egress4', 'ipv4_addr . inet_proto . inet_service', egress4, true),
    ...set('egress6', 'ipv6_addr . inet_proto . inet_service', egress6, true),
    ...set('any_peer', 'inet_proto . inet_service', anyPeer),
    // what the container serves passes on its port alone, untracked: connection tracking for every request would cost throughput
    '  chain untracked_in {',
    '    type filter hook prerouting priority raw; policy accept;',
    '    meta l4proto . th dport @listen notrack',
    '  }',
    '  chain untracked_out {',
    '    type filter hook output priority raw; policy accept;',
    '    meta l4proto . th sport @listen notrack',
    '  }',
    ...(directions.in ? [
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      '    meta l4proto . th dport @listen accept',
      '    ct state established,related accept',
      '    iif lo accept',
      '    meta l4proto { icmp, icmpv6 } accept',
      '    meta l4proto { tcp, udp, sctp } counter name dropped_in drop',
      '  }',
    ] : []),
    ...(directions.out ? [
      '  chain output {',
      '    type filter hook output priority 0; policy accept;',
      '    meta l4proto . th sport @listen accept',
      '    ct state established,related accept',
      '    oif lo accept',
      '    meta l4proto { icmp, icmpv6 } accept',
      '    meta l4proto { tcp, udp } th dport 53 accept',
      '    ip daddr . meta l4proto . th dport @egress4 accept',
      '    ip6 daddr . meta l4proto . th dport @egress6 accept',
      '    meta l4proto . th dport @any_peer accept',
      '    meta l4proto { tcp, udp, sctp } counter name dropped_out drop',
      '  }',
    ] : []),
    '}',
  ];
  return { text: `${lines.join('\n')}\n`, widened, anyPeer: [...anyPeer].map((p) => p.replace(' . ', '/')).sort(), directions };
}
