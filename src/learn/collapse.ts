import type { ModelDimension, Source } from '../model/index.ts';
import type { AllowList } from './allow-list.ts';
import type { Observed } from './entries.ts';
import { parentDomain, parentOf } from './generalise.ts';

/** Siblings a group holds before they are one pattern: files of a folder, and peers of a port or names of a domain. */
export interface CollapseLimits {
  collapseAfter: number;
  peersPerPort: number;
}

/**
 * Folds a learned entry's siblings into one pattern once there are too many
 * of them (files of a folder into `folder/*`, peers of a port into `*:port`,
 * names of a domain into `*.domain`), their sightings merged; declared
 * entries stay as they are. Returns the entry's pattern, or the entry.
 */
export function collapse(dimension: ModelDimension, entry: string, entries: Map<string, Observed>, declared: ReadonlyMap<string, Source[]>, allowed: AllowList, limits: CollapseLimits): string {
  let group: string | undefined;
  let members: (e: string) => boolean;
  let limit = limits.collapseAfter;
  if (dimension === 'writable' || dimension === 'reads') {
    const dir = parentOf(entry);
    if (dir === undefined) return entry;
    group = `${dir}/*`;
    members = (e) => e !== group && e.startsWith(`${dir}/`);
  } else if (dimension === 'egress') {
    const protocol = entry.slice(0, entry.indexOf('/'));
    const port = entry.slice(entry.lastIndexOf(':') + 1);
    group = `${protocol}/*:${port}`;
    members = (e) => e !== group && e.startsWith(`${protocol}/`) && e.endsWith(`:${port}`);
    limit = limits.peersPerPort;
  } else if (dimension === 'dns') {
    const parent = parentDomain(entry);
    if (parent === undefined) return entry;
    group = `*.${parent}`;
    members = (e) => e !== group && e.endsWith(`.${parent}`);
    limit = limits.peersPerPort;
  } else {
    return entry;
  }
  const siblings = [...entries.keys()].filter((e) => members(e) && !declared.has(e));
  if (siblings.length <= limit) return entry;
  const merged: Observed = entries.get(group) ?? { firstSeen: Infinity, lastSeen: 0, count: 0, containers: new Set() };
  for (const sibling of siblings) {
    const seen = entries.get(sibling)!;
    merged.firstSeen = Math.min(merged.firstSeen, seen.firstSeen);
    merged.lastSeen = Math.max(merged.lastSeen, seen.lastSeen);
    merged.count += seen.count;
    for (const c of seen.containers) merged.containers.add(c);
    entries.delete(sibling);
    allowed.delete(sibling);
  }
  entries.set(group, merged);
  allowed.add(group);
  return group;
}
