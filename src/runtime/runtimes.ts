import type { ContainerInfo } from './containers.ts';
import type { ContainerChange, ContainerSource, ImageContents } from './source.ts';

/**
 * Several container runtimes of one host followed as one source: a Docker
 * engine and a node's containerd or CRI-O side by side. Each container and
 * image is asked of the runtime that reported it; a runtime that does not
 * answer a listing is left out of it (and said) while the others go on; when
 * one runtime's stream breaks, every stream is closed and the break reported,
 * so that the caller lists all again and follows anew.
 */
export class Runtimes implements ContainerSource {
  readonly name: string;
  readonly sources: readonly ContainerSource[];
  private readonly containerOwner = new Map<string, ContainerSource>();
  private readonly imageOwner = new Map<string, ContainerSource>();
  private readonly log: (line: string) => void;

  constructor(sources: readonly ContainerSource[], log: (line: string) => void = () => {}) {
    if (sources.length === 0) throw new Error('no container runtime to follow');
    this.sources = sources;
    this.name = sources.map((s) => s.name).join('+');
    this.log = log;
  }

  private own(source: ContainerSource, info: ContainerInfo): ContainerInfo {
    this.containerOwner.set(info.id, source);
    this.imageOwner.set(info.imageId, source);
    return info;
  }

  async running(): Promise<ContainerInfo[]> {
    const listed = await Promise.allSettled(this.sources.map(async (s) => (await s.running()).map((c) => this.own(s, c))));
    const failed = listed.flatMap((r, i) => (r.status === 'rejected' ? [`${this.sources[i]!.name}: ${(r.reason as Error).message}`] : []));
    if (failed.length === this.sources.length) throw new Error(failed.join('; '));
    for (const line of failed) this.log(`containers: ${line}; its containers are left out until it answers`);
    return listed.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }

  async follow(onChange: (change: ContainerChange) => void, onEnd: (reason: string) => void): Promise<{ close(): void }> {
    const followers: Array<{ close(): void }> = [];
    let ended = false;
    const closeAll = () => {
      for (const f of followers) f.close();
    };
    const end = (source: ContainerSource) => (reason: string) => {
      if (ended) return;
      ended = true;
      closeAll();
      onEnd(`${source.name}: ${reason}`);
    };
    try {
      for (const source of this.sources) {
        followers.push(await source.follow((change) => {
          if (change.action === 'start') this.own(source, change.container);
          if (change.action === 'destroy') this.containerOwner.delete(change.id);
          onChange(change);
        }, end(source)));
      }
    } catch (e) {
      closeAll();
      throw e;
    }
    return { close: closeAll };
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    const owner = this.containerOwner.get(id);
    if (owner !== undefined) return owner.inspect(id);
    for (const source of this.sources) {
      const found = await source.inspect(id).catch(() => undefined);
      if (found !== undefined) return this.own(source, found);
    }
    return undefined;
  }

  /** An image, from the runtime that reported it; one none reported yet is asked of each in turn. */
  async readImage(imageId: string, reference: string): Promise<ImageContents> {
    const owner = this.imageOwner.get(imageId);
    if (owner !== undefined) return owner.readImage(imageId, reference);
    const failed: string[] = [];
    for (const source of this.sources) {
      try {
        return await source.readImage(imageId, reference);
      } catch (e) {
        failed.push(`${source.name}: ${(e as Error).message}`);
      }
    }
    throw new Error(failed.join('; '));
  }

  stop(id: string, graceSec: number): Promise<void> {
    const owner = this.containerOwner.get(id);
    if (owner === undefined) return Promise.reject(new Error(`no runtime of this host runs container ${id}`));
    return owner.stop(id, graceSec);
  }
}
