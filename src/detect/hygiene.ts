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

/**
 * Alert hygiene: suppressions silence what users decided to accept (with a
 * reason and usually an expiry), and a rate limit per rule and container says
 * a burst once and counts the rest, so a flood never drowns anyone. Held-back
 * audits still count in their incident.
 */
export class AlertGate {
  private suppressions: readonly Suppression[] = [];
  private readonly windows = new Map<string, { start: number; count: number }>();
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
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (++window.count > this.limit.perWindow) {
      this.counts.rateLimited++;
      return 'rate-limited';
    }
    return 'emit';
  }
}
