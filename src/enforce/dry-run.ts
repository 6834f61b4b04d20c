import { judge, KnownBad, type JudgeContext } from '../detect/index.ts';
import { ModelLearner } from '../learn/index.ts';
import type { IntentModel, ModelDimension, RuntimeEvent } from '../model/index.ts';

/** What `prevent` does to an activity outside the model, per dimension (absent: it is reported, as in alert). */
export const PREVENTION: Partial<Record<ModelDimension, { action: string; detail: string }>> = {
  processes: { action: 'process-killed', detail: 'killed at exec, before its first instruction' },
  egress: { action: 'connection-dropped', detail: 'dropped by the container\'s nftables table' },
  listen: { action: 'connection-dropped', detail: 'dropped by the container\'s nftables table' },
  writable: { action: 'write-refused', detail: 'refused by a read-only folder (files directly in / and mounts of their own are not covered)' },
  syscalls: { action: 'syscall-refused', detail: 'fails with EPERM once the container runs its model\'s seccomp profile (next start)' },
};

export interface DryRunEntry {
  dimension: ModelDimension;
  entry: string;
  /** The parent that started an allowed program (an unexpected parent: reported, not prevented). */
  parent?: string;
  /** What prevent would have done; absent when it only reports. */
  action?: string;
  detail: string;
  count: number;
  first: string;
  last: string;
  containers: string[];
}

export interface DryRun {
  model: string;
  state: IntentModel['state'];
  /** The events of the model's containers that were judged, and the time they span. */
  events: number;
  from?: string;
  to?: string;
  prevented: DryRunEntry[];
  reported: DryRunEntry[];
}

/**
 * What `prevent` would have done over a recorded window of events: each event
 * of the model's containers judged, by the defender's judge, against the
 * model as it is now (a learning model as if it were active) in prevent,
 * outside activity grouped by dimension and entry, split into what would
 * have been stopped and what would only have been reported. Pure: nothing is
 * learned or written.
 */
export function dryRun(model: IntentModel, events: Iterable<RuntimeEvent>): DryRun {
  const active = ModelLearner.restore({ ...model, state: 'active' }, { windowSec: model.learning?.windowSec ?? 0 }, 0);
  // no graph: a connection is judged by the model alone; no feeds; the known-bad rules' audits are not the model's, and not listed
  const context: JudgeContext = { knownBad: new KnownBad(), intel: { size: 0, lookup: () => [] }, graph: { addFlow: () => undefined, addAccept: () => undefined }, now: 0, newId: () => '' };
  const found = new Map<string, DryRunEntry>();
  let count = 0;
  let from: string | undefined;
  let to: string | undefined;
  for (const event of events) {
    if (event.container?.imageId !== model.id) continue;
    count++;
    if (from === undefined || event.time < from) from = event.time;
    if (to === undefined || event.time > to) to = event.time;
    const judged = judge(event, { id: event.container.id, model: active, mode: () => 'prevent', ancestors: () => [] }, context);
    const verdict = judged.decisions.find((d) => d.audit.rule !== 'drift' && d.audit.lacked !== undefined)?.audit.lacked;
    if (verdict === undefined) continue;
    const key = `${verdict.dimension}\n${verdict.entry}\n${verdict.parent ?? ''}`;
    const seen = found.get(key);
    if (seen !== undefined) {
      seen.count++;
      if (event.time < seen.first) seen.first = event.time;
      if (event.time > seen.last) seen.last = event.time;
      const name = event.container.name ?? event.container.id;
      if (!seen.containers.includes(name)) seen.containers.push(name);
      continue;
    }
    // a program from an unexpected parent is itself allowed: the exec guard lets it run
    const prevention = verdict.parent === undefined ? PREVENTION[verdict.dimension] : undefined;
    found.set(key, {
      dimension: verdict.dimension,
      entry: verdict.entry,
      ...(verdict.parent !== undefined && { parent: verdict.parent }),
      ...(prevention !== undefined && { action: prevention.action }),
      detail: prevention?.detail ?? (verdict.parent !== undefined ? `started by ${verdict.parent}: an allowed program runs, and is reported` : 'reported, as in alert: prevent does not stop this dimension'),
      count: 1,
      first: event.time,
      last: event.time,
      containers: [event.container.name ?? event.container.id],
    });
  }
  const all = [...found.values()].sort((a, b) => b.count - a.count || a.dimension.localeCompare(b.dimension) || a.entry.localeCompare(b.entry));
  return {
    model: model.id,
    state: model.state,
    events: count,
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
    prevented: all.filter((e) => e.action !== undefined),
    reported: all.filter((e) => e.action === undefined),
  };
}
