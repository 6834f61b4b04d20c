import { ipFamily, type Indicator, type Provenance } from './parse.ts';

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

/** The first-level table of the IPv4 lookup: one bucket per /20. */
const TOP_BUCKETS = 2 ** 20;
const TOP_SIZE = 2 ** 12;
/** A /20 that pieces start inside: its lookups bisect them. */
const BISECT = -2;

/**
 * Every indicator of every feed, for lookups. IPv4 addresses and networks form
 * a laminar family (two CIDR blocks are nested or apart): each block knows its
 * parent, the smallest block around it, and the address space is cut into at
 * most 2n+1 disjoint pieces, each owned by the innermost block that holds it.
 * A lookup reads its /20 in a first table, which names the owner outright when
 * one piece holds the whole /20, and else bisects the few pieces that start
 * in it. The blocks around the owner hold the address too, and their feeds
 * are found by climbing. IPv6 networks are kept by prefix length, domains with
 * their parents (`evil.example` covers `a.evil.example`).
 */
export class IntelIndex {
  private readonly provenances: Provenance[] = [];
  private parents = new Int32Array(0);
  /**
   * Disjoint pieces of the IPv4 space, sorted, each with the innermost block
   * that holds it, as triples (start, end, block) side by side: one cache line
   * answers a step of the bisection and the lookup's result.
   */
  private pieces = new Float64Array(0);
  /**
   * For each /20, side by side: the first piece that starts in it or after
   * (a lookup bisects only the pieces of its /20, a few), and the block that
   * holds the whole /20 (-1: none does; BISECT: pieces start inside it). Most
   * /20s lie inside one piece, and a lookup there reads one place only.
   */
  private byTop20 = new Int32Array(2 * (TOP_BUCKETS + 1));
  /** The provenances of each block. */
  private ids: number[][] = [];
  private readonly ipv6 = new Map<number, Map<string, number[]>>();
  private readonly domains = new Map<string, number[]>();
  readonly size: number;

  constructor(indicators: readonly Indicator[]) {
    this.size = indicators.length;
    const blocks = new Map<number, Map<number, number[]>>(); // start → end → ids
    for (const indicator of indicators) {
      const id = this.provenances.push(indicator.provenance) - 1;
      if (indicator.kind === 'domain') {
        const list = this.domains.get(indicator.value);
        if (list === undefined) this.domains.set(indicator.value, [id]);
        else list.push(id);
        continue;
      }
      const [address, bitsText] = indicator.value.split('/') as [string, string | undefined];
      if (ipFamily(address) === 4) {
        const bits = bitsText === undefined ? 32 : Number(bitsText);
        const size = 2 ** (32 - bits);
        const start = Math.floor(ipv4Number(address) / size) * size;
        let byEnd = blocks.get(start);
        if (byEnd === undefined) blocks.set(start, (byEnd = new Map()));
        const list = byEnd.get(start + size - 1);
        if (list === undefined) byEnd.set(start + size - 1, [id]);
        else list.push(id);
      } else {
        const bits = bitsText === undefined ? 128 : Number(bitsText);
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
  private buildBlocks(blocks: Map<number, Map<number, number[]>>): void {
    const list: Array<[number, number, number[]]> = [];
    for (const [start, byEnd] of blocks) for (const [end, ids] of byEnd) list.push([start, end, ids]);
    list.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    this.parents = new Int32Array(list.length);
    this.ids = list.map((b) => b[2]);
    const starts: number[] = [];
    const ends: number[] = [];
    const owners: number[] = [];
    const piece = (from: number, to: number, block: number) => {
      if (from > to) return;
      starts.push(from);
      ends.push(to);
      owners.push(block);
    };
    const open: number[] = [];
    let at = 0;
    const close = (until: number) => {
      while (open.length > 0 && list[open.at(-1)!]![1] < until) {
        const top = open.pop()!;
        piece(at, list[top]![1], top);
        at = list[top]![1] + 1;
      }
    };
    for (let i = 0; i < list.length; i++) {
      const [start] = list[i]!;
      close(start);
      if (open.length > 0) piece(at, start - 1, open.at(-1)!);
      this.parents[i] = open.length > 0 ? open.at(-1)! : -1;
      at = start;
      open.push(i);
    }
    close(Infinity);
    this.pieces = new Float64Array(starts.length * 3);
    for (let i = 0; i < starts.length; i++) {
      this.pieces[3 * i] = starts[i]!;
      this.pieces[3 * i + 1] = ends[i]!;
      this.pieces[3 * i + 2] = owners[i]!;
    }
    let first = 0;
    for (let k = 0; k <= TOP_BUCKETS; k++) {
      const from = k * TOP_SIZE;
      const to = from + TOP_SIZE - 1;
      while (first < starts.length && starts[first]! < from) first++;
      // the piece around the /20's first address, and the next one
      const around = first < starts.length && starts[first] === from ? first : first - 1;
      const next = around + 1;
      const holds = around >= 0 && ends[around]! >= to;
      const empty = (around < 0 || ends[around]! < from) && (next >= starts.length || starts[next]! > to);
      this.byTop20[2 * k] = first;
      this.byTop20[2 * k + 1] = holds ? owners[around]! : empty ? -1 : BISECT;
    }
  }

  /** The innermost block holding an IPv4 address given as its number, or -1. */
  lookupIPv4(n: number): number {
    const top = n >>> 12;
    const whole = this.byTop20[2 * top + 1]!;
    if (whole !== BISECT) return whole;
    const pieces = this.pieces;
    // the piece holding n starts in n's /20, or is the last one before it
    let lo = Math.max(0, this.byTop20[2 * top]! - 1);
    let hi = this.byTop20[2 * top + 2]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (pieces[3 * mid]! <= n) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && n <= pieces[3 * hi + 1]! ? pieces[3 * hi + 2]! : -1;
  }

  /** What the feeds say of an address or a domain name: every provenance that covers it (none: an empty list). */
  lookup(value: string): readonly Provenance[] {
    // most lookups are of an IPv4 address in no block: no string made, nothing allocated
    const text = isPlain(value) ? value : value.trim().toLowerCase().replace(/^\[|\]$/g, '');
    const family = ipFamily(text);
    const innermost = family === 4 ? this.lookupIPv4(ipv4Number(text)) : -1;
    if (family === 4 && innermost === -1) return NONE;
    const ids: number[] = [];
    if (family === 4) {
      // the innermost block last: the most specific word is said last
      const chain: number[] = [];
      for (let block = innermost; block !== -1; block = this.parents[block]!) chain.push(block);
      for (const block of chain.reverse()) ids.push(...this.ids[block]!);
    } else if (family === 6) {
      const groups = ipv6Groups(text);
      for (const [bits, byPrefix] of this.ipv6) ids.push(...(byPrefix.get(ipv6Prefix(groups, bits)) ?? []));
    } else {
      if (this.domains.size === 0) return NONE;
      for (let name = text.endsWith('.') ? text.slice(0, -1) : text; name.includes('.'); name = name.slice(name.indexOf('.') + 1)) {
        const listed = this.domains.get(name);
        if (listed !== undefined) ids.push(...listed);
      }
    }
    if (ids.length === 0) return NONE;
    return [...new Set(ids)].sort((a, b) => a - b).map((id) => this.provenances[id]!);
  }
}
