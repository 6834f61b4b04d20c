import type { IntentModel } from '../model/index.ts';
import { inspectContainer, runningContainers, watchContainers, type ContainerInfo } from './containers.ts';
import { stopContainer } from './engine.ts';

/** What an image holds for the defender: its static model and its executables (with symbolic links' targets). */
export interface ImageContents {
  model?: IntentModel;
  executables: string[];
}

/** A change to the containers of a runtime. */
export type ContainerChange =
  | { action: 'start'; container: ContainerInfo }
  | { action: 'die' | 'destroy'; id: string }
  /** A container started that could not be inspected. */
  | { action: 'error'; id: string; message: string };

/**
 * Where the defender finds containers: the ones running, what changes, their
 * images, and a way to stop one (block mode). The Docker engine; a CRI
 * runtime; an in-memory one for tests and replays.
 */
export interface ContainerSource {
  readonly name: string;
  running(): Promise<ContainerInfo[]>;
  /** Follows changes from now; resolves once it does. `onEnd`: the stream broke (the caller lists again and follows anew). */
  follow(onChange: (change: ContainerChange) => void, onEnd: (reason: string) => void): Promise<{ close(): void }>;
  /** One container as it is now (undefined: gone). */
  inspect(id: string): Promise<ContainerInfo | undefined>;
  /** What an image holds, read from the runtime. */
  readImage(imageId: string, reference: string): Promise<ImageContents>;
  /** Stops a container (SIGTERM, then SIGKILL after `graceSec`). */
  stop(id: string, graceSec: number): Promise<void>;
}

/** A container as this process reaches its files: its writable layer (a path of its runtime's) under the runtime's `root`. */
export function underRoot(info: ContainerInfo, root: string): ContainerInfo {
  return root === '' || info.upperDir === undefined ? info : { ...info, upperDir: `${root}${info.upperDir}` };
}

/** The Docker engine, over its API socket; images are read by `readImage` (the engine's `docker save`, analysed). */
export class DockerSource implements ContainerSource {
  readonly name = 'docker';
  private readonly socketPath: string | undefined;
  private readonly images: (imageId: string, reference: string) => Promise<ImageContents>;

  private readonly root: string;

  /** `root`: where this process finds the engine's files (its containers' writable layers), as RuntimeSpec.root says. */
  constructor(images: (imageId: string, reference: string) => Promise<ImageContents>, socketPath?: string, root = '') {
    this.images = images;
    this.socketPath = socketPath;
    this.root = root;
  }

  async running(): Promise<ContainerInfo[]> {
    return (await runningContainers(this.socketPath)).map((c) => underRoot(c, this.root));
  }

  follow(onChange: (change: ContainerChange) => void, onEnd: (reason: string) => void): Promise<{ close(): void }> {
    return watchContainers((action, id) => {
      if (action !== 'start') {
        onChange({ action, id });
        return;
      }
      inspectContainer(id, this.socketPath).then(
        (container) => onChange({ action: 'start', container: underRoot(container, this.root) }),
        (e: Error) => onChange({ action: 'error', id, message: e.message }),
      );
    }, onEnd, this.socketPath);
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    const info = await inspectContainer(id, this.socketPath).catch(() => undefined);
    return info?.running === true ? underRoot(info, this.root) : undefined;
  }

  readImage(imageId: string, reference: string): Promise<ImageContents> {
    return this.images(imageId, reference);
  }

  stop(id: string, graceSec: number): Promise<void> {
    return stopContainer(id, graceSec, this.socketPath);
  }
}

/**
 * Containers held in memory: a test (or a replay) starts and stops them, and
 * gives the images they read. Nothing runs.
 */
export class MemoryContainers implements ContainerSource {
  readonly name = 'memory';
  private readonly containers = new Map<string, ContainerInfo>();
  private readonly images = new Map<string, ImageContents | Error>();
  /** Reads waiting for an image to be given (a replay gives each at the time it was read). */
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly waitForImages: boolean;
  private readonly listeners = new Set<(change: ContainerChange) => void>();
  /** Containers `stop` was asked to stop, in order. */
  readonly stopped: string[] = [];
  /** Images read, in order. */
  readonly imagesRead: string[] = [];

  /** `waitForImages`: a read of an image not given yet waits until it is (or fails), instead of failing at once. */
  constructor(running: readonly ContainerInfo[] = [], images: Iterable<[string, ImageContents]> = [], options: { waitForImages?: boolean } = {}) {
    for (const c of running) this.containers.set(c.id, c);
    for (const [id, contents] of images) this.images.set(id, contents);
    this.waitForImages = options.waitForImages === true;
  }

  /** Followers now (a defender that stopped follows no more). */
  get following(): number {
    return this.listeners.size;
  }

  /** An image's contents, or the error reading it gives. */
  setImage(imageId: string, contents: ImageContents | Error): void {
    this.images.set(imageId, contents);
    for (const wake of this.waiting.get(imageId) ?? []) wake();
    this.waiting.delete(imageId);
  }

  /** A container starts (or is replaced by its new state). */
  start(container: ContainerInfo): void {
    this.containers.set(container.id, { ...container, running: true });
    for (const listen of this.listeners) listen({ action: 'start', container: { ...container, running: true } });
  }

  /** A container stops. */
  die(id: string): void {
    this.containers.delete(id);
    for (const listen of this.listeners) listen({ action: 'die', id });
  }

  /** A stopped container is removed. */
  destroy(id: string): void {
    this.containers.delete(id);
    for (const listen of this.listeners) listen({ action: 'destroy', id });
  }

  /** Reads still waiting for an image fail: it will not come. */
  giveUp(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.setImage(id, new Error(reason));
  }

  async running(): Promise<ContainerInfo[]> {
    return [...this.containers.values()];
  }

  async follow(onChange: (change: ContainerChange) => void): Promise<{ close(): void }> {
    this.listeners.add(onChange);
    return { close: () => void this.listeners.delete(onChange) };
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    return this.containers.get(id);
  }

  async readImage(imageId: string): Promise<ImageContents> {
    this.imagesRead.push(imageId);
    if (!this.images.has(imageId) && this.waitForImages) await new Promise<void>((wake) => (this.waiting.get(imageId) ?? this.waiting.set(imageId, []).get(imageId)!).push(wake));
    const contents = this.images.get(imageId);
    if (contents === undefined) throw new Error(`no image ${imageId}`);
    if (contents instanceof Error) throw contents;
    return contents;
  }

  async stop(id: string): Promise<void> {
    this.stopped.push(id);
    if (this.containers.has(id)) this.die(id);
  }
}
