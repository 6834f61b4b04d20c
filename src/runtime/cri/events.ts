import protobuf from 'protobufjs/light.js';
import type { CriClient } from './client.ts';

/** gRPC's status for a method the server does not have. */
const UNIMPLEMENTED = 12;
/** A stream open this long without an error is taken as served (a runtime sends nothing until something happens). */
const HELD_MS = 1_000;
/** How long after a stream that ended (the runtime restarted) it is opened again. */
const RETRY_MS = 5_000;

/** containerd's `SubscribeRequest` (containerd.services.events.v1): its filters, field 1. */
function subscribeRequest(filters: readonly string[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const filter of filters) writer.uint32((1 << 3) | 2).string(filter);
  return writer.finish();
}

/**
 * The event streams a runtime may serve on its socket, in the order tried:
 * CRI's own (`GetContainerEvents`: containerd 1.7 and later, CRI-O with
 * evented PLEG), then containerd's events service (task starts, exits and
 * deletions). Their messages are not read: each only says that something
 * changed, and the listing says what.
 */
const STREAMS = [
  { name: 'CRI GetContainerEvents', path: '/runtime.v1.RuntimeService/GetContainerEvents', request: () => new Uint8Array() },
  { name: 'containerd events', path: '/containerd.services.events.v1.Events/Subscribe', request: () => subscribeRequest(['topic~="^/tasks/"', 'topic=="/containers/delete"']) },
] as const;

/**
 * The first event stream the runtime serves, kept open: `onEvent` for each
 * message; one that ends is opened again after a while; none when the
 * runtime serves none of them.
 */
export class EventStreams {
  /** The stream in use, once it held. */
  open: string | undefined;
  private readonly client: CriClient;
  private readonly onEvent: () => void;
  private current: { close(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(client: CriClient, onEvent: () => void) {
    this.client = client;
    this.onEvent = onEvent;
    this.subscribe(0);
  }

  private subscribe(index: number): void {
    const kind = STREAMS[index];
    if (kind === undefined || this.closed) return;
    const held = setTimeout(() => (this.open = kind.name), HELD_MS);
    this.current = this.client.stream(kind.path, kind.request(), () => {
      this.open = kind.name;
      this.onEvent();
    }, (error) => {
      clearTimeout(held);
      this.open = undefined;
      if (this.closed || error === undefined) return;
      if (error.code === UNIMPLEMENTED) this.subscribe(index + 1);
      else this.timer = setTimeout(() => this.subscribe(index), RETRY_MS);
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.current?.close();
  }
}
