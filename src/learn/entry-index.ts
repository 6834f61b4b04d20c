import { syscallNumber } from '../knowledge/index.ts';
import type { RuntimeEvent } from '../model/index.ts';
import { SYSCALL_LIMIT, SYSCALLS } from './syscall-index.ts';

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
 * Which models allow each exact entry of a dimension (a program's path, a DNS
 * name), by their slot in the syscall index: one slot, as most entries belong
 * to one model; a list of a few slots, for the entries a few models share (a
 * database several services call); or a row of bits, a bit per slot, for the
 * entries many share (the programs of a base image). Lists and rows lie side
 * by side in two arrays, so an answer reads the entry and one block. An
 * active model looks an event's entry up here before its own table: the
 * index is one table every model's events share, so it stays in the cache
 * where a thousand models' own tables cannot. It only ever says yes for sure;
 * a no is for the model to confirm.
 */
export class EntryIndex {
  /** Entry → its one holder's slot (0 or more), or `~(list << 1)`, or `~(row << 1 | 1)`. */
  private readonly holders = new Map<string, number>();
  /** Lists: a count, then the slots. */
  private readonly lists = new Blocks(FEW + 1);
  private readonly rows = new Blocks(1);

  /** Entries held by a model at least. */
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

  /** A slot no model uses any more: taken out of every entry's holders. */
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

/** A connection's protocol and port as one number: `protocol << 16 | port` (TCP when none is said). */
export const peerCode = (protocol: string | undefined, port: number) => (protocol === 'udp' ? 1 << 16 : protocol === 'sctp' ? 2 << 16 : 0) | port;

/** The egress peers every model allows: for each protocol and port, an entry index of addresses (`*` for any). */
export class PeerIndex {
  private readonly byCode = new Map<number, EntryIndex>();

  /** Whether the model of `slot` allows a connection, without building its entry (`tcp/10.0.0.7:6379`). */
  allows(protocol: string | undefined, address: string, port: number, slot: number): boolean {
    const addresses = this.byCode.get(peerCode(protocol, port));
    return addresses !== undefined && (addresses.holds(address, slot) || addresses.holds('*', slot));
  }

  add(code: number, address: string, slot: number): void {
    let addresses = this.byCode.get(code);
    if (addresses === undefined) this.byCode.set(code, (addresses = new EntryIndex()));
    addresses.add(address, slot);
  }

  delete(code: number, address: string, slot: number): void {
    this.byCode.get(code)?.delete(address, slot);
  }

  release(slot: number): void {
    for (const addresses of this.byCode.values()) addresses.release(slot);
  }
}

/** A stem that starts no path. */
const NO_STEM = '\0';

/**
 * The folder patterns of every model's writable list, by slot: up to three
 * stems (`/tmp/`, longest first) side by side in one array all models share,
 * so that a write under one of them is judged without reading the model or
 * its list. A list with more patterns has none here, and its model judges its
 * writes itself.
 */
export class FolderIndex {
  /** Three stems per slot; NO_STEM past a slot's last. */
  private readonly stems: string[] = [];

  /** Whether one of the slot's stems starts a path. */
  covers(slot: number, path: string): boolean {
    const at = 3 * slot;
    const stems = this.stems;
    return at < stems.length && (path.startsWith(stems[at]!) || path.startsWith(stems[at + 1]!) || path.startsWith(stems[at + 2]!));
  }

  /** The slot's stems now: up to three, or none. */
  set(slot: number, stems: readonly string[]): void {
    while (this.stems.length < 3 * (slot + 1)) this.stems.push(NO_STEM);
    for (let k = 0; k < 3; k++) this.stems[3 * slot + k] = stems[k] ?? NO_STEM;
  }

  release(slot: number): void {
    if (3 * slot < this.stems.length) this.set(slot, []);
  }
}

/** The programs every model allows by path. */
export const PROGRAMS = new EntryIndex();
/** The DNS names every model allows by name. */
export const DNS_NAMES = new EntryIndex();
/** The egress peers every model allows. */
export const PEERS = new PeerIndex();
/** The folders every model allows writes under. */
export const WRITABLE = new FolderIndex();
SYSCALLS.onRelease((slot) => {
  PROGRAMS.release(slot);
  DNS_NAMES.release(slot);
  PEERS.release(slot);
  WRITABLE.release(slot);
});

/**
 * Whether the shared indexes say the model of `slot` allows an event (of
 * `kind`, read once by the caller): a syscall, an egress peer or a DNS name
 * it has exactly (as the event gives it: lower case, no root dot), or a write
 * under one of its few folder patterns. Reads the indexes only, not the
 * model; a no is for the model to confirm (other patterns, generalised entries).
 */
export function indexesAllow(event: RuntimeEvent, kind: RuntimeEvent['kind'], slot: number): boolean {
  switch (kind) {
    case 'syscall': return syscallIndexed(event, slot);
    case 'connect': {
      const n = event.network;
      return n?.remoteAddress !== undefined && n.remotePort !== undefined && PEERS.allows(n.protocol, n.remoteAddress, n.remotePort, slot);
    }
    case 'dns': {
      const name = event.dns?.names[0];
      return name !== undefined && DNS_NAMES.holds(name, slot);
    }
    case 'write': {
      const path = event.file?.path;
      return path !== undefined && WRITABLE.covers(slot, path);
    }
    default: return false;
  }
}

/** Whether the syscall index says the list of `slot` allows a syscall event's call. */
export function syscallIndexed(event: RuntimeEvent, slot: number): boolean {
  const n = event.syscall === undefined ? undefined : syscallNumber(event.syscall);
  return n !== undefined && n < SYSCALL_LIMIT && SYSCALLS.has(slot, n);
}
