import type { Learner, ModelLearner } from '../learn/index.ts';
import type { Clock, Host } from '../runtime/index.ts';
import type { FlowGraph } from '../supermodel/index.ts';
import type { PeerNames } from './peer-names.ts';
import type { Reconciler } from './reconcile.ts';
import type { DefenderCounts } from './status.ts';
import type { Containers } from './tracking.ts';
import type { StoreWriter } from './writer.ts';

/** What the parts of a defender share: its containers, models, graph, peers' names, writes, enforcement, host, clock and counts. */
export interface DefenderParts {
  readonly containers: Containers;
  readonly learner: Learner;
  readonly flows: FlowGraph;
  /** The names of the peers containers connect to, from the answers to the names they asked. */
  readonly names: PeerNames;
  readonly writer: StoreWriter;
  readonly reconciler: Reconciler;
  readonly host: Host;
  readonly clock: Clock;
  readonly counts: DefenderCounts;
  log(line: string): void;
  /** A model changed: it is written at the next tick. */
  dirty(model: ModelLearner): void;
  /** The applications' graphs changed: they are written at the next write of the clock. */
  graphChanged(): void;
}
