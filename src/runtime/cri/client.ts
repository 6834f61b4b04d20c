import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs/light.js';
import { criMessages, type CriMessage } from './messages.ts';

/** A CRI call that failed: the method, and what the runtime (or the socket) said. */
export class CriError extends Error {
  readonly code: number | undefined;
  constructor(method: string, message: string, code?: number) {
    super(`${method}: ${message}`);
    this.name = 'CriError';
    this.code = code;
  }
}

type Plain = Record<string, unknown>;

/** How protobuf messages read back: enums by name, 64-bit numbers as decimal strings, every field present. */
const READ: protobuf.IConversionOptions = { enums: String, longs: String, defaults: true, bytes: Buffer };

/**
 * A client of the Container Runtime Interface (runtime.v1) on a runtime's
 * unix socket: containerd, CRI-O, or cri-dockerd. Each call is a unary gRPC
 * request with a deadline; the messages are criMessages()'s.
 */
export class CriClient {
  readonly socket: string;
  private readonly client: grpc.Client;
  private readonly types: protobuf.Root;
  private readonly timeoutMs: number;

  constructor(socket: string, options: { timeoutMs?: number } = {}) {
    this.socket = socket;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.types = criMessages();
    this.client = new grpc.Client(`unix:${socket}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  }

  private type(name: CriMessage): protobuf.Type {
    return this.types.lookupType(`runtime.v1.${name}`);
  }

  /** One call of `service` (RuntimeService or ImageService). */
  call<R = Plain>(service: 'RuntimeService' | 'ImageService', method: string, request: CriMessage, response: CriMessage, body: Plain): Promise<R> {
    const req = this.type(request);
    const res = this.type(response);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/runtime.v1.${service}/${method}`,
        (value: Plain) => Buffer.from(req.encode(req.fromObject(value)).finish()),
        (bytes: Buffer) => res.toObject(res.decode(bytes), READ) as R,
        body,
        new grpc.Metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (error, value) => (error !== null ? reject(this.error(method, error)) : resolve(value!)),
      );
    });
  }

  /** A failed call, said plainly: gRPC's "no connection established" is the socket not answering. */
  private error(method: string, e: grpc.ServiceError): CriError {
    const details = (e.details || e.message).replace(/\s*Resolution note:\s*$/, '');
    if (e.code === grpc.status.UNAVAILABLE) return new CriError(method, `${this.socket} does not answer (${details.replace(/^No connection established\. Last error: (Error: )?/, '')})`, e.code);
    if (e.code === grpc.status.UNIMPLEMENTED) return new CriError(method, `${this.socket} does not serve CRI runtime.v1 (${details})`, e.code);
    return new CriError(method, details, e.code);
  }

  /**
   * A server stream of a gRPC method on the same socket (a runtime's event
   * stream): each message's bytes to `onMessage`, and `onEnd` once, with
   * why it ended (a CriError; undefined when closed here).
   */
  stream(path: string, request: Uint8Array, onMessage: (bytes: Buffer) => void, onEnd: (error: CriError | undefined) => void): { close(): void } {
    let closed = false;
    const call = this.client.makeServerStreamRequest(path, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, request, new grpc.Metadata(), {});
    const end = (error: CriError | undefined) => {
      if (closed) return;
      closed = true;
      onEnd(error);
    };
    call.on('data', (bytes: Buffer) => onMessage(bytes));
    call.on('error', (e: grpc.ServiceError) => end(e.code === grpc.status.CANCELLED ? undefined : this.error(path.slice(path.lastIndexOf('/') + 1), e)));
    call.on('end', () => end(new CriError(path.slice(path.lastIndexOf('/') + 1), 'the stream ended')));
    return {
      close: () => {
        end(undefined);
        call.cancel();
      },
    };
  }

  runtime<R = Plain>(method: string, request: CriMessage, response: CriMessage, body: Plain = {}): Promise<R> {
    return this.call<R>('RuntimeService', method, request, response, body);
  }

  close(): void {
    this.client.close();
  }
}
