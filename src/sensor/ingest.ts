import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Converted } from '../model/index.ts';
import type { EventSink, EventSource, SourceStatus } from './source.ts';
import { fromFalco, fromTetragon, fromTracee } from './adapters/index.ts';

/** The other tools whose JSON output the defender reads, by the name `--ingest` uses. */
export const INGEST_FORMATS: Readonly<Record<string, (json: unknown) => Converted>> = {
  falco: fromFalco,
  tetragon: fromTetragon,
  tracee: fromTracee,
};

/** What reading another tool's output came to: nothing is dropped without being counted. */
export interface IngestCounts {
  lines: number;
  events: number;
  /** Lines that were not JSON, or that the adapter rejected, by reason. */
  rejected: Record<string, number>;
  /** Events about no container this defender follows. */
  otherContainers: number;
}

/** `falco:/var/log/falco.json`, `tetragon:-` (standard input). */
export function parseIngest(spec: string): { format: string; path: string } | undefined {
  const colon = spec.indexOf(':');
  const format = spec.slice(0, colon);
  return colon > 0 && Object.hasOwn(INGEST_FORMATS, format) && spec.length > colon + 1 ? { format, path: spec.slice(colon + 1) } : undefined;
}

/**
 * Follows a file of JSON lines as `tail -F` would (from its start, then each
 * line appended; a file cut shorter is read again from its start), or
 * standard input for `-`. Returns a function that stops following.
 */
export function followLines(path: string, onLine: (line: string) => void, intervalMs = 200): () => void {
  if (path === '-') {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', onLine);
    return () => rl.close();
  }
  let offset = 0;
  let partial = '';
  const buffer = Buffer.alloc(1 << 16);
  const poll = () => {
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return; // not there (yet, or any more): try again at the next poll
    }
    if (size < offset) {
      offset = 0;
      partial = '';
    }
    if (size === offset) return;
    const fd = openSync(path, 'r');
    try {
      while (offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - offset), offset);
        if (n <= 0) break;
        offset += n;
        const lines = (partial + buffer.toString('utf8', 0, n)).split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line.trim() !== '') onLine(line);
      }
    } finally {
      closeSync(fd);
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return () => clearInterval(timer);
}

/**
 * Other tools' output as events: each `--ingest FORMAT:FILE` followed as it
 * grows, every line converted by its tool's adapter; what cannot be an
 * event, or is about no container of this host, is counted with the reason.
 */
export class IngestSource implements EventSource {
  readonly name = 'ingest';
  readonly counts: IngestCounts = { lines: 0, events: 0, rejected: {}, otherContainers: 0 };
  private readonly streams: ReadonlyArray<{ format: string; path: string }>;
  private readonly unfollow: Array<() => void> = [];

  constructor(streams: ReadonlyArray<{ format: string; path: string }>) {
    this.streams = streams;
  }

  async start(sink: EventSink): Promise<void> {
    for (const { format, path } of this.streams) {
      const adapter = INGEST_FORMATS[format];
      if (adapter === undefined) throw new Error(`no adapter for ${format} (${Object.keys(INGEST_FORMATS).join(', ')})`);
      this.unfollow.push(followLines(path, (line) => this.line(sink, adapter, line)));
    }
  }

  /** One line of another tool's output: its event, about a container this defender follows. */
  private line(sink: EventSink, adapter: (json: unknown) => Converted, line: string): void {
    const counts = this.counts;
    counts.lines++;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      json = undefined;
    }
    const converted: Converted = json === undefined ? { rejected: 'not JSON' } : adapter(json);
    if ('rejected' in converted) {
      counts.rejected[converted.rejected] = (counts.rejected[converted.rejected] ?? 0) + 1;
      return;
    }
    if (sink.event(converted.event)) counts.events++;
    else counts.otherContainers++;
  }

  watching(): boolean {
    return true;
  }

  status(): SourceStatus {
    return { ingested: this.counts };
  }

  async stop(): Promise<void> {
    for (const stop of this.unfollow.splice(0)) stop();
  }
}
