import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RuntimeEvent, type Converted } from '../../src/model/index.ts';

/** Every event of a tool's fixtures: a line of a `.jsonl` file, or a whole (pretty-printed) `.json` file. */
export function eventFixtures(tool: 'falco' | 'tetragon' | 'tracee'): Array<{ where: string; json: unknown }> {
  const dir = fileURLToPath(new URL(`../../../shared/fixtures/events/${tool}/`, import.meta.url));
  return readdirSync(dir).sort().flatMap((file) => {
    const text = readFileSync(dir + file, 'utf8');
    if (file.endsWith('.json')) return [{ where: file, json: JSON.parse(text) as unknown }];
    return text.split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [{ where: `${file}:${i + 1}`, json: JSON.parse(line) as unknown }]));
  });
}

/** Runs an adapter over every fixture: each converts to a valid event or is rejected with a reason. */
export function convertAll(tool: 'falco' | 'tetragon' | 'tracee', adapter: (json: unknown) => Converted) {
  const events: Array<{ where: string; event: RuntimeEvent }> = [];
  const rejected = new Map<string, number>();
  for (const { where, json } of eventFixtures(tool)) {
    const result = adapter(json);
    if ('event' in result) {
      RuntimeEvent.parse(result.event);
      events.push({ where, event: result.event });
    } else {
      assert.ok(result.rejected.length > 0, where);
      rejected.set(result.rejected, (rejected.get(result.rejected) ?? 0) + 1);
    }
  }
  return { events, rejected };
}

/** Inputs of the wrong shape that every adapter must reject without throwing. */
export const GARBAGE: unknown[] = [null, 42, 'text', [], {}, true, { a: { b: [] } }];
