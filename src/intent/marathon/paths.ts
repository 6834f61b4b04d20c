// Marathon ids are paths (`/product/service/frontend` is app `frontend` of group `/product/service`),
// resolved here as Marathon's PathId.canonicalPath resolves them.

function segmentsOf(id: string): string[] {
  return id.split('/').filter((s) => s !== '');
}

/** `id` made absolute against `base`, with `.` and `..` resolved as Marathon does. */
export function canonicalPath(id: string, base: string): string {
  const segments = id.startsWith('/') ? segmentsOf(id) : [...segmentsOf(base), ...segmentsOf(id)];
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** The group of an app or pod: `/a/b/c` → `/a/b`, `/c` → `/`. */
export function parentOf(id: string): string {
  const segments = segmentsOf(id);
  return `/${segments.slice(0, -1).join('/')}`;
}

/** True when `id` is `group` itself or lies below it. */
export function isUnder(id: string, group: string): boolean {
  return group === '/' || id === group || id.startsWith(`${group}/`);
}

const SEGMENT = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/** The segments of an absolute id that Marathon refuses (upper case, `_`, a leading or trailing `-`). */
export function invalidSegments(id: string): string[] {
  return segmentsOf(id).filter((s) => !SEGMENT.test(s));
}

/**
 * The DNS label Mesos-DNS gives a Marathon app: its id reversed and joined by
 * dashes, `/prod/db` → `db-prod` (as in `db-prod.marathon.mesos`).
 */
export function mesosDnsLabel(id: string): string {
  return segmentsOf(id).reverse().join('-').toLowerCase().replace(/[^a-z0-9-]/g, '-');
}
