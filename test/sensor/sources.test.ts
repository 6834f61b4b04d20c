import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Replay } from '../../src/defender/index.ts';
import { INGEST_FORMATS, IngestSource } from '../../src/sensor/index.ts';
import { eventFixtures } from './fixtures.ts';
import { eventSourceContract } from './source-contract.ts';

eventSourceContract('a replay\'s sensor', async () => {
  const header = JSON.stringify({ recording: 'tenet', version: 1, start: 0, learnForSec: 1 });
  const lines = Array.from({ length: 4 }, (_, i) => JSON.stringify({ t: i + 1, record: { tag: 'exit', cgroup: '7', pid: 100 + i, code: 0 } }));
  const replay = Replay.parse([header, ...lines].join('\n'));
  let t = 0;
  return {
    source: replay.sensor,
    provoke: () => replay.play(++t),
    provoked: (d) => 'record' in d && d.record.pid === 99 + t,
    leftBehind: () => [],
    close: async () => {},
  };
});

// a Falco alert about a container, as Falco writes it to its JSON output
const falco = eventFixtures('falco').find(({ json }) => {
  const converted = INGEST_FORMATS.falco!(json);
  return 'event' in converted && converted.event.container?.id !== undefined;
})!;

eventSourceContract('other tools\' output followed in a file (Falco)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-ingest-'));
  const file = join(dir, 'falco.json');
  writeFileSync(file, '');
  const source = new IngestSource([{ format: 'falco', path: file }]);
  return {
    source,
    provoke: async () => appendFileSync(file, `${JSON.stringify(falco.json)}\n`),
    provoked: (d) => 'event' in d && d.event.source === 'falco',
    leftBehind: () => [],
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
