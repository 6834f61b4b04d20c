import { ipFamily, ipv4Value, type Indicator, type Provenance } from './parse.ts';

/** Nothing found: shared, read-only by its type (a frozen array is slower to iterate). */
const NONE: readonly Provenance[] = [];

/** Whether a value needs no trimming, lower-casing or unbracketing before a lookup (most do not). */
function isPlain(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 32 || (c >= 65 && c <= 90) || c === 91 || c === 93) return false;
  }
  return true;
}

/** `1.2.3.4` → its 32-bit number. */
export function ipv4Number(address: string): number {
  let n = 0;
  let octet = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + (c - 48);
    }
  }
  return n * 256 + octet;
}

/** An IPv6 address as 8 groups of 16 bits, `::` expanded. */
function ipv6Groups(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') as [string, string] : [address, undefined];
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  let groups = part(head);
  const last = tail === undefined ? [] : part(tail);
  const expand = (list: string[]) => list.flatMap((g) => (g.includes('.') ? [ipv4Number(g) >>> 16, ipv4Number(g) & 0xffff].map((x) => x.toString(16)) : [g]));
  groups = expand(groups);
  const rest = expand(last);
  const zeros = tail === undefined ? 0 : 8 - groups.length - rest.length;
  return [...groups, ...Array<string>(zeros).fill('0'), ...rest].map((g) => parseInt(g, 16));
}

/** The first `bits` bits of an IPv6 address, as a hex string key. */
function ipv6Prefix(groups: readonly number[], bits: number): string {
  let key = '';
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    key += (groups[i]! & mask).toString(16).padStart(4, '0');
  }
  return key;
}

/**
 * The first-level table of the IPv4 lookup has about four buckets per cut of
 * the address space (two bits more than the cuts need): most buckets then lie
 * inside one piece, and a lookup there reads one place only. Eight per cut
 * were no faster at a million prefixes, and take twice the memory.
 */
const BUCKETS_PER_CUT_BITS = 2;
/** Its bounds, in bits of the address: 256 buckets at least, a /24 each at most. */
const TOP_BITS_MIN = 8;
const TOP_BITS_MAX = 24;

/**
 * Every indicator of every feed, for lookups. IPv4 addresses and networks form
 * a laminar family (two CIDR blocks are nested or apart): each block knows its
 * parent, the smallest block around it, and the address space is cut into at
 * most 2n+1 disjoint pieces, each owned by the innermost block that holds it
 * (or by none). A lookup reads its bucket in a first table, which names the
 * owner outright when one piece holds the whole bucket, and else searches the
 * few cuts inside it. The table has about four buckets per cut, so most
 * lookups read one place. The blocks around the owner hold the address too,
 * and their feeds are found by climbing. IPv6 networks are kept by prefix
 * length, domains with their parents (`evil.example` covers `a.evil.example`).
 */
export class IntelIndex {
  private readonly provenances: Provenance[] = [];
  private parents = new Int32Array(0);
  /**
   * The IPv4 space cut into disjoint pieces, sorted, as pairs (start, owner)
   * side by side: a piece ends where the next starts, and its owner is the
   * innermost block that holds it, or -1.
   */
  private cuts = new Float64Array(0);
  /** A lookup's bucket is its address shifted right by this much. */
  private shift = 32 - TOP_BITS_MIN;
  /**
   * For each bucket: the block that holds all of it (-1: none does), or, when
   * cuts lie inside it, -2 - the cut that holds its first address.
   */
  private top = new Int32Array(0);
  /** The provenances of each block. */
  private ids: number[][] = [];
  private readonly ipv6 = new Map<number, Map<string, number[]>>();
  private readonly domains = new Map<string, number[]>();
  readonly size: number;

  constructor(indicators: readonly Indicator[]) {
    this.size = indicators.length;
    // IPv4 blocks by `start * 64 + prefix length`: sorted as numbers, the wider of two with one start comes first
    const blocks = new Map<number, number[]>();
    for (const indicator of indicators) {
      const id = this.provenances.push(indicator.provenance) - 1;
      if (indicator.kind === 'domain') {
        const list = this.domains.get(indicator.value);
        if (list === undefined) this.domains.set(indicator.value, [id]);
        else list.push(id);
        continue;
      }
      const slash = indicator.value.indexOf('/');
      const address = slash === -1 ? indicator.value : indicator.value.slice(0, slash);
      const v4 = ipv4Value(address);
      if (v4 !== -1) {
        const bits = slash === -1 ? 32 : Number(indicator.value.slice(slash + 1));
        const size = 2 ** (32 - bits);
        const key = Math.floor(v4 / size) * size * 64 + bits;
        const list = blocks.get(key);
        if (list === undefined) blocks.set(key, [id]);
        else list.push(id);
      } else {
        const bits = slash === -1 ? 128 : Number(indicator.value.slice(slash + 1));
        let byPrefix = this.ipv6.get(bits);
        if (byPrefix === undefined) this.ipv6.set(bits, (byPrefix = new Map()));
        const key = ipv6Prefix(ipv6Groups(address), bits);
        const list = byPrefix.get(key);
        if (list === undefined) byPrefix.set(key, [id]);
        else list.push(id);
      }
    }
    this.buildBlocks(blocks);
  }

  /** Sorts the blocks by start (the wider first), gives each its parent, and cuts the space into pieces. */
  private buildBlocks(blocks: Map<number, number[]>): void {
    const keys = Float64Array.from(blocks.keys()).sort();
    const count = keys.length;
    const starts = new Float64Array(count);
    const ends = new Float64Array(count);
    this.parents = new Int32Array(count);
    this.ids = new Array<number[]>(count);
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      const bits = key % 64;
      starts[i] = (key - bits) / 64;
      ends[i] = starts[i]! + 2 ** (32 - bits) - 1;
      this.ids[i] = blocks.get(key)!;
    }
    // (start, owner) pairs; `next` is where the last piece ended, and a gap before the next piece is owned by none
    const cuts: number[] = [];
    let next = 0;
    const piece = (from: number, to: number, block: number) => {
      if (from > to) return;
      if (from > next) cuts.push(next, -1);
      cuts.push(from, block);
      next = to + 1;
    };
    const open: number[] = [];
    let at = 0;
    const close = (until: number) => {
      while (open.length > 0 && ends[open.at(-1)!]! < until) {
        const top = open.pop()!;
        piece(at, ends[top]!, top);
        at = ends[top]! + 1;
      }
    };
    for (let i = 0; i < count; i++) {
      const start = starts[i]!;
      close(start);
      if (open.length > 0) piece(at, start - 1, open.at(-1)!);
      this.parents[i] = open.length > 0 ? open.at(-1)! : -1;
      at = start;
      open.push(i);
    }
    close(Infinity);
    if (next < 2 ** 32) cuts.push(next, -1);
    this.cuts = Float64Array.from(cuts);
    this.buildTop();
  }

  /** Fills the first table, with about 2^BUCKETS_PER_CUT_BITS buckets per cut. */
  private buildTop(): void {
    const count = this.cuts.length / 2;
    const bits = Math.min(TOP_BITS_MAX, Math.max(TOP_BITS_MIN, Math.ceil(Math.log2(count)) + BUCKETS_PER_CUT_BITS));
    this.shift = 32 - bits;
    this.top = new Int32Array(2 ** bits);
    const size = 2 ** this.shift;
    let at = 0; // the cut that holds the bucket's first address
    for (let k = 0; k < this.top.length; k++) {
      const from = k * size;
      while (at + 1 < count && this.cuts[2 * (at + 1)]! <= from) at++;
      const whole = at + 1 === count || this.cuts[2 * (at + 1)]! >= from + size;
      this.top[k] = whole ? this.cuts[2 * at + 1]! : -2 - at;
    }
  }

  /** The innermost block holding an IPv4 address given as its number, or -1. */
  lookupIPv4(n: number): number {
    const whole = this.top[n >>> this.shift]!;
    if (whole > -2) return whole;
    const cuts = this.cuts;
    const count = cuts.length >> 1;
    // the cut holding n is the last to start at or before it: gallop from the bucket's first, then bisect
    let lo = -2 - whole;
    let step = 1;
    while (lo + step < count && cuts[2 * (lo + step)]! <= n) {
      lo += step;
      step += step;
    }
    let hi = Math.min(lo + step, count) - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cuts[2 * mid]! <= n) lo = mid;
      else hi = mid - 1;
    }
    return cuts[2 * lo + 1]!;
  }

  /** What the feeds say of an address or a domain name: every provenance that covers it (none: an empty list). */
  lookup(value: string): readonly Provenance[] {
    // most lookups are of an IPv4 address as the sensor gives it, in no block: read in one pass, nothing allocated
    const address = ipv4Value(value);
    if (address !== -1) return this.ofIPv4(address);
    const text = isPlain(value) ? value : value.trim().toLowerCase().replace(/^\[|\]$/g, '');
    const family = ipFamily(text);
    if (family === 4) return this.ofIPv4(ipv4Value(text));
    const ids: number[] = [];
    if (family === 6) {
      const groups = ipv6Groups(text);
      for (const [bits, byPrefix] of this.ipv6) ids.push(...(byPrefix.get(ipv6Prefix(groups, bits)) ?? []));
    } else {
      if (this.domains.size === 0) return NONE;
      for (let name = text.endsWith('.') ? text.slice(0, -1) : text; name.includes('.'); name = name.slice(name.indexOf('.') + 1)) {
        const listed = this.domains.get(name);
        if (listed !== undefined) ids.push(...listed);
      }
    }
    return this.provenancesOf(ids);
  }

  /** The provenances of the blocks holding an IPv4 address, the innermost block last (the most specific word is said last). */
  private ofIPv4(n: number): readonly Provenance[] {
    const innermost = this.lookupIPv4(n);
    if (innermost === -1) return NONE;
    const chain: number[] = [];
    for (let block = innermost; block !== -1; block = this.parents[block]!) chain.push(block);
    return this.provenancesOf(chain.reverse().flatMap((block) => this.ids[block]!));
  }

  private provenancesOf(ids: readonly number[]): readonly Provenance[] {
    if (ids.length === 0) return NONE;
    return [...new Set(ids)].sort((a, b) => a - b).map((id) => this.provenances[id]!);
  }
}
