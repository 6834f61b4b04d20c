import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ContainerInfo, Host } from '../runtime/index.ts';
import { ManualClock, MemoryContainers } from '../runtime/index.ts';
import type { EventSink, EventSource, SourceStatus } from '../sensor/index.ts';
import type { DefenderStore, ModelCommand } from '../store/index.ts';
import type { NameResolver, Resolved } from './peer-names.ts';
import { delegate, RECORDING_VERSION, type HostCall, type RecordedRead, type RecordingEntry, type RecordingHeader } from './recording.ts';

/** A recording that cannot be replayed: its file and line, and why. */
export class RecordingError extends Error {
  override name = 'RecordingError';
}

/** What a host call answers when the recording has no answer for it: nothing known. */
const NOTHING: Readonly<Record<HostCall, unknown>> = { exe: undefined, process: undefined, pids: [], listening: [], cgroupId: undefined, inUpperDir: false, resolver: undefined };

/**
 * A recording played back through a defender's seams: a clock that moves
 * only as the recording does, the containers it listed and changed (in
 * memory), the host's answers, the sensors' records and other tools'
 * events, and the policy its store gave. A defender built on them does what
 * the live one did, as fast as the machine goes, the same every time.
 */
export class Replay {
  readonly clock: ManualClock;
  readonly containers: MemoryContainers;
  readonly host: Host;
  /** The answers the recorded defender got for the names it resolved, in the order it got them. */
  readonly resolver: NameResolver;
  readonly sensor = new ReplaySensor();
  /** The recording's entries, in order. */
  readonly entries: readonly RecordingEntry[];
  readonly start: number;
  /** The recorded defender's learning window, in seconds, and whether its learning ended once a model converged. */
  readonly learnForSec: number;
  readonly converge: boolean;
  /** The next entry to play. */
  private position = 0;
  private readonly reads = new Map<RecordedRead, Array<{ t: number; answer: unknown }>>();
  private commandsTaken = 0;

  private constructor(header: RecordingHeader, entries: RecordingEntry[]) {
    this.start = header.start;
    this.learnForSec = header.learnForSec;
    this.converge = header.converge !== false;
    this.entries = entries;
    this.clock = new ManualClock(header.start);
    const first = entries.find((e): e is RecordingEntry & { running: ContainerInfo[] } => 'running' in e);
    // each image is given when the recorded defender had it read: a read waits until then
    this.containers = new MemoryContainers(first?.running ?? [], [], { waitForImages: true });
    this.host = answersOf(entries);
    this.resolver = resolvedOf(entries);
    for (const e of entries) if ('read' in e) (this.reads.get(e.read) ?? this.reads.set(e.read, []).get(e.read)!).push({ t: e.t, answer: e.answer });
  }

  /** A recording file (gzipped when it ends in `.gz`). */
  static read(path: string): Replay {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new RecordingError(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
    } catch (e) {
      throw new RecordingError(`${path}: not gzip: ${(e as Error).message}`);
    }
    return Replay.parse(bytes.toString('utf8'), path);
  }

  /** A recording's text, read; `file` names it in errors. */
  static parse(text: string, file = 'recording'): Replay {
    const lines = text.split('\n');
    const parse = (line: string, n: number): unknown => {
      try {
        return JSON.parse(line);
      } catch (e) {
        throw new RecordingError(`${file}:${n}: not JSON: ${(e as Error).message}`);
      }
    };
    const header = parse(lines[0] ?? '', 1) as Partial<RecordingHeader> | null;
    if (header?.recording !== 'tenet' || typeof header.start !== 'number' || typeof header.learnForSec !== 'number') throw new RecordingError(`${file}:1: not a Tenet recording (no {"recording":"tenet",…} header)`);
    if (header.version !== RECORDING_VERSION) throw new RecordingError(`${file}:1: recording version ${header.version}, this Tenet reads ${RECORDING_VERSION}`);
    const entries: RecordingEntry[] = [];
    for (let i = 1; i < lines.length; i++) {
      if (lines[i]!.trim() === '') continue;
      const entry = parse(lines[i]!, i + 1) as RecordingEntry | null;
      if (typeof entry?.t !== 'number') throw new RecordingError(`${file}:${i + 1}: an entry without its time ("t")`);
      entries.push(entry);
    }
    return new Replay(header as RecordingHeader, entries);
  }

  /** When the last entry happened, ms since the epoch. */
  get end(): number {
    return this.start + (this.entries.at(-1)?.t ?? 0);
  }

  /** The store a replayed defender reads its policy from: what the recorded one read, at the same time; everything else is `store`'s. */
  store(store: DefenderStore): DefenderStore {
    const at = <T>(name: RecordedRead, fallback: () => Promise<T>) => async (): Promise<T> => {
      const now = this.clock.now() - this.start;
      const recorded = this.reads.get(name);
      if (recorded === undefined) return fallback();
      let answer: unknown;
      for (const r of recorded) if (r.t <= now) answer = r.answer;
      return answer === undefined ? fallback() : (answer as T);
    };
    return {
      ...delegate(store),
      modes: at('modes', () => store.modes()),
      suppressions: at('suppressions', () => store.suppressions()),
      feeds: at('feeds', () => store.feeds()),
      feedIndicators: at('feedIndicators', () => store.feedIndicators()),
      takeCommands: async () => {
        const now = this.clock.now() - this.start;
        const recorded = this.reads.get('takeCommands') ?? [];
        const due: ModelCommand[] = [];
        while (this.commandsTaken < recorded.length && recorded[this.commandsTaken]!.t <= now) due.push(...(recorded[this.commandsTaken++]!.answer as ModelCommand[]));
        return due;
      },
    };
  }

  /**
   * Plays the recording on from where it stopped (up to `until`, ms since the
   * epoch): the clock moves to each entry's time, running what is due, then
   * the entry is delivered.
   */
  async play(until = Infinity): Promise<void> {
    for (; this.position < this.entries.length; this.position++) {
      const entry = this.entries[this.position]!;
      const at = this.start + entry.t;
      if (at > until) break;
      await this.clock.advanceTo(at);
      if ('change' in entry) {
        const change = entry.change;
        if (change.action === 'start') this.containers.start(change.container);
        else if (change.action === 'die') this.containers.die(change.id);
        else if (change.action === 'destroy') this.containers.destroy(change.id);
      } else if ('record' in entry) {
        this.sensor.sink?.record(entry.record, at);
      } else if ('event' in entry) {
        this.sensor.sink?.event(entry.event, at);
      } else if ('image' in entry) {
        this.containers.setImage(entry.image.id, entry.image.contents ?? new Error(entry.image.error ?? 'not read'));
      } else {
        continue;
      }
      // what the delivery started (an image read, a store write) settles before the next entry
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (until !== Infinity) await this.clock.advanceTo(until);
    else this.containers.giveUp('the recording ended before the image was read');
  }
}

/** The recorded sensors and streams: what was delivered, delivered again as the replay plays. */
class ReplaySensor implements EventSource {
  readonly name = 'replay';
  sink: EventSink | undefined;

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.sink = undefined;
  }

  watching(): boolean {
    return true;
  }

  status(): SourceStatus {
    return { sensor: { running: true } };
  }
}

/** The host's recorded answers, each call answered in the order the recorded one was (the last answer again past them). */
function answersOf(entries: readonly RecordingEntry[]): Host {
  const answers = new Map<string, unknown[]>();
  for (const e of entries) {
    if (!('host' in e)) continue;
    const key = `${e.host} ${JSON.stringify(e.args)}`;
    (answers.get(key) ?? answers.set(key, []).get(key)!).push(e.answer ?? undefined);
  }
  const call = (name: HostCall) => (...args: unknown[]): unknown => {
    const queue = answers.get(`${name} ${JSON.stringify(args)}`);
    if (queue === undefined || queue.length === 0) return name === 'process' ? { pid: args[0] } : NOTHING[name];
    return queue.length > 1 ? queue.shift() : queue[0];
  };
  return {
    exe: call('exe') as Host['exe'],
    process: call('process') as Host['process'],
    pids: call('pids') as Host['pids'],
    listening: call('listening') as Host['listening'],
    cgroupId: call('cgroupId') as Host['cgroupId'],
    inUpperDir: call('inUpperDir') as Host['inUpperDir'],
    resolver: call('resolver') as Host['resolver'],
  };
}

/** The recorded answers to names, each name answered as the recorded one was, in order (the last answer again past them; none: the servers did not answer). */
function resolvedOf(entries: readonly RecordingEntry[]): NameResolver {
  const answers = new Map<string, Resolved[]>();
  for (const e of entries) {
    if (!('resolved' in e)) continue;
    const key = `${e.resolved.servers.join(' ')} ${e.resolved.name}`;
    (answers.get(key) ?? answers.set(key, []).get(key)!).push(e.resolved.answer);
  }
  return {
    resolve: async (servers, name) => {
      const queue = answers.get(`${servers.join(' ')} ${name}`);
      if (queue === undefined || queue.length === 0) return { addresses: [], ttlSec: 0, failed: true };
      return queue.length > 1 ? queue.shift()! : queue[0]!;
    },
    close: () => undefined,
  };
}
