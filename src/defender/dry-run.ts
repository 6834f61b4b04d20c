import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dryEnforcers } from '../enforce/index.ts';
import type { Audit, Incident, IntentModel, Mode } from '../model/index.ts';
import { SqliteStore } from '../store/index.ts';
import { Defender } from './defender.ts';
import type { Replay } from './replay.ts';
import type { DefenderCounts } from './status.ts';

/** What a defender did with a recording: the audits and incidents it stored, and its models at the end. */
export interface ReplayRun {
  /** The recording's span, ISO times. */
  from: string;
  to: string;
  counts: DefenderCounts;
  audits: Audit[];
  incidents: Incident[];
  models: IntentModel[];
}

/**
 * A recording played through the defender itself — the same steps, the
 * same judge, the same learning — on a store of its own, with enforcers that
 * only say what they would do: what the defender did (or, with `mode`, would
 * do with every dimension of every container in that mode), audit for audit.
 */
export async function replayDryRun(replay: Replay, options: { mode?: Mode; log?: (line: string) => void } = {}): Promise<ReplayRun> {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-dryrun-'));
  const store = new SqliteStore(dir);
  let ids = 0;
  const recorded = replay.store(store);
  const mode = options.mode;
  const defender = new Defender({
    store: mode === undefined ? recorded : { ...recorded, modes: async () => [{ scope: { kind: 'all' }, mode, setAt: new Date(replay.start).toISOString() }] },
    learnForSec: replay.learnForSec,
    converge: replay.converge,
    containers: replay.containers,
    sensors: [replay.sensor],
    enforcers: dryEnforcers(),
    host: replay.host,
    resolver: replay.resolver,
    clock: replay.clock,
    newId: () => `dry-${++ids}`,
    ...(options.log !== undefined && { onLog: options.log }),
  });
  try {
    await defender.start();
    try {
      await replay.play();
    } finally {
      await defender.stop();
    }
    return {
      from: new Date(replay.start).toISOString(),
      to: new Date(replay.end).toISOString(),
      counts: defender.counts,
      audits: await store.audits({ limit: Number.MAX_SAFE_INTEGER }),
      incidents: await store.incidents({ limit: Number.MAX_SAFE_INTEGER }),
      models: await store.models(),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
