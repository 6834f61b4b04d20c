import { SYSCALLS } from './syscall-index.ts';

/** Up to this many models holding an entry are a list of slots; more, a row of bits. */
const FEW = 8;

/**
 * Which models allow each exact entry of a dimension (a program's path, a DNS
 * name), by their slot in the syscall index: one slot, as most entries belong
 * to one model, a few slots, or a row of bits, a bit per slot, for the
 * entries many models share (the programs of a base image). An active model
 * looks an event's entry up here before its own table: the index is one
 * table every model's events share, so it stays in the cache where a
 * thousand models' own tables cannot. It only ever says yes for sure; a no
 * is for the model to confirm.
 */
export class EntryIndex {
  private readonly holders = new Map<string, number | number[] | Int32Array>();

  holds(entry: string, slot: number): boolean {
    const held = this.holders.get(entry);
    if (typeof held === 'number') return held === slot;
    if (held === undefined) return false;
    if (Array.isArray(held)) return held.includes(slot);
    return slot >>> 5 < held.length && (held[slot >>> 5]! & (1 << (slot & 31))) !== 0;
  }

  add(entry: string, slot: number): void {
    const held = this.holders.get(entry);
    if (held === undefined) {
      this.holders.set(entry, slot);
    } else if (typeof held === 'number') {
      if (held !== slot) this.holders.set(entry, [held, slot]);
    } else if (Array.isArray(held)) {
      if (held.includes(slot)) return;
      if (held.length < FEW) held.push(slot);
      else this.holders.set(entry, [...held, slot].reduce(withBit, new Int32Array(0)));
    } else {
      this.holders.set(entry, withBit(held, slot));
    }
  }

  delete(entry: string, slot: number): void {
    const held = this.holders.get(entry);
    if (held === slot) {
      this.holders.delete(entry);
    } else if (Array.isArray(held)) {
      const rest = held.filter((s) => s !== slot);
      if (rest.length !== held.length) this.holders.set(entry, rest.length === 1 ? rest[0]! : rest);
    } else if (typeof held === 'object' && slot >>> 5 < held.length) {
      held[slot >>> 5]! &= ~(1 << (slot & 31));
      if (held.every((word) => word === 0)) this.holders.delete(entry);
    }
  }

  /** A slot no model uses any more: taken out of every entry's holders. */
  release(slot: number): void {
    for (const entry of this.holders.keys()) this.delete(entry, slot);
  }
}

/** A row with the bit of `slot` set: itself, or a copy long enough. */
function withBit(row: Int32Array, slot: number): Int32Array {
  const wide = slot >>> 5 < row.length ? row : new Int32Array(Math.max((slot >>> 5) + 1, row.length * 2));
  if (wide !== row) wide.set(row);
  wide[slot >>> 5]! |= 1 << (slot & 31);
  return wide;
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

/** The programs every model allows by path. */
export const PROGRAMS = new EntryIndex();
/** The DNS names every model allows by name. */
export const DNS_NAMES = new EntryIndex();
/** The egress peers every model allows. */
export const PEERS = new PeerIndex();
SYSCALLS.onRelease((slot) => {
  PROGRAMS.release(slot);
  DNS_NAMES.release(slot);
  PEERS.release(slot);
});
