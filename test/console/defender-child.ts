// A defender as a process of its own, for the fault test that kills it: it stores events and hands them to the console.
// argv: write|drain DATA_DIR CONSOLE_URL TOKEN
import { Uplink } from '../../src/defender/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const [mode, dataDir, url, token] = process.argv.slice(2) as [string, string, string, string];
const store = new SqliteStore(dataDir, { outbox: { max: 1_000_000 } });
const uplink = new Uplink({ store, urls: [url], token, version: '0.0.0-test', batch: 200 });
uplink.start();
if (mode === 'write') {
  let n = 0;
  setInterval(() => {
    store.addEvents(Array.from({ length: 20 }, () => ({ event: { kind: 'syscall' as const, time: new Date().toISOString(), source: 'tenet' as const, syscall: `${process.pid}-${n++}` } })))
      .catch((e: Error) => process.stderr.write(`${e.message}\n`));
    // the test kills this process a while after it has written this many (however slowly it started)
    if (n === 400) process.stdout.write('writing\n');
  }, 5);
} else {
  const check = setInterval(() => {
    store.outboxState().then(async ({ pending }) => {
      if (pending > 0) return;
      clearInterval(check);
      await uplink.stop();
      await store.close();
      process.exit(0);
    }).catch((e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    });
  }, 100);
}
