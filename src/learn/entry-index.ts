import { syscallNumber } from '../knowledge/index.ts';
import type { RuntimeEvent } from '../model/index.ts';
import { SYSCALL_LIMIT, SYSCALLS } from './syscall-index.ts';

/**
 * Which models allow each exact entry of a dimension (a program's path, a DNS
 * name), by their slot in the syscall index: one slot, as most entries belong
 * to one model, or a row of bits, a bit per slot, for the entries several
 * models share (the programs of a base image, a database every service
 * calls). The rows lie side by side in one array. An active model looks an
 * event's entry up here before its own table: the index is one table every
 * model's events share, so it stays in the cache where a thousand models'
 * own tables cannot, and an answer reads the entry and at most one word. It
 * only ever says yes for sure; a no is for the model to confirm.
 */
export class EntryIndex {
  /** Entry → its one holder's slot (0 or more), or `~row`: the number of its row of bits. */
  private readonly holders = new Map<string, number>();
  /** The rows of bits, `width` words each. */
  private rows = new Int32Array(0);
  private width = 1;
  private used = 0;
  private readonly free: number[] = [];

  /** Entries held by a model at least. */
  get size(): number {
    return this.holders.size;
  }

  holds(entry: string, slot: number): boolean {
    const held = this.holders.get(entry);
    if (held === undefined) return false;
    if (held >= 0) return held === slot;
    return slot >>> 5 < this.width && (this.rows[~held * this.width + (slot >>> 5)]! & (1 << (slot & 31))) !== 0;
  }

  add(entry: string, slot: number): void {
    const held = this.holders.get(entry);
    if (held === undefined) {
      this.holders.set(entry, slot);
    } else if (held >= 0) {
      if (held === slot) return;
      const row = this.row();
      this.set(row, held, true);
      this.set(row, slot, true);
      this.holders.set(entry, ~row);
    } else {
      this.set(~held, slot, true);
    }
  }

  delete(entry: string, slot: number): void {
    const held = this.holders.get(entry);
    if (held === undefined || held === slot) {
      this.holders.delete(entry);
    } else if (held < 0 && slot >>> 5 < this.width) {
      const row = ~held;
      this.set(row, slot, false);
      const words = this.rows.subarray(row * this.width, (row + 1) * this.width);
      if (words.every((word) => word === 0)) {
        this.holders.delete(entry);
        this.free.push(row);
      }
    }
  }

  /** A slot no model uses any more: taken out of every entry's holders. */
  release(slot: number): void {
    for (const entry of this.holders.keys()) this.delete(entry, slot);
  }

  /** An empty row. */
  private row(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if ((this.used + 1) * this.width > this.rows.length) this.resize(Math.max(8, this.used * 2), this.width);
    return this.used++;
  }

  private set(row: number, slot: number, on: boolean): void {
    if (slot >>> 5 >= this.width) this.resize(this.rows.length / this.width, Math.max((slot >>> 5) + 1, this.width * 2));
    const at = row * this.width + (slot >>> 5);
    if (on) this.rows[at]! |= 1 << (slot & 31);
    else this.rows[at]! &= ~(1 << (slot & 31));
  }

  /** Room for `count` rows of `width` words, the rows kept. */
  private resize(count: number, width: number): void {
    const rows = new Int32Array(count * width);
    for (let row = 0; row < this.used; row++) rows.set(this.rows.subarray(row * this.width, (row + 1) * this.width), row * width);
    this.rows = rows;
    this.width = width;
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
