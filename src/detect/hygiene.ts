import type { Audit, Suppression } from '../model/index.ts';

/** What becomes of an audit: said, silenced by a suppression, or held back by the rate limit. */
export type Gate = 'emit' | 'suppressed' | 'rate-limited';

/** A suppression covers an audit when its rule, container and image all match, until it expires. */
export function suppresses(s: Suppression, audit: Audit, now: number): boolean {
  if (s.expiresAt !== undefined && Date.parse(s.expiresAt) <= now) return false;
  if (s.rule !== '*' && s.rule !== audit.rule) return false;
  const c = audit.container;
  if (s.container !== undefined && c.name !== s.container && !c.id.startsWith(s.container)) return false;
  if (s.image !== undefined && c.image !== s.image && !(c.imageId ?? '').startsWith(s.image) && !(c.image ?? '').startsWith(`${s.image}:`)) return false;
  return true;
}

/** Distinct values a folded audit lists, at most; and counts beyond those, at most (a flood stays bounded). */
const FOLDED_VALUES = 20;
const FOLDED_COUNTED = 10_000;

/** Audits of one rule and container past the limit, gathered until their window ends. */
interface Held {
  audit: Audit;
  count: number;
  first: string;
  last: string;
  values: Set<string>;
  /** Distinct values past the listed ones. */
  more: Set<string>;
}

/**
 * Alert hygiene: suppressions silence what users decided to accept (with a
 * reason and usually an expiry), and a rate limit per rule and container says
 * a burst once: past the limit, the window's audits are folded into one that
 * says how many there were, from when to when, and their distinct values, so
 * nothing that happened is missing from the audits. Held-back audits still
 * count in their incident.
 */
export class AlertGate {
  private suppressions: readonly Suppression[] = [];
  private readonly windows = new Map<string, { start: number; count: number; held?: Held }>();
  /** Folded audits of windows that ended while their key went on: out at the next flush. */
  private readonly ended: Audit[] = [];
  readonly counts = { suppressed: 0, rateLimited: 0 };
  private readonly limit: { perWindow: number; windowMs: number };

  constructor(limit = { perWindow: 10, windowMs: 60_000 }) {
    this.limit = limit;
  }

  setSuppressions(suppressions: readonly Suppression[]): void {
    this.suppressions = suppressions;
  }

  decide(audit: Audit, now: number): Gate {
    if (this.suppressions.some((s) => suppresses(s, audit, now))) {
      this.counts.suppressed++;
      return 'suppressed';
    }
    const key = `${audit.rule}\0${audit.container.id}`;
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= this.limit.windowMs) {
      if (window?.held !== undefined) this.ended.push(this.fold(window.held));
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (++window.count > this.limit.perWindow) {
      this.counts.rateLimited++;
      this.hold(window, audit);
      return 'rate-limited';
    }
    return 'emit';
  }

  /** The folded audits of the windows that ended by `now`, or of every window (`all`, when the defender stops). */
  flush(now: number, all = false): Audit[] {
    const out = this.ended.splice(0);
    for (const [key, window] of this.windows) {
      const over = now - window.start >= this.limit.windowMs;
      if (window.held !== undefined && (all || over)) {
        out.push(this.fold(window.held));
        window.held = undefined;
      }
      if (over) this.windows.delete(key);
    }
    return out;
  }

  private hold(window: { held?: Held }, audit: Audit): void {
    const held = window.held ??= { audit, count: 0, first: audit.time, last: audit.time, values: new Set(), more: new Set() };
    held.count++;
    if (audit.time < held.first) held.first = audit.time;
    if (audit.time > held.last) held.last = audit.time;
    const value = audit.lacked?.entry ?? audit.message;
    if (held.values.has(value)) return;
    if (held.values.size < FOLDED_VALUES) held.values.add(value);
    else if (held.more.size < FOLDED_COUNTED) held.more.add(value);
  }

  private fold(held: Held): Audit {
    const values = [...held.values];
    const more = held.more.size;
    const listed = values.slice(0, 3).join(', ') + (values.length + more > 3 ? ` and ${values.length + more - 3} more` : '');
    return {
      ...held.audit,
      message: `${held.count} more ${held.audit.rule} audit${held.count === 1 ? '' : 's'} past the limit of ${this.limit.perWindow} a minute, ${held.first} to ${held.last}: ${listed}`,
      folded: { count: held.count, first: held.first, last: held.last, values, ...(more > 0 && { more }) },
    };
  }
}
