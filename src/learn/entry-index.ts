/**
 * Which models allow each exact entry of a dimension (a program's path, a DNS
 * name, a peer's address), each model by its slot. It only ever says yes for
 * sure; a no is for the model to confirm (patterns, generalised entries).
 */
export interface EntryIndex {
  /** Entries held by a model at least. */
  readonly size: number;
  holds(entry: string, slot: number): boolean;
  add(entry: string, slot: number): void;
  delete(entry: string, slot: number): void;
  release(slot: number): void;
}

/** Blocks of `size` words side by side in one array, taken and given back (a row of bits once it is all zeros). */
class Blocks {
  words = new Int32Array(0);
  private used = 0;
  private readonly free: number[] = [];

  size: number;

  constructor(size: number) {
    this.size = size;
  }

  take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if ((this.used + 1) * this.size > this.words.length) this.resize(Math.max(8, this.used * 2), this.size);
    return this.used++;
  }

  give(block: number): void {
    this.free.push(block);
  }

  /** Each block `size` words long, its words kept. */
  widen(size: number): void {
    this.resize(this.words.length / this.size, size);
  }

  private resize(count: number, size: number): void {
    const words = new Int32Array(count * size);
    for (let block = 0; block < this.used; block++) words.set(this.words.subarray(block * this.size, (block + 1) * this.size), block * size);
    this.words = words;
    this.size = size;
  }
}

/** Up to this many models holding an entry are a list of their slots; more, a row of bits (a row per entry grows with the models). */
const FEW = 7;

/**
 * The fast entry index: for each entry, one slot, as most entries belong
 * to one model; a list of a few slots, for the entries a few models share (a
 * database several services call); or a row of bits, a bit per slot, for the
 * entries many share (the programs of a base image). Lists and rows lie side
 * by side in two arrays, so an answer reads the entry and one block. An
 * active model looks an event's entry up here before its own table: the
 * index is one table every model's events share, so it stays in the cache
 * where a thousand models' own tables cannot.
 */
export class RowEntryIndex implements EntryIndex {
  /** Entry → its one holder's slot (0 or more), or `~(list << 1)`, or `~(row << 1 | 1)`. */
  private readonly holders = new Map<string, number>();
  /** Lists: a count, then the slots. */
  private readonly lists = new Blocks(FEW + 1);
  private readonly rows = new Blocks(1);

  get size(): number {
    return this.holders.size;
  }

  holds(entry: string, slot: number): boolean {
    const held = this.holders.get(entry);
    if (held === undefined) return false;
    if (held >= 0) return held === slot;
    const block = ~held >> 1;
    if ((~held & 1) === 0) {
      const words = this.lists.words;
      const at = block * (FEW + 1);
      for (let i = at + 1; i <= at + words[at]!; i++) if (words[i] === slot) return true;
      return false;
    }
    const rows = this.rows;
    return slot >>> 5 < rows.size && (rows.words[block * rows.size + (slot >>> 5)]! & (1 << (slot & 31))) !== 0;
  }

  add(entry: string, slot: number): void {
    const held = this.holders.get(entry);
    if (held === undefined) {
      this.holders.set(entry, slot);
    } else if (held >= 0) {
      if (held !== slot) this.holders.set(entry, ~(this.list([held, slot]) << 1));
    } else if ((~held & 1) === 1) {
      this.setBit(~held >> 1, slot, true);
    } else if (!this.holds(entry, slot)) {
      const list = ~held >> 1;
      const words = this.lists.words;
      const at = list * (FEW + 1);
      if (words[at]! < FEW) {
        words[at + 1 + words[at]!] = slot;
        words[at]!++;
        return;
      }
      const row = this.rows.take();
      for (const other of words.subarray(at + 1, at + 1 + FEW)) this.setBit(row, other, true);
      this.setBit(row, slot, true);
      this.lists.give(list);
      this.holders.set(entry, ~(row << 1 | 1));
    }
  }

  delete(entry: string, slot: number): void {
    const held = this.holders.get(entry);
    if (held === undefined) return;
    if (held >= 0) {
      if (held === slot) this.holders.delete(entry);
      return;
    }
    const block = ~held >> 1;
    if ((~held & 1) === 0) {
      const words = this.lists.words;
      const at = block * (FEW + 1);
      const count = words[at]!;
      const i = words.subarray(at + 1, at + 1 + count).indexOf(slot);
      if (i === -1) return;
      words[at + 1 + i] = words[at + count]!;
      words[at] = count - 1;
      if (count - 1 > 1) return;
      this.holders.set(entry, words[at + 1]!);
      this.lists.give(block);
    } else if (slot >>> 5 < this.rows.size) {
      this.setBit(block, slot, false);
      const size = this.rows.size;
      if (this.rows.words.subarray(block * size, (block + 1) * size).every((word) => word === 0)) {
        this.holders.delete(entry);
        this.rows.give(block);
      }
    }
  }

  release(slot: number): void {
    for (const entry of this.holders.keys()) this.delete(entry, slot);
  }

  /** A list of these slots. */
  private list(slots: readonly number[]): number {
    const list = this.lists.take();
    const at = list * (FEW + 1);
    this.lists.words[at] = slots.length;
    this.lists.words.set(slots, at + 1);
    return list;
  }

  private setBit(row: number, slot: number, on: boolean): void {
    if (slot >>> 5 >= this.rows.size) this.rows.widen(Math.max((slot >>> 5) + 1, this.rows.size * 2));
    const at = row * this.rows.size + (slot >>> 5);
    if (on) this.rows.words[at]! |= 1 << (slot & 31);
    else this.rows.words[at]! &= ~(1 << (slot & 31));
  }
}

/** The plain twin: a set of slots per entry. */
export class MapEntryIndex implements EntryIndex {
  private readonly holders = new Map<string, Set<number>>();

  get size(): number {
    return this.holders.size;
  }

  holds(entry: string, slot: number): boolean {
    return this.holders.get(entry)?.has(slot) === true;
  }

  add(entry: string, slot: number): void {
    let slots = this.holders.get(entry);
    if (slots === undefined) this.holders.set(entry, (slots = new Set()));
    slots.add(slot);
  }

  delete(entry: string, slot: number): void {
    const slots = this.holders.get(entry);
    if (slots === undefined) return;
    slots.delete(slot);
    if (slots.size === 0) this.holders.delete(entry);
  }

  release(slot: number): void {
    for (const entry of [...this.holders.keys()]) this.delete(entry, slot);
  }
}
