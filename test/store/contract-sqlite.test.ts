import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';

storeContract('sqlite', () => ({
  open: async () => new SqliteStore(mkdtempSync(join(tmpdir(), 'tenet-store-')), { maxEvents: 100 }),
  beforeConsole: 6,
  latest: 9,
}));
