import type { LayerEntry, LayerIndex } from '../../model/index.ts';

export interface MergedEntry {
  entry: LayerEntry;
  /** Index of the layer the entry comes from. */
  layer: number;
}

/** Symbolic links followed in one resolution before giving up, as Linux does (ELOOP). */
const MAX_LINKS = 40;

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/**
 * The filesystem a container of the image starts with: layers applied base
 * first, each layer's whiteouts and opaque folders hiding what lies below it,
 * as overlayfs does.
 */
export class MergedFilesystem {
  private readonly entries = new Map<string, MergedEntry>();
  private readonly children = new Map<string, Set<string>>();
  private readonly layers: readonly LayerIndex[];

  constructor(layers: readonly LayerIndex[]) {
    this.layers = layers;
    layers.forEach((layer, i) => {
      for (const path of layer.whiteouts) this.remove(path);
      for (const dir of layer.opaque) this.clear(dir);
      for (const entry of layer.entries) this.set(entry, i);
    });
  }

  private set(entry: LayerEntry, layer: number): void {
    const previous = this.entries.get(entry.path);
    // A file or link over a folder hides everything the folder held.
    if (previous?.entry.type === 'dir' && entry.type !== 'dir') this.clear(entry.path);
    this.entries.set(entry.path, { entry, layer });
    // Tars need not list every folder: link the whole chain of ancestors so removals reach it.
    for (let path = entry.path; path !== '/';) {
      const parent = parentOf(path);
      let siblings = this.children.get(parent);
      if (!siblings) this.children.set(parent, (siblings = new Set()));
      if (siblings.has(path)) break;
      siblings.add(path);
      path = parent;
    }
  }

  /** Removes a path and everything under it. */
  private remove(path: string): void {
    this.clear(path);
    this.entries.delete(path);
    this.children.get(parentOf(path))?.delete(path);
  }

  /** Removes everything under a folder, keeping the folder. */
  private clear(dir: string): void {
    const below = this.children.get(dir);
    if (!below) return;
    this.children.delete(dir);
    for (const child of below) {
      this.clear(child);
      this.entries.delete(child);
    }
  }

  get(path: string): MergedEntry | undefined {
    return this.entries.get(path);
  }

  /** Every entry, in path order. */
  list(): MergedEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
  }

  layerOf(entry: MergedEntry): LayerIndex {
    return this.layers[entry.layer]!;
  }

  /**
   * The path with every symbolic link resolved inside the image (absolute links
   * start from the image root, `..` stops at it), or undefined on a loop.
   * The last component is followed only when `followLast`.
   */
  resolve(path: string, followLast = true): string | undefined {
    const pending = path.split('/').filter((p) => p !== '' && p !== '.');
    let current: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        current.pop();
        continue;
      }
      const candidate = `/${[...current, part].join('/')}`;
      const found = this.entries.get(candidate)?.entry;
      const last = pending.length === 0;
      if (found?.type === 'symlink' && found.link !== undefined && (!last || followLast)) {
        if (++links > MAX_LINKS) return undefined;
        const target = found.link.split('/').filter((p) => p !== '' && p !== '.');
        if (found.link.startsWith('/')) current = [];
        pending.unshift(...target);
        continue;
      }
      current.push(part);
    }
    return `/${current.join('/')}`;
  }

  /** The content of a captured file (os-release, package databases), following links. */
  read(path: string): string | undefined {
    const real = this.resolve(path);
    const found = real === undefined ? undefined : this.entries.get(real);
    if (found === undefined || found.entry.type === 'dir') return undefined;
    return this.layers[found.layer]!.files[found.entry.path];
  }

  /** The names in a folder, following links to it. */
  namesIn(dir: string): string[] {
    const real = this.resolve(dir) ?? dir;
    return [...(this.children.get(real) ?? [])].map((p) => p.slice(p.lastIndexOf('/') + 1));
  }

  /** Paths of the files under a folder whose content was captured (`/var/lib/dpkg/info`). */
  capturedUnder(dir: string): string[] {
    const real = this.resolve(dir) ?? dir;
    return [...(this.children.get(real) ?? [])].filter((p) => {
      const found = this.entries.get(p)!;
      return this.layers[found.layer]!.files[p] !== undefined;
    });
  }
}
