import type { IntentModel } from '../model/index.ts';
import type { DefenderParts } from './parts.ts';
import type { ImageRead, ImageReader } from './images.ts';
import type { Tracked } from './tracking.ts';

/**
 * The defender's models and images steps: each container's model seeded from
 * its image's static model and inventory — at once from what the store kept
 * of images read before, otherwise read in the background (once per image,
 * bounded by the reader), joining the model when it comes.
 */
export class Seeding {
  private readonly parts: DefenderParts;
  private readonly images: ImageReader;
  private readonly adopt: (models: readonly IntentModel[], from: string) => void;
  private readonly stopping: () => boolean;
  /** Images read this run (or kept in the store), by image id: a new container of one starts from it. */
  private readonly read = new Map<string, ImageRead>();
  /** Images are read from the images step on; a container found before waits for it. */
  private reading = false;

  constructor(parts: DefenderParts, images: ImageReader, adopt: (models: readonly IntentModel[], from: string) => void, stopping: () => boolean) {
    this.parts = parts;
    this.images = images;
    this.adopt = adopt;
    this.stopping = stopping;
  }

  /** The image read this run, or kept in the store, by id. */
  imageRead(imageId: string): ImageRead | undefined {
    return this.read.get(imageId);
  }

  /** Images being read, or waiting to be. */
  get pending(): number {
    return this.images.pending;
  }

  async stop(): Promise<void> {
    this.reading = false;
    await this.images.stop();
  }

  /** Containers whose image a defender read before start from what the store kept of it. */
  async seedKept(): Promise<void> {
    for (const t of [...this.parts.containers.running()]) {
      const read = this.read.get(t.info.imageId) ?? (await this.images.kept(t.info.imageId));
      if (read !== undefined) this.seed(t, read);
    }
  }

  /** Reads the images of the running containers from now on, and of every container that starts. */
  start(): void {
    this.reading = true;
    for (const t of [...this.parts.containers.running()]) if (!this.read.has(t.info.imageId)) this.seedInBackground(t);
  }

  /** A container's image read in the background (once per image), its model seeded when it comes. */
  seedInBackground(t: Tracked | undefined): void {
    if (t === undefined || !this.reading) return;
    const known = this.read.get(t.info.imageId);
    if (known !== undefined) {
      this.seed(t, known);
      return;
    }
    this.images.read(t.info).then((read) => {
      if (!this.stopping()) this.seed(t, read);
    }).catch((e: Error) => this.parts.log(`defender: ${e.message}`));
  }

  /** The image's static model and inventory join the container's model (or its intent manifest's active model is taken). */
  private seed(t: Tracked, read: ImageRead): void {
    this.read.set(t.info.imageId, read);
    t.inventory = read.inventory;
    const model = read.model;
    if (model === undefined) return;
    // a model finished elsewhere (learned in staging) is enforced at once
    if (read.intent === true && model.state === 'active') this.adopt([model], 'its intent manifest');
    else if (!t.model.seeded || t.model.state === 'learning') {
      t.model.seed({ ...model, image: t.info.image });
      this.parts.dirty(t.model);
    }
  }
}
