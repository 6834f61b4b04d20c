import { intern } from '../intern.ts';
import { syscallNumber } from '../knowledge/index.ts';
import type { ModelDimension } from '../model/index.ts';
import type { EntryIndex } from './entry-index.ts';
import { LearnIndexes } from './indexes.ts';
import { peerCode } from './peer-index.ts';
import { SYSCALL_LIMIT } from './syscall-index.ts';

const PATHS: ReadonlySet<ModelDimension> = new Set(['processes', 'writable', 'reads']);
/** Up to this many patterns, each is tried in turn; past it, the entry's folders are looked up. */
const SCAN = 8;

/** The indexes a list keeps its entries in as well, and its slot there (its model's). */
export interface IndexSlot {
  indexes: LearnIndexes;
  slot: number;
}

/** The dimensions whose lists are kept in the shared indexes too. */
const INDEXED: ReadonlySet<ModelDimension> = new Set(['syscalls', 'egress', 'writable', 'processes', 'dns']);

/**
 * The entries of one dimension a model allows, kept for the hot path: one
 * table holds the entries and the patterns, each pattern under what it stands
 * for (`/tmp/*` under `/tmp/`, `*.example.com` under `.example.com`), so that
 * checking an event is a lookup or two and builds no string; syscalls are
 * bits, in the index all models' syscall lists share; exact programs, DNS
 * names and egress peers are in the entry indexes all models share as well,
 * and so are the folder patterns of a writable list that has few.
 */
export class AllowList {
  /** Entry → itself, and a pattern's stem → the pattern. */
  private readonly table = new Map<string, string>();
  /** The stems of the patterns, longest (most specific) first. */
  private readonly stems: string[] = [];
  private readonly path: boolean;
  /** Programs allowed by name wherever they are (`nginx`). */
  private names = 0;
  readonly dimension: ModelDimension;
  /** The slot of a syscall, program, DNS, egress or writable list (its model's) in the shared indexes. */
  readonly slot: number | undefined;
  private readonly indexes: LearnIndexes | undefined;
  /** The entry index a program or DNS list keeps its exact entries in as well. */
  private readonly index: EntryIndex | undefined;

  /** A list; one of a model's is given the model's indexes and slot (a list on its own keeps indexes of its own). */
  constructor(dimension: ModelDimension, entries: Iterable<string> = [], shared?: IndexSlot) {
    this.dimension = dimension;
    this.path = PATHS.has(dimension);
    if (INDEXED.has(dimension)) {
      this.indexes = shared?.indexes ?? new LearnIndexes();
      this.slot = shared?.slot ?? this.indexes.allocate();
      this.index = dimension === 'processes' ? this.indexes.programs : dimension === 'dns' ? this.indexes.dnsNames : undefined;
    }
    for (const entry of entries) this.add(entry);
  }

  /** Every entry and pattern. */
  values(): string[] {
    return [...this.table.values()];
  }

  has(entry: string): boolean {
    // an entry kept under itself (most are) is found from the first cache line
    if (this.table.get(entry) === entry) return true;
    if (this.dimension === 'syscalls') {
      const n = syscallNumber(entry);
      if (n !== undefined && n < SYSCALL_LIMIT) return this.indexes!.syscalls.has(this.slot!, n);
    }
    return this.table.get(this.stemOf(entry)) === entry;
  }

  add(text: string): void {
    if (this.has(text)) return;
    const entry = intern(text);
    const stem = intern(this.stemOf(entry));
    if (this.isPattern(entry)) {
      const at = this.stems.findIndex((s) => s.length < stem.length);
      this.stems.splice(at === -1 ? this.stems.length : at, 0, stem);
    } else if (this.isName(entry)) {
      this.names++;
    }
    this.table.set(stem, entry);
    if (this.index !== undefined && stem === entry) this.index.add(entry, this.slot!);
    this.setBit(entry, true);
    this.indexPeer(entry, true);
    this.publishStems();
  }

  delete(entry: string): void {
    if (!this.has(entry)) return;
    const stem = this.stemOf(entry);
    if (this.isPattern(entry)) this.stems.splice(this.stems.indexOf(stem), 1);
    else if (this.isName(entry)) this.names--;
    this.table.delete(stem);
    this.index?.delete(entry, this.slot!);
    this.setBit(entry, false);
    this.indexPeer(entry, false);
    this.publishStems();
  }

  clear(): void {
    if (this.index !== undefined) for (const entry of this.table.values()) this.index.delete(entry, this.slot!);
    if (this.dimension === 'egress') for (const entry of this.table.values()) this.indexPeer(entry, false);
    this.table.clear();
    this.stems.length = 0;
    this.names = 0;
    if (this.dimension === 'syscalls') this.indexes!.syscalls.clear(this.slot!);
    this.publishStems();
  }

  /** A writable list's folder patterns, in the index all models share, when it has three at most. */
  private publishStems(): void {
    if (this.dimension === 'writable') this.indexes!.writable.set(this.slot!, this.stems.length <= 3 ? this.stems : []);
  }

  /** Whether an egress list allows a connection, without building its entry (`tcp/10.0.0.7:6379`). */
  allowsPeer(protocol: string | undefined, address: string, port: number): boolean {
    return this.dimension === 'egress' && this.indexes!.peers.allows(protocol, address, port, this.slot!);
  }

  /** An egress entry (`tcp/10.0.0.7:6379`, `tcp/*:443`) into the peer index, or out of it. */
  private indexPeer(entry: string, on: boolean): void {
    if (this.dimension !== 'egress') return;
    const slash = entry.indexOf('/');
    const colon = entry.lastIndexOf(':');
    const code = peerCode(entry.slice(0, slash), Number(entry.slice(colon + 1)));
    const address = intern(entry.slice(slash + 1, colon));
    if (on) this.indexes!.peers.add(code, address, this.slot!);
    else this.indexes!.peers.delete(code, address, this.slot!);
  }

  private isName(entry: string): boolean {
    return this.dimension === 'processes' && !entry.startsWith('/');
  }

  private isPattern(entry: string): boolean {
    return this.path ? entry.endsWith('/*') : this.dimension === 'dns' ? entry.startsWith('*.') : entry.includes('/*:');
  }

  /**
   * The allowed pattern that covers `entry`, if one does: the most specific.
   * A few patterns are tried in turn (no string made); many, by looking each
   * of the entry's folders or parent domains up.
   */
  cover(entry: string): string | undefined {
    const stems = this.stems;
    if (this.path) {
      if (stems.length > 0 && stems.length <= SCAN) {
        for (const stem of stems) if (entry.startsWith(stem)) return this.table.get(stem);
      } else if (stems.length > 0) {
        for (let slash = entry.lastIndexOf('/'); slash >= 0; slash = slash === 0 ? -1 : entry.lastIndexOf('/', slash - 1)) {
          const pattern = this.table.get(entry.slice(0, slash + 1));
          if (pattern !== undefined) return pattern;
        }
      }
      // a declared program named without its folder (`nginx`) covers it wherever it is
      if (this.names === 0) return undefined;
      const name = entry.slice(entry.lastIndexOf('/') + 1);
      return this.table.get(name) === name ? name : undefined;
    }
    if (stems.length === 0) return undefined;
    if (this.dimension === 'dns') {
      if (stems.length <= SCAN) {
        for (const stem of stems) if (entry.endsWith(stem)) return this.table.get(stem);
        return undefined;
      }
      for (let dot = entry.indexOf('.'); dot !== -1; dot = entry.indexOf('.', dot + 1)) {
        const pattern = this.table.get(entry.slice(dot));
        if (pattern !== undefined) return pattern;
      }
      return undefined;
    }
    if (this.dimension === 'egress') return this.table.get(`${entry.slice(0, entry.indexOf('/'))}/*:${entry.slice(entry.lastIndexOf(':') + 1)}`);
    return undefined;
  }

  /**
   * Where an entry is kept: a folder pattern under its folder with the slash,
   * `*.suffix` under `.suffix`, anything else under itself (a path that ends
   * in a slash under itself and a NUL, apart from its folder's pattern).
   */
  private stemOf(entry: string): string {
    if (this.path) return entry.endsWith('/*') ? entry.slice(0, -1) : entry.endsWith('/') ? `${entry}\0` : entry;
    if (this.dimension === 'dns') return entry.startsWith('*.') ? entry.slice(1) : entry;
    return entry;
  }

  private setBit(entry: string, on: boolean): void {
    const n = this.dimension === 'syscalls' ? syscallNumber(entry) : undefined;
    if (n !== undefined && n < SYSCALL_LIMIT) this.indexes!.syscalls.set(this.slot!, n, on);
  }
}
