import { RowEntryIndex, type EntryIndex } from './entry-index.ts';

/** A connection's protocol and port as one number: `protocol << 16 | port` (TCP when none is said). */
export const peerCode = (protocol: string | undefined, port: number) => (protocol === 'udp' ? 1 << 16 : protocol === 'sctp' ? 2 << 16 : 0) | port;

/** The egress peers each model allows, by protocol and port (`peerCode`), and address (`*` for any). */
export interface PeerIndex {
  /** Whether the model of `slot` allows a connection, without building its entry (`tcp/10.0.0.7:6379`). */
  allows(protocol: string | undefined, address: string, port: number, slot: number): boolean;
  add(code: number, address: string, slot: number): void;
  delete(code: number, address: string, slot: number): void;
  release(slot: number): void;
}

/** The fast peer index: for each protocol and port, an entry index of addresses. */
export class CodedPeerIndex implements PeerIndex {
  private readonly byCode = new Map<number, EntryIndex>();

  allows(protocol: string | undefined, address: string, port: number, slot: number): boolean {
    const addresses = this.byCode.get(peerCode(protocol, port));
    return addresses !== undefined && (addresses.holds(address, slot) || addresses.holds('*', slot));
  }

  add(code: number, address: string, slot: number): void {
    let addresses = this.byCode.get(code);
    if (addresses === undefined) this.byCode.set(code, (addresses = new RowEntryIndex()));
    addresses.add(address, slot);
  }

  delete(code: number, address: string, slot: number): void {
    this.byCode.get(code)?.delete(address, slot);
  }

  release(slot: number): void {
    for (const addresses of this.byCode.values()) addresses.release(slot);
  }
}

/** The plain twin: a set of `slot code address` keys. */
export class SetPeerIndex implements PeerIndex {
  private readonly keys = new Set<string>();

  allows(protocol: string | undefined, address: string, port: number, slot: number): boolean {
    const code = peerCode(protocol, port);
    return this.keys.has(`${slot} ${code} ${address}`) || this.keys.has(`${slot} ${code} *`);
  }

  add(code: number, address: string, slot: number): void {
    this.keys.add(`${slot} ${code} ${address}`);
  }

  delete(code: number, address: string, slot: number): void {
    this.keys.delete(`${slot} ${code} ${address}`);
  }

  release(slot: number): void {
    for (const key of [...this.keys]) if (key.startsWith(`${slot} `)) this.keys.delete(key);
  }
}
