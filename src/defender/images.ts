import { pullIntent, readImage, type ContainersStorage, type ContentStore } from '../image/index.ts';
import { imageIntent, parseImage } from '../intent/index.ts';
import type { IntentModel } from '../model/index.ts';
import type { ContainerInfo, ContainerSource, ImageContents } from '../runtime/index.ts';
import type { ImageStore } from '../store/index.ts';

/** What a container of an image starts from: the model (its intent manifest's, else the image's own), and its executables. */
export interface ImageRead {
  model?: IntentModel;
  /** An intent manifest's model (learned elsewhere): enforced at once when it is active. */
  intent?: boolean;
  inventory: ReadonlySet<string>;
}

/** What the defender keeps of an image's contents: its static model, and its executables with their links' targets. */
function runtimeImage(contents: Parameters<typeof imageIntent>[0]): ImageContents {
  const { model } = imageIntent(contents);
  const executables = model.inventory?.executables ?? [];
  return { model, executables: executables.flatMap((e) => (e.target !== undefined ? [e.path, e.target] : [e.path])) };
}

/** An image of the local Docker engine, analysed: what `DockerSource` reads. */
export async function engineImage(imageId: string): Promise<ImageContents> {
  return runtimeImage(await readImage(`image:${imageId}`));
}

/** An image of containerd's content store, read in place and analysed: what `CriSource` reads on a containerd node. */
export async function contentStoreImage(store: ContentStore, imageId: string, reference: string): Promise<ImageContents> {
  return runtimeImage(await store.read(imageId, `containerd:${reference}`));
}

/** An image of CRI-O's containers/storage, read in place by the runtime's image id. */
export async function containersStorageImage(storage: ContainersStorage, imageId: string, reference: string): Promise<ImageContents> {
  return runtimeImage(await storage.read(imageId, `containers-storage:${reference}`));
}

export interface ImageReaderOptions {
  store: ImageStore;
  source: ContainerSource;
  /** Images read at once, at most (reading one is work for a core). */
  concurrency: number;
  /** Registries (`HOST[:PORT]`) asked for the intent manifest of their images. */
  intentRegistries: readonly string[];
  /** Read images at all (false: models start empty, no drift by inventory). */
  analyse: boolean;
  log: (line: string) => void;
  onError: () => void;
}

const EMPTY: ImageRead = { inventory: new Set() };

/**
 * Images read once, in the background: what the store kept of an image
 * (read by a defender before) comes at once; a new image is read from its
 * runtime, a few at a time, its intent manifest asked of its registry when
 * that is one to ask, and what was read is kept in the store by image id.
 * An image that cannot be read starts its model empty, and is said.
 */
export class ImageReader {
  private readonly reads = new Map<string, Promise<ImageRead>>();
  private readonly queue: Array<{ go: () => void; cancel: () => void }> = [];
  private running = 0;
  private stopped = false;
  private readonly options: ImageReaderOptions;

  constructor(options: ImageReaderOptions) {
    this.options = options;
  }

  /** Images being read or waiting to be. */
  get pending(): number {
    return this.running + this.queue.length;
  }

  /** What the store kept of an image, if a defender read it before (a store that fails, fails). */
  async kept(imageId: string): Promise<ImageRead | undefined> {
    if (!this.options.analyse) return EMPTY;
    const stored = await this.options.store.image(imageId);
    return stored === undefined ? undefined : { ...(stored.model !== undefined && { model: stored.model }), inventory: new Set(stored.executables) };
  }

  /** An image of a container, read once: from the store, else from its runtime in turn. */
  read(info: ContainerInfo): Promise<ImageRead> {
    let found = this.reads.get(info.imageId);
    if (found === undefined) {
      // a store that does not answer: the image is read again; a read given up (the defender stops) starts nothing
      const kept = this.kept(info.imageId).catch((e: Error) => {
        this.options.log(`store: image ${info.imageId.slice(0, 19)}: ${e.message}`);
        return undefined;
      });
      found = kept.then((read) => read ?? this.inTurn(() => this.readNew(info))).catch(() => EMPTY);
      this.reads.set(info.imageId, found);
    }
    return found;
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const go = () => {
        this.running++;
        work().then(resolve, reject).finally(() => {
          this.running--;
          this.queue.shift()?.go();
        });
      };
      if (this.stopped) reject(new Error('stopped'));
      else if (this.running < this.options.concurrency) go();
      else this.queue.push({ go, cancel: () => reject(new Error('stopped')) });
    });
  }

  private async readNew(info: ContainerInfo): Promise<ImageRead> {
    const { store, source, log } = this.options;
    const started = Date.now();
    const [contents, intent] = await Promise.all([
      source.readImage(info.imageId, info.image).catch((e: Error) => {
        this.options.onError();
        log(`image ${info.imageId.slice(0, 19)}: ${e.message}; its model starts empty`);
        return undefined;
      }),
      this.intentOf(info),
    ]);
    const model = intent ?? contents?.model;
    const read: ImageRead = { ...(model !== undefined && { model }), ...(intent !== undefined && { intent: true }), inventory: new Set(contents?.executables ?? []) };
    if (contents !== undefined) {
      log(`image ${info.image}: read in ${Date.now() - started} ms`);
      await store.putImage({ id: info.imageId, readAt: new Date().toISOString(), ...(model !== undefined && { model }), executables: contents.executables })
        .catch((e: Error) => log(`store: image ${info.imageId.slice(0, 19)}: ${e.message}`));
    }
    return read;
  }

  /** The model of the intent manifest beside the container's image, when its registry is one to ask and has one. */
  private async intentOf(info: ContainerInfo): Promise<IntentModel | undefined> {
    const { repository } = parseImage(info.image);
    const host = repository.split('/')[0]!;
    if (info.imageDigest === undefined || !this.options.intentRegistries.includes(host)) return undefined;
    const reference = `${repository}@${info.imageDigest}`;
    const log = this.options.log;
    try {
      const pulled = await pullIntent({ reference, digest: info.imageDigest, config: info.imageId });
      if (pulled === undefined) {
        log(`image ${reference}: no intent manifest in its registry; its model starts from the image`);
        return undefined;
      }
      log(`image ${reference}: model ${info.imageId} starts from its intent manifest ${pulled.file.digest} (${pulled.file.manifest.model.state})`);
      return pulled.file.manifest.model;
    } catch (e) {
      this.options.onError();
      log(`image ${reference}: its intent manifest: ${(e as Error).message}; its model starts from the image`);
      return undefined;
    }
  }

  /** Reads not started are given up; the ones under way are waited for, a while (what they read then is not used). */
  async stop(waitMs = 10_000): Promise<void> {
    this.stopped = true;
    for (const waiting of this.queue.splice(0)) waiting.cancel();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.allSettled(this.reads.values()), late]);
    clearTimeout(timer);
  }
}
