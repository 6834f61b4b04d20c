import type { EnforcerStatus } from '../enforce/index.ts';
import type { ModeSetting } from '../model/index.ts';
import type { SourceStatus } from '../sensor/index.ts';
import type { WriterCounts } from './writer.ts';

export interface DefenderCounts {
  records: number;
  events: number;
  /** Events written to the store: the ones that told something (all of them with `--events all`). */
  stored: number;
  audits: number;
  /** Records from cgroups that turned out to be no container's (runc setting one up, the host). */
  unattributed: number;
  /** Records dropped while their cgroup was not yet known to be a container's and its queue was full. */
  dropped: number;
  /** Events of the container runtime itself (`runc init`), not evaluated. */
  runtime: number;
  imageErrors: number;
  /** Programs the exec guard killed before they ran (prevent mode). */
  prevented: number;
  /** Connections out of the model that a container's nftables table dropped (prevent mode). */
  connectionsDropped: number;
  /** Writes to protected paths that a read-only folder refused (prevent mode). */
  writesRefused: number;
  /** Containers stopped for a deviation (block mode). */
  blocked: number;
}

export const NO_COUNTS: Readonly<DefenderCounts> = {
  records: 0, events: 0, stored: 0, audits: 0, unattributed: 0, dropped: 0, runtime: 0, imageErrors: 0, prevented: 0, connectionsDropped: 0, writesRefused: 0, blocked: 0,
};

/** What `tenet status` and the console show of a defender. */
export interface DefenderStatus extends SourceStatus, EnforcerStatus {
  host: string;
  pid: number;
  startedAt: string;
  learnForSec: number;
  running: boolean;
  /** Where its containers come from (`docker`, `memory`…), and its event sources. */
  runtime?: string;
  sources?: string[];
  /** The start steps done, in order (all of them once it runs). */
  steps?: string[];
  /** Images being read, or waiting to be. */
  images?: { pending: number };
  /** Its writes to the store: refused, and dropped past the bound while the store did not answer. */
  store?: WriterCounts & { pending: number };
  sensor: NonNullable<SourceStatus['sensor']>;
  /** The mode settings in force. */
  modes?: ModeSetting[];
  counts: DefenderCounts & { suppressed?: number; rateLimited?: number };
  intel: { indicators: number };
  containers: number;
  models: Array<{ id: string; state: string; remainingLearningDurationSec: number; running: number }>;
}
