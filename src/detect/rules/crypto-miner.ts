import { argvIncludes, commandLine, type Rule } from '../rule.ts';

/** Miner programs by name, in lower case (and every `srbminer…`). */
const MINERS: ReadonlySet<string> = new Set(['xmrig', 'xmr-stak', 'minerd', 'cpuminer', 'cpuminer-multi', 'ccminer', 't-rex', 'nbminer', 'lolminer', 'phoenixminer', 'ethminer', 'nanominer', 'gminer', 'bminer']);
const isMiner = (program: string) => {
  const name = program.toLowerCase();
  return MINERS.has(name) || name.startsWith('srbminer');
};
const POOL_NAMES = /(^|\.)(pool|xmr|monero|nicehash|minexmr|nanopool|2miners|f2pool|hashvault|supportxmr|moneroocean|herominers|c3pool|dwarfpool|ethermine|miningpoolhub|zpool|unmineable)[a-z0-9-]*(\.|$)/i;
/** Stratum ports of the common mining pools. */
const POOL_PORTS: ReadonlySet<number> = new Set([3333, 3334, 3335, 3357, 5555, 5556, 7777, 8888, 9999, 10128, 10343, 14433, 14444, 20535, 45560, 45700]);

export const cryptoMiner: Readonly<Rule> = {
  id: 'crypto-miner',
  title: 'Crypto miner',
  severity: 'critical',
  technique: { id: 'T1496', name: 'Resource Hijacking' },
  kinds: ['exec', 'connect', 'dns'],
  needsModel: false,
  description: 'A known miner program or a `stratum+tcp://` argument, a DNS name of a mining pool, or a connection to a pool\'s stratum port that the model does not allow.',
  detect: {
    exec(event, { program }) {
      if (!isMiner(program) && !(argvIncludes(event, '://') && /stratum\d?\+(tcp|ssl|tls):\/\//i.test(commandLine(event)))) return undefined;
      return `ran ${commandLine(event) || program}`;
    },
    dns(event) {
      for (const name of event.dns?.names ?? []) if (POOL_NAMES.test(name)) return `asked DNS for ${name}`;
      return undefined;
    },
    connect(event, context) {
      const n = event.network;
      if (n?.protocol !== 'tcp' || !POOL_PORTS.has(n.remotePort ?? 0) || context.knownProcess()) return undefined;
      return `${context.program} connected to ${n.remoteAddress ?? '?'}:${n.remotePort}, a mining pool port`;
    },
  },
};
