/**
 * The console's end of the defender channel: defenders connect with their
 * token, hand over their outbox in batches (stored, then acknowledged: a
 * batch sent again after a reconnect is stored once), and receive the modes,
 * suppressions, threat feeds and commands the console holds. Any replica
 * serves any defender: everything goes through the shared store.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  Audit, DefenderMessage, Incident, IntentModel, RuntimeEvent, Supermodel, type ChannelRecord, type ConsoleMessage,
} from '../model/index.ts';
import type { Store, DefenderRecord, FeedSummary, StoredContainer } from '../store/index.ts';
import { secretHash } from './auth.ts';

export const CHANNEL_PATH = '/api/v1/defenders/channel';

/** A frame larger than this closes the connection (a batch of 5,000 records fits many times). */
const MAX_FRAME = 64 * 1024 * 1024;
/** How often policy, feeds and commands are looked at for changes. */
const PUSH_EVERY_MS = 1000;

interface Connection {
  socket: WebSocket;
  defender: string;
  /** The defender's outbox, as its hello names it. */
  epoch?: string;
  /** Frames handled one after another: acknowledgements go out in order. */
  queue: Promise<void>;
  sentPolicy?: string;
  sentFeeds?: string;
  sentCommand: number;
  /** Active models sent: each image's once. */
  sentModels: Set<string>;
  lastSeenWrite: number;
}

/** What the console holds that defenders take, read once a round. */
interface Snapshot {
  policy: ConsoleMessage;
  policyText: string;
  feeds: FeedSummary[];
  feedsKey: string;
  /** Each defender's models in use, by the containers it reported. */
  modelsOf: Map<string, Set<string>>;
}

export interface ChannelOptions {
  store: Store;
  /** This replica's name, kept with each defender it serves. */
  replica?: string;
  log?: (entry: Record<string, unknown>) => void;
}

export class ChannelHub {
  readonly replica: string;
  private readonly store: Store;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  private readonly connections = new Set<Connection>();
  private readonly timer: NodeJS.Timeout;
  private pushing = false;

  constructor(options: ChannelOptions) {
    this.store = options.store;
    this.replica = options.replica ?? randomUUID();
    this.log = options.log ?? ((entry) => process.stderr.write(`${JSON.stringify(entry)}\n`));
    this.timer = setInterval(() => {
      this.push().catch((e: Error) => this.log({ time: new Date().toISOString(), channel: 'push', error: e.message }));
    }, PUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Takes the channel's upgrades on a server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== CHANNEL_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.upgrade(req, socket, head).catch((e: Error) => {
        this.log({ time: new Date().toISOString(), channel: 'upgrade', error: e.message });
        socket.destroy();
      });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const [scheme, secret] = (req.headers.authorization ?? '').split(/\s+/, 2);
    const token = /^bearer$/i.test(scheme ?? '') && secret !== undefined && secret.length <= 256 ? await this.store.tokenByHash(secretHash(secret)).catch(() => undefined) : undefined;
    if (token === undefined || token.role !== 'defender' || token.defender === undefined || token.enroll === true || (token.expiresAt !== undefined && Date.parse(token.expiresAt) <= Date.now())) {
      this.log({ time: new Date().toISOString(), channel: 'refused', address: req.socket.remoteAddress, code: 'ERR_UNAUTHENTICATED' });
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"ERR_UNAUTHENTICATED","message":"a defender\'s token is needed"}}');
      return;
    }
    const defender = token.defender;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, defender));
  }

  private open(socket: WebSocket, defender: string): void {
    const connection: Connection = { socket, defender, queue: Promise.resolve(), sentCommand: -1, sentModels: new Set(), lastSeenWrite: 0 };
    this.connections.add(connection);
    connection.queue = connection.queue.then(() => this.touch(defender, { connected: true, replica: this.replica })).then(async () => this.pushTo(connection, await this.snapshot()));
    socket.on('message', (data, binary) => {
      connection.queue = connection.queue.then(() => this.receive(connection, binary ? '' : data.toString())).catch((e: Error) => {
        this.log({ time: new Date().toISOString(), channel: 'error', defender, error: e.message });
        socket.close(1011, 'the console could not store the batch');
      });
    });
    socket.on('close', () => {
      this.connections.delete(connection);
      connection.queue = connection.queue.then(() => this.touch(defender, { connected: false })).catch(() => {});
    });
    socket.on('error', () => socket.terminate());
  }

  private send(connection: Connection, message: ConsoleMessage): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(message));
  }

  /** A frame from a defender: a malformed one is answered with an error and the connection closed; a bad record is skipped and counted. */
  private async receive(connection: Connection, text: string): Promise<void> {
    let message: DefenderMessage;
    try {
      message = DefenderMessage.parse(JSON.parse(text));
    } catch (e) {
      this.log({ time: new Date().toISOString(), channel: 'bad-frame', defender: connection.defender, error: (e as Error).message.slice(0, 500) });
      this.send(connection, { type: 'error', code: 'ERR_BAD_REQUEST', message: 'a frame that is not a defender message' });
      connection.socket.close(1008, 'bad frame');
      return;
    }
    if (message.type === 'hello') {
      connection.epoch = message.epoch;
      await this.touch(connection.defender, { version: message.version, pending: message.pending, dropped: message.dropped });
      return;
    }
    if (message.type === 'commands-done') {
      await this.touch(connection.defender, { lastCommand: message.upTo });
      return;
    }
    if (connection.epoch === undefined) {
      this.send(connection, { type: 'error', code: 'ERR_BAD_REQUEST', message: 'a batch before the hello' });
      connection.socket.close(1008, 'no hello');
      return;
    }
    const rejected = await this.ingest(connection.defender, connection.epoch, message.records);
    const upTo = message.records.reduce((max, r) => Math.max(max, r.seq), 0);
    this.send(connection, { type: 'ack', upTo, rejected });
    const now = Date.now();
    if (now - connection.lastSeenWrite >= 1000) {
      connection.lastSeenWrite = now;
      await this.touch(connection.defender, {});
    }
  }

  /** Stores a batch; returns how many records were not what their kind says (skipped, logged). */
  private async ingest(defender: string, epoch: string, records: readonly ChannelRecord[]): Promise<number> {
    const events: Array<{ seq: number; event: RuntimeEvent; container?: string }> = [];
    const audits: Audit[] = [];
    const incidents = new Map<string, Incident>();
    const models = new Map<string, IntentModel>();
    const supermodels = new Map<string, Supermodel>();
    const containers: Array<StoredContainer | { id: string; removed: true }> = [];
    let status: unknown;
    let rejected = 0;
    for (const record of records) {
      const body = record.body as Record<string, unknown> | null;
      let ok = true;
      switch (record.kind) {
        case 'event': {
          const event = RuntimeEvent.safeParse(body?.event);
          ok = event.success && (body!.container === undefined || typeof body!.container === 'string');
          if (ok) events.push({ seq: record.seq, event: event.data!, ...(typeof body!.container === 'string' && { container: body!.container }) });
          break;
        }
        case 'audit': {
          const audit = Audit.safeParse(body);
          ok = audit.success;
          if (ok) audits.push(audit.data!);
          break;
        }
        case 'incident': {
          const incident = Incident.safeParse(body);
          ok = incident.success;
          if (ok) incidents.set(incident.data!.id, incident.data!);
          break;
        }
        case 'model': {
          const model = IntentModel.safeParse(body);
          ok = model.success;
          if (ok) models.set(model.data!.id, model.data!);
          break;
        }
        case 'supermodel': {
          const graph = Supermodel.safeParse(body);
          ok = graph.success;
          if (ok) supermodels.set(graph.data!.app, graph.data!);
          break;
        }
        case 'container':
          ok = typeof body?.id === 'string' && (body.removed === true || (typeof body.name === 'string' && typeof body.image === 'string' && typeof body.running === 'boolean'));
          if (ok) containers.push(body!.removed === true ? { id: body!.id as string, removed: true } : { ...(body as unknown as StoredContainer), defender });
          break;
        case 'status':
          if (record.key === 'defender') status = body;
          break;
      }
      if (!ok) rejected++;
    }
    const store = this.store;
    await store.addEventsFrom(`${defender}/${epoch}`, events);
    await store.addAudits(audits);
    if (incidents.size > 0) await store.putIncidents([...incidents.values()]);
    if (models.size > 0) await store.putModels([...models.values()]);
    if (supermodels.size > 0) await store.putSupermodels([...supermodels.values()]);
    for (const c of containers) {
      if ('removed' in c) await store.removeContainer(c.id);
      else await store.putContainer(c);
    }
    if (status !== undefined) await this.touch(defender, { status });
    if (rejected > 0) this.log({ time: new Date().toISOString(), channel: 'rejected', defender, records: rejected });
    return rejected;
  }

  /** Updates what the store says of a defender (it was seen now). */
  private async touch(id: string, fields: Partial<DefenderRecord>): Promise<void> {
    const found = (await this.store.defenders()).find((d) => d.id === id);
    if (found === undefined) return;
    await this.store.putDefender({ ...found, ...fields, lastSeen: new Date().toISOString() });
  }

  /** Policy, feeds, commands and models learned elsewhere, to every connection that has not had them as they are now. */
  private async push(): Promise<void> {
    if (this.pushing || this.connections.size === 0) return;
    this.pushing = true;
    try {
      const now = await this.snapshot();
      for (const connection of this.connections) await this.pushTo(connection, now);
    } catch (e) {
      this.log({ time: new Date().toISOString(), channel: 'push', error: (e as Error).message });
    } finally {
      this.pushing = false;
    }
  }

  /** What every connection is compared with, read once a round: policy, the feeds' versions, each defender's models in use. */
  private async snapshot(): Promise<Snapshot> {
    const store = this.store;
    const policy: ConsoleMessage = { type: 'policy', modes: await store.modes(), suppressions: await store.suppressions() };
    const feeds = await store.feeds();
    const modelsOf = new Map<string, Set<string>>();
    for (const c of await store.containers()) {
      if (c.defender === undefined || c.model === undefined) continue;
      const models = modelsOf.get(c.defender) ?? new Set<string>();
      modelsOf.set(c.defender, models.add(c.model));
    }
    return { policy, policyText: JSON.stringify(policy), feeds, feedsKey: JSON.stringify(feeds.map((f) => [f.name, f.loadedAt])), modelsOf };
  }

  private async pushTo(connection: Connection, now: Snapshot): Promise<void> {
    const store = this.store;
    if (now.policyText !== connection.sentPolicy) {
      connection.sentPolicy = now.policyText;
      this.send(connection, now.policy);
    }
    if (now.feedsKey !== connection.sentFeeds) {
      connection.sentFeeds = now.feedsKey;
      this.send(connection, { type: 'feeds', feeds: now.feeds.map(({ count: _count, ...f }) => f), indicators: await store.feedIndicators() });
    }
    if (connection.sentCommand < 0) connection.sentCommand = (await store.defenders()).find((d) => d.id === connection.defender)?.lastCommand ?? 0;
    const commands = await store.commandsSince(connection.sentCommand);
    if (commands.length > 0) {
      connection.sentCommand = commands.at(-1)!.seq;
      this.send(connection, { type: 'commands', commands });
    }
    // the models of the images it runs, once each has finished learning (here or on another node)
    const models: IntentModel[] = [];
    for (const id of now.modelsOf.get(connection.defender) ?? []) {
      if (connection.sentModels.has(id)) continue;
      const model = await store.model(id);
      if (model?.state !== 'active') continue;
      connection.sentModels.add(model.id);
      models.push(model);
    }
    if (models.length > 0) this.send(connection, { type: 'models', models });
  }

  /** Closes every connection (the defenders reconnect, to this replica or another). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const c of this.connections) c.socket.terminate();
    await Promise.all([...this.connections].map((c) => c.queue.catch(() => {})));
    this.wss.close();
  }
}
