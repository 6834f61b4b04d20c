import type { Audit, Incident, Severity } from '../model/index.ts';
import { severityRank } from '../model/index.ts';
import { programOf, SHELLS } from './rule.ts';

/** An attack pattern: which audits of one container, seen within the window, tell it. */
export interface Pattern {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  /** Whether what was seen together makes this story: the rules that fired, and `shell` when a shell ran. */
  matches: (seen: ReadonlySet<string>) => boolean;
}

/** What an audit tells the patterns: its rule, and `shell` when a shell ran. Returns whether the group saw something new. */
function see(seen: Set<string>, audit: Audit): boolean {
  const before = seen.size;
  seen.add(audit.rule);
  if (audit.rule === 'shell-from-server' || (audit.rule === 'unexpected-process' && SHELLS.has(programOf(audit.event)))) seen.add('shell');
  return seen.size !== before;
}
const any = (rules: ReadonlySet<string>, ...ids: string[]) => ids.some((id) => rules.has(id));
const OUTBOUND: readonly string[] = ['unexpected-egress', 'lateral-movement', 'threat-intel-peer', 'threat-intel-dns', 'unexpected-dns'];

/** The patterns, most telling first: an incident takes the first that its audits match. */
export const PATTERNS: readonly Pattern[] = [
  {
    id: 'container-escape', title: 'Container escape attempt', severity: 'critical',
    description: 'Writes to the host\'s kernel settings or devices, host-reaching syscalls or escape tools, with whatever else the container did around them.',
    matches: (rules) => rules.has('container-escape'),
  },
  {
    id: 'reverse-shell', title: 'Reverse shell', severity: 'critical',
    description: 'A shell handed to a socket: someone outside types commands into the container.',
    matches: (rules) => rules.has('reverse-shell'),
  },
  {
    id: 'crypto-mining', title: 'Crypto mining', severity: 'critical',
    description: 'A miner program, a pool\'s name or stratum port: the container\'s CPU is someone else\'s now.',
    matches: (rules) => rules.has('crypto-miner'),
  },
  {
    id: 'exploit-to-execution', title: 'Exploit: shell, download, execute', severity: 'critical',
    description: 'A shell in the container, then a program brought in (drift, a package manager or a compiler), often followed by an outbound connection: the classic exploitation chain.',
    matches: (seen) => seen.has('shell') && any(seen, 'drift', 'package-manager-or-compiler'),
  },
  {
    id: 'credential-exfiltration', title: 'Credentials read, then sent out', severity: 'critical',
    description: 'A sensitive file, the runtime socket or a service-account token read, and a connection or name outside the model or the application\'s graph, or listed by threat intelligence.',
    matches: (rules) => any(rules, 'sensitive-read', 'runtime-socket-or-token') && any(rules, ...OUTBOUND),
  },
  {
    id: 'drift-and-listener', title: 'New program and new listening port', severity: 'critical',
    description: 'A program that is not the image\'s, and a port the model does not have: a backdoor listening.',
    matches: (rules) => rules.has('drift') && rules.has('unexpected-listen'),
  },
  {
    id: 'command-and-control', title: 'Contact with known attacker infrastructure', severity: 'critical',
    description: 'A connection or DNS name that threat intelligence lists.',
    matches: (rules) => any(rules, 'threat-intel-peer', 'threat-intel-dns'),
  },
  {
    id: 'lateral-movement', title: 'Lateral movement inside the application', severity: 'high',
    description: 'A workload reached a workload of its own application that the application\'s graph does not connect it to.',
    matches: (rules) => rules.has('lateral-movement'),
  },
  {
    id: 'dropped-program', title: 'A program that is not the image\'s was run', severity: 'high',
    description: 'Drift: a file added or changed after the container started was executed.',
    matches: (rules) => rules.has('drift'),
  },
  {
    id: 'runtime-access', title: 'Runtime socket or service-account token used', severity: 'high',
    description: 'An unexpected program reached for the container runtime or the Kubernetes API\'s credentials.',
    matches: (rules) => rules.has('runtime-socket-or-token'),
  },
  {
    id: 'tooling-in-container', title: 'Packages installed or code compiled in a running container', severity: 'high',
    description: 'A package manager or compiler ran where the image should have everything.',
    matches: (rules) => rules.has('package-manager-or-compiler'),
  },
  {
    id: 'shell-in-container', title: 'Shell in a container', severity: 'high',
    description: 'A shell the model does not have: someone inside the container, by `docker exec` or an injected command.',
    matches: (seen) => seen.has('shell'),
  },
];

/** Audits of one container this close in time are one story. */
export const INCIDENT_WINDOW_MS = 10 * 60 * 1000;

/** A container's audits within the window: what they signal, and their timeline (identical audits counted). */
interface Open {
  seen: Set<string>;
  timeline: Incident['timeline'];
  byMessage: Map<string, Incident['timeline'][number]>;
  count: number;
  firstSeen: string;
  lastSeen: string;
  severity: Severity;
  last: number;
  /** The first pattern the audits match, by its place in PATTERNS (-1: none yet); it only moves up as audits come. */
  pattern: number;
  incident?: Incident;
}

const higher = (a: Severity, b: Severity) => (severityRank(b) > severityRank(a) ? b : a);

/**
 * Audits grouped into incidents: per container, audits within the window of
 * each other are kept together; once they match a pattern, they are an
 * incident with that pattern (a more telling pattern replaces a weaker one as
 * audits come), a timeline, and identical audits counted, not repeated.
 * Audits that match no pattern (a lone unexpected syscall) stay audits. Each
 * audit costs the same however many came before it: a flood is a count.
 */
export class IncidentBuilder {
  private readonly open = new Map<string, Open>();
  private readonly newId: () => string;
  /** The last audit's time, and in milliseconds: audits come in runs with one time. */
  private lastTime = '';
  private lastAt = NaN;

  constructor(newId: () => string) {
    this.newId = newId;
  }

  /** Adds an audit; returns the incident it opened or changed, if any. */
  add(audit: Audit): Incident | undefined {
    if (audit.time !== this.lastTime) {
      this.lastTime = audit.time;
      this.lastAt = Date.parse(audit.time);
    }
    const at = this.lastAt;
    const key = audit.container.id;
    let group = this.open.get(key);
    if (group === undefined || at - group.last > INCIDENT_WINDOW_MS) {
      group = { seen: new Set(), timeline: [], byMessage: new Map(), count: 0, firstSeen: audit.time, lastSeen: audit.time, severity: audit.severity, last: at, pattern: -1 };
      this.open.set(key, group);
    }
    if (at > group.last) group.last = at;
    // the patterns are asked again only when the audits say something new (a flood says nothing new)
    if (see(group.seen, audit)) group.pattern = PATTERNS.findIndex((p) => p.matches(group.seen));
    record(group, audit);
    if (group.pattern === -1) return undefined;
    const pattern = PATTERNS[group.pattern]!;
    const incident = (group.incident ??= {
      id: this.newId(), pattern: pattern.id, title: pattern.title, severity: pattern.severity,
      container: audit.container, firstSeen: group.firstSeen, lastSeen: group.lastSeen, timeline: group.timeline, count: group.count,
    });
    incident.pattern = pattern.id;
    incident.title = pattern.title;
    incident.count = group.count;
    incident.firstSeen = group.firstSeen;
    incident.lastSeen = group.lastSeen;
    incident.severity = higher(higher(pattern.severity, incident.severity), group.severity);
    return incident;
  }
}

/** An audit into its group's timeline: a new line, or one more of an identical one. */
function record(group: Open, audit: Audit): void {
  const key = `${audit.rule}\0${audit.message}`;
  const same = group.byMessage.get(key);
  if (same !== undefined) {
    same.count++;
    if (audit.time > same.lastTime) same.lastTime = audit.time;
  } else {
    const line = { audit: audit.id, time: audit.time, lastTime: audit.time, rule: audit.rule, severity: audit.severity, message: audit.message, count: 1 };
    group.byMessage.set(key, line);
    group.timeline.push(line);
    // audits come in time order, nearly always: sort only when one did not
    if (group.timeline.length > 1 && group.timeline.at(-2)!.time > audit.time) group.timeline.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }
  group.count++;
  if (severityRank(audit.severity) > severityRank(group.severity)) group.severity = audit.severity;
  if (audit.time > group.lastSeen) group.lastSeen = audit.time;
  if (audit.time < group.firstSeen) group.firstSeen = audit.time;
}
