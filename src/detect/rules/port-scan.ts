import type { Rule } from '../rule.ts';

/** Distinct ports of one peer, reached by one container within SCAN_WINDOW_MS, that make a scan. */
export const SCAN_PORTS = 10;
export const SCAN_WINDOW_MS = 10_000;

export const portScan: Readonly<Rule> = {
  id: 'port-scan',
  title: 'Port scan',
  severity: 'high',
  technique: { id: 'T1046', name: 'Network Service Discovery' },
  kinds: ['connect'],
  needsModel: false,
  description: `Connections from one container to ${SCAN_PORTS} or more ports of one peer within ${SCAN_WINDOW_MS / 1000} s, whatever program made them and whether or not they were answered: someone maps what the peer serves. Said once per scan; the connections themselves are judged by their own rules.`,
  detect: {
    connect(event, context) {
      const n = event.network;
      if (n?.remoteAddress === undefined || n.remotePort === undefined) return undefined;
      const scan = context.peerPorts();
      return scan.ports === SCAN_PORTS ? `${scan.ports} ports of ${n.remoteAddress} in ${Math.max(1, Math.round(scan.ms / 1000))} s` : undefined;
    },
  },
};
