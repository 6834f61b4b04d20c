/** Helpers the adapters share: tolerant readers of other tools' JSON. */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field, without the placeholders tools print for "unknown". */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || trimmed === '<NA>' || trimmed === 'N/A' ? undefined : trimmed;
}

export function integer(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** Nanoseconds since the epoch → ISO 8601 with the nanoseconds kept. */
export function isoFromNanoseconds(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** `10.0.0.1:43812->10.96.0.1:443` or `[::1]:80->[::1]:5000` → both ends. */
export function addressPair(value: string): { local: [string, number]; remote: [string, number] } | undefined {
  const match = /^\[?([^\]\s]+?)\]?:(\d+)->\[?([^\]\s]+?)\]?:(\d+)$/.exec(value);
  if (!match) return undefined;
  return { local: [match[1]!, Number(match[2])], remote: [match[3]!, Number(match[4])] };
}

/** Drops undefined fields and empty objects, so converted events carry only what the source said. */
export function compact<T extends Json>(value: T): T {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (isObject(v)) {
      const inner = compact(v);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else {
      out[key] = v;
    }
  }
  return out as T;
}
