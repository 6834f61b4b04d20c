/** The folder patterns (as stems: `/tmp/`) of each model's writable list, while it has three at most. */
export interface FolderIndex {
  /** Whether one of the slot's stems starts a path. */
  covers(slot: number, path: string): boolean;
  /** The slot's stems now: up to three, or none. */
  set(slot: number, stems: readonly string[]): void;
  release(slot: number): void;
}

/** A stem that starts no path. */
const NO_STEM = '\0';

/**
 * The fast folder index: up to three stems per slot (longest first) side by
 * side in one array all models share, so that a write under one of them is
 * judged without reading the model or its list. A list with more patterns
 * has none here, and its model judges its writes itself.
 */
export class InlineFolderIndex implements FolderIndex {
  /** Three stems per slot; NO_STEM past a slot's last. */
  private readonly stems: string[] = [];

  covers(slot: number, path: string): boolean {
    const at = 3 * slot;
    const stems = this.stems;
    return at < stems.length && (path.startsWith(stems[at]!) || path.startsWith(stems[at + 1]!) || path.startsWith(stems[at + 2]!));
  }

  set(slot: number, stems: readonly string[]): void {
    while (this.stems.length < 3 * (slot + 1)) this.stems.push(NO_STEM);
    for (let k = 0; k < 3; k++) this.stems[3 * slot + k] = stems[k] ?? NO_STEM;
  }

  release(slot: number): void {
    if (3 * slot < this.stems.length) this.set(slot, []);
  }
}

/** The plain twin: a list of stems per slot. */
export class MapFolderIndex implements FolderIndex {
  private readonly bySlot = new Map<number, readonly string[]>();

  covers(slot: number, path: string): boolean {
    return (this.bySlot.get(slot) ?? []).some((stem) => path.startsWith(stem));
  }

  set(slot: number, stems: readonly string[]): void {
    this.bySlot.set(slot, stems.slice(0, 3));
  }

  release(slot: number): void {
    this.bySlot.delete(slot);
  }
}
