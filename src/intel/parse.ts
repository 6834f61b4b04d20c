import type { FeedFormat, IntelProvenance as Provenance } from '../model/index.ts';

export type { Provenance };

/**
 * An IPv4 address (four decimal octets, each 0–255 without a leading zero) as
 * its 32-bit number, or -1 for anything else: read in one pass by hand, as
 * lookups do this for every connection.
 */
export function ipv4Value(text: string): number {
  let octets = 0;
  let digits = 0;
  let octet = 0;
  let value = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || octet > 255) return -1;
      octets++;
      value = value * 256 + octet;
      digits = 0;
      octet = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // a leading zero
      octet = octet * 10 + (c - 48);
      digits++;
    } else {
      return -1;
    }
  }
  return octets === 4 ? value : -1;
}

/** 4 or 6 for an IPv4 or IPv6 address, 0 for anything else. */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (ipv4Value(text) !== -1) return 4;
  if (!text.includes(':') || !/^[0-9a-f:.]+$/i.test(text)) return 0;
  return URL.canParse(`http://[${text}]/`) ? 6 : 0;
}

/** One indicator: an address, a network, or a domain (which covers its subdomains). */
export interface Indicator {
  kind: 'ip' | 'cidr' | 'domain';
  value: string;
  provenance: Provenance;
}

/** A feed read: its indicators, or the reason it holds none Tenet can use. */
export type ParsedFeed =
  | { format: FeedFormat; indicators: Indicator[]; skipped: number; notes: string[] }
  | { rejected: string };

const valid = (text: string) => text.trim().replace(/^"|"$/g, '');

/** An IPv6 address in its canonical, compressed form (as the URL parser writes it). */
export function canonicalIPv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** An IP address, a CIDR network (its host bits zeroed) or a domain name; undefined for anything else. */
export function indicatorOf(text: string): { kind: Indicator['kind']; value: string } | undefined {
  const value = valid(text).toLowerCase();
  if (ipFamily(value) !== 0) return { kind: 'ip', value: ipFamily(value) === 6 ? canonicalIPv6(value) : value };
  const slash = value.indexOf('/');
  if (slash > 0) {
    const address = value.slice(0, slash);
    const bits = Number(value.slice(slash + 1));
    const family = ipFamily(address);
    if (family !== 0 && Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128)) {
      const canonical = family === 6 ? canonicalIPv6(address) : address;
      return bits === (family === 4 ? 32 : 128) ? { kind: 'ip', value: canonical } : { kind: 'cidr', value: `${canonical}/${bits}` };
    }
    return undefined;
  }
  if (/^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/.test(value)) return { kind: 'domain', value };
  return undefined;
}

/** FireHOL's `# Key : value` header lines. */
function fireholHeader(lines: readonly string[]): Record<string, string> {
  const header: Record<string, string> = {};
  for (const line of lines) {
    const m = /^#\s*([A-Za-z][A-Za-z ]+?)\s*:\s*(.+)$/.exec(line);
    if (m !== null) header[m[1]!.toLowerCase()] = m[2]!.trim();
  }
  return header;
}

/** Parses a CSV line with quoted fields. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

const ports = (text: string | undefined) => (text ?? '').split(/[;|\s]+/).map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
const dateOf = (text: string | undefined) => {
  const t = text?.trim();
  if (t === undefined || t === '') return undefined;
  const ms = Date.parse(/^\d{4}-\d\d-\d\d \d/.test(t) ? `${t.replace(' ', 'T')}Z` : t);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

function fromCsv(lines: string[], feed: string): ParsedFeed {
  const rows = lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = csvFields(rows[0]!).map((h) => h.toLowerCase());
  const feodo = header.includes('dst_ip');
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const ip = col('dst_ip', 'ip', 'ip_address', 'address', 'indicator');
  if (ip === -1) return { rejected: 'a CSV without an ip column' };
  const [category, score, first, last, port, malware] = [col('category'), col('score'), col('first_seen', 'first_seen_utc'), col('last_seen', 'last_online'), col('ports', 'port', 'dst_port'), col('malware')];
  const format: FeedFormat = feodo ? 'feodo-csv' : 'csv';
  const indicators: Indicator[] = [];
  let skipped = 0;
  for (const row of rows.slice(1)) {
    const f = csvFields(row);
    const what = indicatorOf(f[ip] ?? '');
    if (what === undefined) {
      skipped++;
      continue;
    }
    const p: Provenance = { feed, format };
    if (category !== -1 && f[category]) p.category = f[category];
    else if (feodo) p.category = 'botnet c2';
    if (score !== -1 && f[score] && !Number.isNaN(Number(f[score]))) p.score = Number(f[score]);
    if (malware !== -1 && f[malware]) p.malware = f[malware];
    if (port !== -1 && ports(f[port]).length > 0) p.ports = ports(f[port]);
    const firstSeen = first === -1 ? undefined : dateOf(f[first]);
    const lastSeen = last === -1 ? undefined : dateOf(f[last]);
    if (firstSeen !== undefined) p.firstSeen = firstSeen;
    if (lastSeen !== undefined) p.lastSeen = lastSeen;
    indicators.push({ ...what, provenance: p });
  }
  return { format, indicators, skipped, notes: [] };
}

/** A STIX pattern's comparisons Tenet can use: `[ipv4-addr:value = '…']`, ipv6-addr, domain-name, joined by OR. */
function patternValues(pattern: string): string[] {
  return [...pattern.matchAll(/(ipv4-addr|ipv6-addr|domain-name):value\s*=\s*'([^']+)'/g)].map((m) => m[2]!);
}

function fromStix(json: unknown, feed: string): ParsedFeed {
  const objects = Array.isArray(json) ? json : (json as { objects?: unknown }).objects;
  if (!Array.isArray(objects)) return { rejected: 'a STIX document without objects' };
  const byId = new Map<string, Record<string, unknown>>();
  for (const o of objects) if (typeof o === 'object' && o !== null && typeof (o as { id?: unknown }).id === 'string') byId.set((o as { id: string }).id, o as Record<string, unknown>);
  const indicators: Indicator[] = [];
  let skipped = 0;
  const notes: string[] = [];
  for (const o of byId.values()) {
    if (o.type === 'indicator' && typeof o.pattern === 'string') {
      const values = patternValues(o.pattern).map((v) => indicatorOf(v)).filter((v) => v !== undefined);
      if (values.length === 0) {
        skipped++;
        continue;
      }
      const types = Array.isArray(o.indicator_types) ? (o.indicator_types as string[]).join(', ') : undefined;
      for (const v of values) {
        indicators.push({
          ...v,
          provenance: {
            feed, format: 'stix2', reference: `${o.id as string}${typeof o.name === 'string' ? ` (${o.name})` : ''}`,
            ...(types !== undefined && { category: types }),
            ...(dateOf(o.valid_from as string | undefined) !== undefined && { firstSeen: dateOf(o.valid_from as string) }),
            ...(dateOf(o.valid_until as string | undefined) !== undefined && { lastSeen: dateOf(o.valid_until as string) }),
          },
        });
      }
    }
    // infrastructure that consists of addresses and names: command and control, hosting of malware
    if (o.type === 'relationship' && o.relationship_type === 'consists-of') {
      const infrastructure = byId.get(o.source_ref as string);
      const target = byId.get(o.target_ref as string);
      if (infrastructure?.type !== 'infrastructure' || target === undefined || typeof target.value !== 'string') continue;
      const v = indicatorOf(target.value);
      if (v === undefined) continue;
      const types = Array.isArray(infrastructure.infrastructure_types) ? (infrastructure.infrastructure_types as string[]).join(', ') : undefined;
      indicators.push({ ...v, provenance: { feed, format: 'stix2', reference: `${infrastructure.id as string} (${String(infrastructure.name)})`, ...(types !== undefined && { category: types }) } });
    }
  }
  if (indicators.length === 0) {
    const observables = [...byId.values()].filter((o) => o.type === 'ipv4-addr' || o.type === 'ipv6-addr' || o.type === 'domain-name').length;
    return {
      rejected: observables > 0
        ? `STIX observables (${observables} addresses and names) without an indicator or infrastructure saying they are malicious`
        : `no network indicator among ${byId.size} STIX objects (file hashes and certificates are not used)`,
    };
  }
  if (skipped > 0) notes.push(`${skipped} indicators are not about addresses or names (file hashes, certificates)`);
  return { format: 'stix2', indicators, skipped, notes };
}

/**
 * A threat-intelligence feed, recognised by its content: STIX 2.1 (a bundle
 * or an array), abuse.ch Feodo CSV, a CSV with an `ip` column (category,
 * score, first_seen, last_seen, ports), IPsum (`IP<TAB>count`), FireHOL
 * ipset/netset (with its header's maintainer and category), Spamhaus DROP
 * (`CIDR ; SBL…`), or a plain list of addresses, networks or domains.
 */
export function parseFeed(text: string, feed: string): ParsedFeed {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return fromStix(JSON.parse(text), feed);
    } catch (e) {
      return { rejected: `not valid JSON: ${(e as Error).message}` };
    }
  }
  if (text.includes('\0')) return { rejected: 'a binary file, not a feed' };
  const lines = text.split(/\r?\n/);
  const data = lines.filter((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  if (data.length > 0 && data[0]!.includes(',') && /[a-z]/i.test(data[0]!.split(',')[0]!) && indicatorOf(csvFields(data[0]!)[0]!) === undefined) return fromCsv(lines, feed);
  const header = fireholHeader(lines.filter((l) => l.startsWith('#')));
  const firehol = /ipset/i.test(lines.slice(0, 6).join('\n')) || header['maintainer'] !== undefined;
  const ipsum = lines.some((l) => /^#.*IPsum/i.test(l));
  const format: FeedFormat = firehol ? 'firehol' : ipsum ? 'ipsum' : data.some((l) => /;\s*SBL\d+/.test(l)) ? 'spamhaus-drop' : 'list';
  const indicators: Indicator[] = [];
  let skipped = 0;
  const seen = new Set<string>();
  for (const line of data) {
    const [value, rest] = line.split(/\s*[;\t]\s*|\s+/, 2) as [string, string | undefined];
    const what = indicatorOf(value);
    if (what === undefined) {
      skipped++;
      continue;
    }
    if (seen.has(what.value)) continue; // lists repeat entries
    seen.add(what.value);
    const p: Provenance = { feed, format };
    if (header['category'] !== undefined) p.category = header['category'];
    if (header['maintainer'] !== undefined) p.maintainer = header['maintainer'];
    if (format === 'ipsum' && rest !== undefined && /^\d+$/.test(rest)) p.score = Number(rest);
    if (format === 'spamhaus-drop' && rest !== undefined) p.reference = rest.trim();
    indicators.push({ ...what, provenance: p });
  }
  if (indicators.length === 0 && skipped > 0) return { rejected: `no address, network or domain on any of its ${skipped} lines` };
  const notes = indicators.length === 0 ? ['the feed is empty'] : skipped > 0 ? [`${skipped} lines are not addresses, networks or domains`] : [];
  return { format, indicators, skipped, notes };
}
