/**
 * The defender's end of the console channel. The defender writes to its own
 * store whatever happens, console or not; the store keeps an outbox, and the
 * uplink hands it over in order, a few batches in flight, forgetting a batch
 * only once the console acknowledged it. Cut off, it tries the next console
 * with growing waits; back, it sends again from the first record not
 * acknowledged (the console stores each once). What the console sends —
 * modes, suppressions, feeds, commands — goes into the same store, where the
 * defender reads it as if given locally.
 */
import { WebSocket } from 'ws';
import { ConsoleMessage, type DefenderMessage, type IntentModel } from '../model/index.ts';
import type { SqliteStore, StoredFeed } from '../store/index.ts';

const CHANNEL_PATH = '/api/v1/defenders/channel';

/** Records a batch, and batches awaiting acknowledgement, unless told otherwise. */
export const BATCH = 1000;
export const WINDOW = 4;

export interface UplinkOptions {
  store: SqliteStore;
  /** Console URLs (https://host:port), tried in turn. */
  urls: readonly string[];
  token: string;
  version: string;
  /** Certificates (PEM) to trust besides the system's: a console's self-signed one. */
  ca?: string;
  /** Records a batch (default BATCH) and batches awaiting acknowledgement (default WINDOW). */
  batch?: number;
  window?: number;
  log?: (line: string) => void;
  /** Models the console sends (learned on other nodes, for images this defender runs). */
  onModels?: (models: IntentModel[]) => void;
}

export interface UplinkState {
  connected: boolean;
  url?: string;
  /** The last record the console acknowledged. */
  acknowledged: number;
  reconnects: number;
}

export class Uplink {
  private readonly options: UplinkOptions;
  private socket: WebSocket | undefined;
  private url: string | undefined;
  private next = 0;
  private sentUpTo = 0;
  private acknowledged = 0;
  private inFlight = 0;
  private reconnects = 0;
  private waitMs = 250;
  private stopped = false;
  private pump: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(options: UplinkOptions) {
    if (options.urls.length === 0) throw new Error('an uplink needs a console URL');
    this.options = options;
  }

  start(): void {
    this.connect();
    this.pump = setInterval(() => this.settle(this.send()), 100);
  }

  state(): UplinkState {
    return { connected: this.socket?.readyState === WebSocket.OPEN, ...(this.url !== undefined && { url: this.url }), acknowledged: this.acknowledged, reconnects: this.reconnects };
  }

  private log(line: string): void {
    this.options.log?.(`console: ${line}`);
  }

  private connect(): void {
    if (this.stopped) return;
    const base = this.options.urls[this.next++ % this.options.urls.length]!;
    const url = new URL(CHANNEL_PATH, base.replace(/^http/, 'ws'));
    this.url = base;
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      ...(this.options.ca !== undefined && { ca: this.options.ca }),
      maxPayload: 256 * 1024 * 1024,
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    socket.on('open', () => {
      this.waitMs = 250;
      // everything not acknowledged goes again: the console stores each record once
      this.sentUpTo = this.acknowledged;
      this.inFlight = 0;
      this.settle(this.hello(base));
    });
    // what the console says is taken in order, one message after the other
    socket.on('message', (data) => {
      this.receiving = this.receiving.then(() => this.receive(data.toString())).catch((e: Error) => this.log(`store: ${e.message}`));
    });
    socket.on('unexpected-response', (_req, res) => {
      this.log(`${base} refused the channel: HTTP ${res.statusCode}`);
      socket.terminate();
    });
    socket.on('error', (e) => this.log(`${base}: ${e.message}`));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      this.reconnects++;
      const wait = this.waitMs;
      this.waitMs = Math.min(this.waitMs * 2, 10_000);
      this.retry = setTimeout(() => this.connect(), wait);
    });
  }

  private async hello(base: string): Promise<void> {
    const store = this.options.store;
    const { pending, dropped } = await store.outboxState();
    this.write({ type: 'hello', version: this.options.version, epoch: await store.storeId(), pending, dropped });
    this.log(`connected to ${base}`);
    await this.send();
  }

  /** Work started from an event handler: its failure is said, not thrown. */
  private settle(work: Promise<void>): void {
    work.catch((e: Error) => this.log(`store: ${e.message}`));
  }

  private write(message: DefenderMessage): void {
    this.socket?.send(JSON.stringify(message));
  }

  private sending: Promise<void> | undefined;

  /** Batches from the outbox while the window has room (one sender at a time). */
  private send(): Promise<void> {
    this.sending ??= this.sendBatches().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async sendBatches(): Promise<void> {
    const window = this.options.window ?? WINDOW;
    for (;;) {
      const socket = this.socket;
      if (socket === undefined || socket.readyState !== WebSocket.OPEN || this.inFlight >= window || socket.bufferedAmount >= 16 * 1024 * 1024) return;
      const records = await this.options.store.outbox(this.sentUpTo, this.options.batch ?? BATCH);
      if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
      if (records.length === 0) return;
      // bodies are stored JSON: spliced in as they are, not parsed and written again
      socket.send(`{"type":"batch","records":[${records.map((r) => `{"seq":${r.seq},"kind":"${r.kind}","key":${JSON.stringify(r.key)},"body":${r.body}}`).join(',')}]}`);
      this.sentUpTo = records.at(-1)!.seq;
      this.inFlight++;
    }
  }

  private receiving: Promise<void> = Promise.resolve();

  private async receive(text: string): Promise<void> {
    let message: ConsoleMessage;
    try {
      message = ConsoleMessage.parse(JSON.parse(text));
    } catch (e) {
      this.log(`a message that is not the console's: ${(e as Error).message.slice(0, 200)}`);
      return;
    }
    const store = this.options.store;
    switch (message.type) {
      case 'ack':
        await store.acknowledge(message.upTo);
        this.acknowledged = Math.max(this.acknowledged, message.upTo);
        this.inFlight = Math.max(0, this.inFlight - 1);
        if (message.rejected > 0) this.log(`the console refused ${message.rejected} records as malformed`);
        await this.send();
        break;
      case 'policy': {
        const keep = new Set(message.modes.map((m) => JSON.stringify([m.scope, m.dimension ?? null])));
        for (const m of await store.modes()) if (!keep.has(JSON.stringify([m.scope, m.dimension ?? null]))) await store.removeMode(m);
        for (const m of message.modes) await store.putMode(m);
        const ids = new Set(message.suppressions.map((s) => s.id));
        for (const s of await store.suppressions()) if (!ids.has(s.id)) await store.removeSuppression(s.id);
        for (const s of message.suppressions) await store.putSuppression(s);
        break;
      }
      case 'feeds': {
        const names = new Set(message.feeds.map((f) => f.name));
        for (const f of await store.feeds()) if (!names.has(f.name)) await store.removeFeed(f.name);
        for (const feed of message.feeds) {
          const stored: StoredFeed = { ...feed, indicators: message.indicators.filter((i) => i.provenance.feed === feed.name) };
          await store.putFeed(stored);
        }
        break;
      }
      case 'commands':
        for (const { command } of message.commands) await store.enqueueCommand(command);
        this.write({ type: 'commands-done', upTo: message.commands.at(-1)?.seq ?? 0 });
        break;
      case 'models':
        this.options.onModels?.(message.models);
        break;
      case 'error':
        this.log(`${message.code}: ${message.message}`);
        break;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pump);
    clearTimeout(this.retry);
    const socket = this.socket;
    if (socket !== undefined && socket.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close(1000, 'defender stopping');
        setTimeout(resolve, 2000).unref();
      });
    }
    socket?.terminate();
  }
}

/** Enrolls with a console: the defender's id and the token it connects with. */
export async function enroll(url: string, enrollToken: string, me: { name: string; hostname: string; version: string }, ca?: string): Promise<{ id: string; token: string }> {
  const { request } = await import('node:https');
  const { request: plain } = await import('node:http');
  const target = new URL('/api/v1/defenders/enroll', url);
  const body = JSON.stringify(me);
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? request : plain)(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${enrollToken}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      ...(ca !== undefined && { ca }),
      timeout: 15_000,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        if (res.statusCode === 201) resolve(JSON.parse(text) as { id: string; token: string });
        else reject(new Error(`${url} refused to enroll this defender: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
    req.on('error', (e) => reject(new Error(`cannot reach ${url}: ${e.message}`)));
    req.end(body);
  });
}
