// A real Defender over a real SQLite store, driven by a recording made in the
// lab (npm run lab:record): its containers in memory, its sensors' records
// replayed, the host's answers as they were, a clock the replay moves, and
// enforcers that only say what they would do. No root, no Docker, no kernel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Defender, Replay, type DefenderOptions } from '../../src/defender/index.ts';
import { dryEnforcers, type Enforcers } from '../../src/enforce/index.ts';
import type { Audit } from '../../src/model/index.ts';
import { SqliteStore, type DefenderStore } from '../../src/store/index.ts';

/** The shop learned under load, then attacked (lab/record.ts). */
export const SHOP_RECORDING = fileURLToPath(new URL('./recordings/shop.jsonl.gz', import.meta.url));

export interface Replayed {
  replay: Replay;
  defender: Defender;
  store: SqliteStore;
  enforcers: ReturnType<typeof dryEnforcers>;
  audits: Audit[];
  log: string[];
  dir: string;
  /** A new defender on the same store and replay (a restart). */
  restart(): Defender;
  /** Stops the defender, closes the store and removes the data folder. */
  close(): Promise<void>;
}

/** A defender made on a replay's seams; `store` wraps the real store (a test's faults, its policy). */
export function replayed(options: {
  replay?: Replay;
  store?: (store: DefenderStore) => DefenderStore;
  enforcers?: (enforcers: Enforcers) => Enforcers;
  dir?: string;
  extra?: Partial<DefenderOptions>;
} = {}): Replayed {
  const replay = options.replay ?? Replay.read(SHOP_RECORDING);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tenet-replayed-'));
  const store = new SqliteStore(dir);
  const enforcers = dryEnforcers();
  const audits: Audit[] = [];
  const log: string[] = [];
  let ids = 0;
  const make = () => new Defender({
    store: (options.store ?? ((s) => s))(replay.store(store)),
    learnForSec: replay.learnForSec,
    converge: replay.converge,
    containers: replay.containers,
    sensors: [replay.sensor],
    enforcers: options.enforcers?.(enforcers) ?? enforcers,
    host: replay.host,
    resolver: replay.resolver,
    clock: replay.clock,
    newId: () => `id-${++ids}`,
    onAudit: (audit) => audits.push(audit),
    onLog: (line) => log.push(line),
    ...options.extra,
  });
  const result: Replayed = {
    replay, defender: make(), store, enforcers, audits, log, dir,
    restart: () => (result.defender = make()),
    close: async () => {
      await result.defender.stop();
      await store.close();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
  return result;
}
