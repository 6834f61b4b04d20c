// The store contract on a real PostgreSQL server, started for these tests.
import { after, before, test } from 'node:test';
import { postgresBin, startPostgres, type PostgresServer } from '../../lab/postgres.ts';
import { PostgresStore } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';

const installed = postgresBin() !== undefined;
if (!installed && process.getuid?.() === 0) {
  test('PostgreSQL is installed where the store is tested', () => {
    throw new Error('PostgreSQL is not installed: `npm run lab:up` installs it (Debian package postgresql)');
  });
} else if (!installed) {
  test('the PostgreSQL store', { skip: 'PostgreSQL is not installed and this is not a lab (not root)' }, () => {});
} else {
  let server: PostgresServer;
  let n = 0;
  before(() => {
    server = startPostgres();
  });
  after(() => server.stop());
  storeContract('postgres', () => ({
    open: async () => PostgresStore.open(await server.database(`contract_${n++}`), { maxEvents: 100 }),
    beforeConsole: 1,
    latest: 3,
  }));
}
