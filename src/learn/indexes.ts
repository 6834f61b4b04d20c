import { syscallNumber } from '../knowledge/index.ts';
import type { RuntimeEvent } from '../model/index.ts';
import { MapEntryIndex, RowEntryIndex, type EntryIndex } from './entry-index.ts';
import { InlineFolderIndex, MapFolderIndex, type FolderIndex } from './folder-index.ts';
import { CodedPeerIndex, SetPeerIndex, type PeerIndex } from './peer-index.ts';
import { BitSyscallIndex, SetSyscallIndex, SYSCALL_LIMIT, type SyscallIndex } from './syscall-index.ts';

/** Which implementation of each index: the fast ones, or their plain twins (a Map or Set each, for tests to hold the fast ones to). */
export type IndexKind = 'fast' | 'plain';

/**
 * The indexes all the models of one learner share, each model by its slot:
 * its syscalls, the programs, DNS names and egress peers it allows exactly,
 * and the few folder patterns it may write under. An active model's events
 * are answered from them without reading the model (one table every event
 * reads stays in the cache where a thousand models' tables cannot). They
 * belong to their learner; a slot is taken for a model and given back when
 * the model goes (`release`), never when the garbage collector runs.
 */
export class LearnIndexes {
  readonly syscalls: SyscallIndex;
  readonly programs: EntryIndex;
  readonly dnsNames: EntryIndex;
  readonly peers: PeerIndex;
  readonly writable: FolderIndex;
  private next = 0;
  private readonly free: number[] = [];

  constructor(kind: IndexKind = 'fast') {
    const fast = kind === 'fast';
    this.syscalls = fast ? new BitSyscallIndex() : new SetSyscallIndex();
    this.programs = fast ? new RowEntryIndex() : new MapEntryIndex();
    this.dnsNames = fast ? new RowEntryIndex() : new MapEntryIndex();
    this.peers = fast ? new CodedPeerIndex() : new SetPeerIndex();
    this.writable = fast ? new InlineFolderIndex() : new MapFolderIndex();
  }

  /** Slots taken and not given back. */
  get used(): number {
    return this.next - this.free.length;
  }

  /** A slot for a model, holding nothing (a new slot has nothing, a released one was emptied). */
  allocate(): number {
    return this.free.pop() ?? this.next++;
  }

  /** A slot no model uses any more: emptied in every index, then used again. */
  release(slot: number): void {
    this.syscalls.release(slot);
    this.programs.release(slot);
    this.dnsNames.release(slot);
    this.peers.release(slot);
    this.writable.release(slot);
    this.free.push(slot);
  }

  /**
   * Whether the indexes say the model of `slot` allows an event (of `kind`,
   * read once by the caller): a syscall, an egress peer or a DNS name it has
   * exactly (as the event gives it: lower case, no root dot), or a write under
   * one of its few folder patterns. A no is for the model to confirm.
   */
  allow(event: RuntimeEvent, kind: RuntimeEvent['kind'], slot: number): boolean {
    switch (kind) {
      case 'syscall': return this.allowSyscall(event, slot);
      case 'connect': {
        const n = event.network;
        if (n?.remoteAddress === undefined || n.remotePort === undefined) return false;
        if (this.peers.allows(n.protocol, n.remoteAddress, n.remotePort, slot)) return true;
        // a named peer: by any of its names
        const names = n.remoteNames;
        if (names !== undefined) for (const name of names) if (this.peers.allows(n.protocol, name, n.remotePort, slot)) return true;
        return false;
      }
      case 'dns': {
        const name = event.dns?.names[0];
        return name !== undefined && this.dnsNames.holds(name, slot);
      }
      case 'write': {
        const path = event.file?.path;
        return path !== undefined && this.writable.covers(slot, path);
      }
      default: return false;
    }
  }

  /** Whether the syscall index says the list of `slot` allows a syscall event's call. */
  allowSyscall(event: RuntimeEvent, slot: number): boolean {
    const n = event.syscall === undefined ? undefined : syscallNumber(event.syscall);
    return n !== undefined && n < SYSCALL_LIMIT && this.syscalls.has(slot, n);
  }
}
