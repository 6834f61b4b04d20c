/**
 * A recording of everything a defender was given: the containers its runtime
 * listed and changed, the images it read, what the host said of processes,
 * the sensors' records and other tools' events, the answers to the names it
 * resolved, and the policy it read from its store, each with its time. Replayed (replay.ts), it drives a defender
 * exactly as the live one was driven, as fast as the machine goes.
 *
 * One JSON document a line: a header `{"recording":"tenet","version":1,"start":MS}`,
 * then entries `{"t":MS_SINCE_START, …}` of one of these kinds.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Indicator } from '../intel/index.ts';
import type { ModeSetting, RuntimeEvent, Suppression } from '../model/index.ts';
import type { Clock, ContainerChange, ContainerInfo, ContainerSource, Host, ImageContents } from '../runtime/index.ts';
import type { EventSource, SensorRecord } from '../sensor/index.ts';
import type { NameResolver, Resolved } from './peer-names.ts';
import type { DefenderStore, FeedSummary, ModelCommand } from '../store/index.ts';

export const RECORDING_VERSION = 1;

/** The store reads a recording keeps (each time its answer changes). */
export type RecordedRead = 'modes' | 'suppressions' | 'feeds' | 'feedIndicators' | 'takeCommands';
export type HostCall = keyof Host;

export type RecordingEntry = { t: number } & (
  | { running: ContainerInfo[] }
  | { change: ContainerChange }
  | { image: { id: string; contents?: ImageContents; error?: string } }
  | { host: HostCall; args: unknown[]; answer: unknown }
  | { record: SensorRecord }
  | { event: RuntimeEvent }
  | { read: RecordedRead; answer: ModeSetting[] | Suppression[] | FeedSummary[] | Indicator[] | ModelCommand[] }
  | { resolved: { servers: string[]; name: string; answer: Resolved } }
);

export interface RecordingHeader {
  recording: 'tenet';
  version: number;
  /** When it began, ms since the epoch. */
  start: number;
  /** The recorded defender's learning window, in seconds: a replay learns for as long. */
  learnForSec: number;
  /** false: the recorded defender's models learned for the whole window, convergence or not. */
  converge?: false;
}

/**
 * Writes a recording while a defender runs: its seams are wrapped, each
 * answer they give is written with its time, and passed on unchanged.
 */
export class Recorder {
  private readonly out: WriteStream;
  private readonly clock: Clock;
  private readonly start: number;
  private readonly last = new Map<RecordedRead, string>();

  constructor(path: string, clock: Clock, learnForSec: number, converge = true) {
    this.clock = clock;
    this.start = clock.now();
    this.out = createWriteStream(path, { flags: 'w' });
    const header: RecordingHeader = { recording: 'tenet', version: RECORDING_VERSION, start: this.start, learnForSec, ...(!converge && { converge: false }) };
    this.out.write(`${JSON.stringify(header)}\n`);
  }

  /** Writes an entry with its time (now, or `at`): returns that time. */
  private write(entry: Record<string, unknown>, at = this.clock.now()): number {
    this.out.write(`${JSON.stringify({ t: at - this.start, ...entry })}\n`);
    return at;
  }

  containers(source: ContainerSource): ContainerSource {
    return {
      name: source.name,
      running: async () => {
        const running = await source.running();
        this.write({ running });
        return running;
      },
      follow: (onChange, onEnd) => source.follow((change) => {
        this.write({ change });
        onChange(change);
      }, onEnd),
      inspect: (id) => source.inspect(id),
      readImage: async (id, reference) => {
        try {
          const contents = await source.readImage(id, reference);
          this.write({ image: { id, contents } });
          return contents;
        } catch (e) {
          this.write({ image: { id, error: (e as Error).message } });
          throw e;
        }
      },
      stop: (id, graceSec) => source.stop(id, graceSec),
    };
  }

  host(host: Host): Host {
    const call = <K extends HostCall>(name: K) => ((...args: unknown[]) => {
      const answer = (host[name] as (...a: unknown[]) => unknown)(...args);
      this.write({ host: name, args, answer: answer ?? null });
      return answer;
    }) as Host[K];
    return {
      exe: call('exe'), process: call('process'), pids: call('pids'), listening: call('listening'), cgroupId: call('cgroupId'), inUpperDir: call('inUpperDir'), resolver: call('resolver'),
    };
  }

  /** The names resolved again for containers: each answer written when it came. */
  resolver(resolver: NameResolver): NameResolver {
    return {
      resolve: async (servers, name) => {
        const answer = await resolver.resolve(servers, name);
        this.write({ resolved: { servers, name, answer } });
        return answer;
      },
      close: () => resolver.close(),
    };
  }

  sensor(source: EventSource): EventSource {
    return {
      name: source.name,
      // each delivered with the time it was written at: a replay judges it at the very same time
      start: (sink) => source.start({
        record: (record, at) => sink.record(record, this.write({ record }, at)),
        event: (event, at) => sink.event(event, this.write({ event }, at)),
      }),
      stop: () => source.stop(),
      watching: () => source.watching(),
      status: () => source.status(),
      ...(source.syscalls !== undefined && { syscalls: source.syscalls }),
    };
  }

  /** The store as the defender reads it: the policy reads are written when their answer changes (commands: each one taken). */
  store(store: DefenderStore): DefenderStore {
    const read = <T>(name: RecordedRead, get: () => Promise<T>) => async (): Promise<T> => {
      const answer = await get();
      const text = JSON.stringify(answer);
      if (name === 'takeCommands' ? text !== '[]' : text !== this.last.get(name)) {
        this.last.set(name, text);
        this.write({ read: name, answer });
      }
      return answer;
    };
    return {
      ...delegate(store),
      modes: read('modes', () => store.modes()),
      suppressions: read('suppressions', () => store.suppressions()),
      feeds: read('feeds', () => store.feeds()),
      feedIndicators: read('feedIndicators', () => store.feedIndicators()),
      takeCommands: read('takeCommands', () => store.takeCommands()),
    };
  }

  /** Writes what is left, and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/** Every method of a defender's store, bound to it: a wrapper replaces some and passes the rest on. */
export function delegate(store: DefenderStore): DefenderStore {
  return {
    putModels: (models) => store.putModels(models),
    models: () => store.models(),
    queryModels: (query) => store.queryModels(query),
    model: (id) => store.model(id),
    putContainer: (container) => store.putContainer(container),
    removeContainer: (id) => store.removeContainer(id),
    containers: () => store.containers(),
    addEvents: (events) => store.addEvents(events),
    addAudits: (audits) => store.addAudits(audits),
    putIncidents: (incidents) => store.putIncidents(incidents),
    putSupermodels: (supermodels) => store.putSupermodels(supermodels),
    supermodels: () => store.supermodels(),
    modes: () => store.modes(),
    suppressions: () => store.suppressions(),
    takeCommands: () => store.takeCommands(),
    putFeed: (feed) => store.putFeed(feed),
    removeFeed: (name) => store.removeFeed(name),
    feeds: () => store.feeds(),
    feedIndicators: () => store.feedIndicators(),
    putStatus: (key, value) => store.putStatus(key, value),
    status: (key) => store.status(key),
    putImage: (image) => store.putImage(image),
    image: (id) => store.image(id),
  };
}
