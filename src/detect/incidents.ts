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

/** Folders of programs, libraries and system settings: a write there that the model does not allow changes the system. */
const SYSTEM_FOLDERS = /^\/(?:usr\/(?:local\/)?)?(?:s?bin|lib(?:32|64|exec)?)\/|^\/(?:etc|boot)\//;
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
    id: 'port-scan', title: 'Port scan', severity: 'high',
    description: 'Many ports of one peer reached in a few seconds: someone maps what it serves, often before moving to it. A shell\'s connections that are part of the scan are the scan, not a reverse shell.',
    matches: (rules) => rules.has('port-scan'),
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
    id: 'backdoor-listener', title: 'A port the model does not have is listening', severity: 'high',
    description: 'A program serves a port its model does not have: a bind shell or a backdoor waiting for its owner (a shell that runs `nc -l -e` as its own applet is seen by its port alone).',
    matches: (rules) => rules.has('unexpected-listen'),
  },
  {
    id: 'system-files-changed', title: 'System files changed', severity: 'high',
    description: 'A write its model does not allow to a folder of programs, libraries or system settings (/usr/bin, /lib, /etc …): a program planted or replaced, a setting changed.',
    matches: (seen) => seen.has('system-write'),
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

/** A story with no new audit for this long is over: a later audit starts another. */
export const INCIDENT_WINDOW_MS = 10 * 60 * 1000;
/**
 * How close in time a loose link holds: the same process of the container's
 * own program (a server doing two odd things), the same peer or DNS name. The
 * process tree of a program the story ran, and a file it wrote, hold for the
 * whole story.
 */
export const LINK_MS = 10_000;
/** Open stories kept per container: past this many, the oldest is closed. */
const STORIES_KEPT = 64;
/** Distinct values kept per timeline line (all are counted up to VALUES_COUNTED), and said in the incident. */
const VALUES_SAID = 20;
const VALUES_COUNTED = 10_000;

/** A line of the timeline, with the distinct values of the audits folded into it. */
interface Line {
  line: Incident['timeline'][number];
  values: Set<string>;
  noun: string;
  of: string | undefined;
}

/** One chain of audits on a container: what links to it, what it signals, and its timeline. */
interface Story {
  /** Signals for the patterns: rules that fired, `shell` when a shell ran. */
  seen: Set<string>;
  /** Whether a reverse shell was seen in an exec (`bash -i >& /dev/tcp/…`): that is one whatever follows. */
  reverseExec: boolean;
  /** Peers a shell connected to (a reverse shell, unless the peer was being scanned), and peers scanned. */
  shellPeers: Set<string>;
  scanned: Set<string>;
  /** Processes the story ran (their exec was audited) and their descendants: they and their children belong to it. */
  own: Set<number>;
  /** Files it wrote: running one later is the story going on. */
  written: Set<string>;
  /** Loose links (a process, a peer, a name) and when they were last seen. */
  loose: Map<string, number>;
  lines: Map<string, Line>;
  timeline: Incident['timeline'];
  techniques: Map<string, { id: string; name: string }>;
  lacked: Map<string, { dimension: NonNullable<Audit['lacked']>['dimension']; entry: string }>;
  model: string | undefined;
  count: number;
  firstSeen: string;
  lastSeen: string;
  severity: Severity;
  last: number;
  /** The first pattern its signals match, by its place in PATTERNS (-1: none yet). */
  pattern: number;
  incident?: Incident;
}

const higher = (a: Severity, b: Severity) => (severityRank(b) > severityRank(a) ? b : a);

/**
 * Audits told as attack stories. An audit joins the open story of its
 * container that it is linked to — its process or an ancestor is one the
 * story ran, it runs a file the story wrote, or within LINK_MS the same
 * process, peer or DNS name — and otherwise starts a story of its own, so two
 * chains on one container are two incidents; an audit linked to two stories
 * makes them one (a shell's forked child connects out before its exec names
 * its parent). A story whose audits match a pattern is an incident with that
 * pattern (a more telling one replaces a weaker one as audits come), its
 * ATT&CK techniques, the model entries it lacked, and a timeline where the
 * audits of one rule by one program on one peer, folder or name are one line
 * with their count and distinct values. A story that matches no pattern (a
 * lone unexpected syscall) stays audits. Each audit costs about the same
 * however many came before it: a flood is a count.
 */
export class IncidentBuilder {
  private readonly stories = new Map<string, Story[]>();
  private readonly newId: () => string;
  /** The last audit's time, and in milliseconds: audits come in runs with one time. */
  private lastTime = '';
  private lastAt = NaN;

  constructor(newId: () => string) {
    this.newId = newId;
  }

  /**
   * Adds an audit, with the process ids of its process's ancestors when the
   * caller knows them (nearest first). Returns the incidents it opened or
   * changed, and those it found to be part of another (`mergedInto` set: to be
   * removed).
   */
  add(audit: Audit, ancestors: readonly number[] = []): readonly Incident[] {
    if (audit.time !== this.lastTime) {
      this.lastTime = audit.time;
      this.lastAt = Date.parse(audit.time);
    }
    const at = this.lastAt;
    const process = audit.event.process;
    const lineage = [...ancestors, ...[process?.ppid, process?.parent?.pid].filter((p): p is number => p !== undefined)];
    const loose = looseLinks(audit);
    const { story, retired } = this.storyOf(audit, at, lineage, loose);
    if (at > story.last) story.last = at;
    const pid = process?.pid;
    if (pid !== undefined && (audit.event.kind === 'exec' || story.own.has(pid) || lineage.some((p) => story.own.has(p)))) story.own.add(pid);
    if (audit.event.kind === 'write' && audit.event.file?.path !== undefined) story.written.add(audit.event.file.path);
    for (const key of loose) story.loose.set(key, at);
    // the patterns are asked again only when the audits say something new (a flood says nothing new)
    if (see(story, audit) || retired !== NONE) story.pattern = PATTERNS.findIndex((p) => p.matches(story.seen));
    record(story, audit);
    if (story.pattern === -1) return retired;
    const told = this.told(story, audit);
    return retired === NONE ? [told] : [told, ...retired];
  }

  /** The open story of the audit's container it is linked to (the stories it links, made one), or a new one. */
  private storyOf(audit: Audit, at: number, lineage: readonly number[], loose: readonly string[]): { story: Story; retired: readonly Incident[] } {
    const key = audit.container.id;
    let open = this.stories.get(key);
    if (open === undefined) this.stories.set(key, (open = []));
    else if (open.some((s) => at - s.last > INCIDENT_WINDOW_MS)) this.stories.set(key, (open = open.filter((s) => at - s.last <= INCIDENT_WINDOW_MS)));
    const e = audit.event;
    const pid = e.process?.pid;
    const ran = e.kind === 'exec' ? e.process?.path : undefined;
    const linked = open.filter((s) => (pid !== undefined && s.own.has(pid)) || lineage.some((p) => s.own.has(p))
      || (ran !== undefined && s.written.has(ran)) || loose.some((k) => at - (s.loose.get(k) ?? -Infinity) <= LINK_MS));
    if (linked.length > 0) {
      const [story, ...others] = linked;
      if (others.length === 0) return { story: story!, retired: NONE };
      const retired: Incident[] = [];
      for (const other of others) {
        const gone = merge(story!, other);
        if (gone !== undefined) retired.push(gone);
      }
      this.stories.set(key, open.filter((s) => !others.includes(s)));
      return { story: story!, retired };
    }
    // an audit with nothing to link it by (another tool's alert) belongs to the container's latest story
    if (pid === undefined && loose.length === 0 && open.length > 0) return { story: open.at(-1)!, retired: NONE };
    const story: Story = {
      seen: new Set(), reverseExec: false, shellPeers: new Set(), scanned: new Set(), own: new Set(), written: new Set(), loose: new Map(),
      lines: new Map(), timeline: [], techniques: new Map(), lacked: new Map(), model: audit.model,
      count: 0, firstSeen: audit.time, lastSeen: audit.time, severity: audit.severity, last: at, pattern: -1,
    };
    if (open.length >= STORIES_KEPT) open.shift();
    open.push(story);
    return { story, retired: NONE };
  }

  /** The story as its incident, made or brought up to date. */
  private told(story: Story, audit: Audit): Incident {
    const pattern = PATTERNS[story.pattern]!;
    const incident = (story.incident ??= {
      id: this.newId(), pattern: pattern.id, title: pattern.title, severity: pattern.severity,
      container: audit.container, firstSeen: story.firstSeen, lastSeen: story.lastSeen, timeline: story.timeline, count: story.count,
    });
    incident.pattern = pattern.id;
    incident.title = pattern.title;
    incident.timeline = story.timeline;
    incident.count = story.count;
    incident.firstSeen = story.firstSeen;
    incident.lastSeen = story.lastSeen;
    incident.severity = higher(higher(pattern.severity, incident.severity), story.severity);
    if (audit.container.image !== undefined && incident.container.image === undefined) incident.container = audit.container;
    if (story.techniques.size > 0) incident.techniques = [...story.techniques.values()];
    if (story.model !== undefined) incident.model = story.model;
    if (story.lacked.size > 0) incident.lacked = [...story.lacked.values()];
    return incident;
  }
}

/** No incidents (shared: most audits change none). */
const NONE: readonly Incident[] = [];

/**
 * A later story made part of an earlier one: everything it links by, signals
 * and holds. Returns its incident, if it had one and the earlier one too (it
 * is then part of that one); otherwise the earlier story takes its incident.
 */
function merge(into: Story, from: Story): Incident | undefined {
  for (const x of from.seen) into.seen.add(x);
  into.reverseExec ||= from.reverseExec;
  for (const x of from.scanned) into.scanned.add(x);
  for (const x of from.shellPeers) if (!into.scanned.has(x)) into.shellPeers.add(x);
  for (const x of into.scanned) into.shellPeers.delete(x);
  for (const x of from.own) into.own.add(x);
  for (const x of from.written) into.written.add(x);
  for (const [k, t] of from.loose) if (t > (into.loose.get(k) ?? -Infinity)) into.loose.set(k, t);
  for (const [key, theirs] of from.lines) {
    const ours = into.lines.get(key);
    if (ours === undefined) {
      into.lines.set(key, theirs);
      into.timeline.push(theirs.line);
      continue;
    }
    const [a, b] = [ours.line, theirs.line];
    a.count += b.count;
    if (b.time < a.time) Object.assign(a, { audit: b.audit, time: b.time, message: b.message });
    if (b.lastTime > a.lastTime) a.lastTime = b.lastTime;
    a.severity = higher(a.severity, b.severity);
    for (const v of theirs.values) if (ours.values.size < VALUES_COUNTED) ours.values.add(v);
    summarise(ours);
  }
  into.timeline.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  for (const [k, t] of from.techniques) if (!into.techniques.has(k)) into.techniques.set(k, t);
  for (const [k, l] of from.lacked) if (into.lacked.size < VALUES_SAID && !into.lacked.has(k)) into.lacked.set(k, l);
  into.model ??= from.model;
  into.count += from.count;
  if (from.firstSeen < into.firstSeen) into.firstSeen = from.firstSeen;
  if (from.lastSeen > into.lastSeen) into.lastSeen = from.lastSeen;
  into.severity = higher(into.severity, from.severity);
  if (from.last > into.last) into.last = from.last;
  if (from.incident === undefined) return undefined;
  if (into.incident === undefined) {
    into.incident = from.incident;
    return undefined;
  }
  return { ...from.incident, mergedInto: into.incident.id };
}

/** What links an audit loosely: its process, its peer, the DNS names it asked or reached. */
function looseLinks(audit: Audit): string[] {
  const e = audit.event;
  const keys: string[] = [];
  if (e.process?.pid !== undefined) keys.push(`p${e.process.pid}`);
  if (e.network?.remoteAddress !== undefined) keys.push(`a${e.network.remoteAddress}`);
  for (const name of e.network?.remoteNames ?? []) keys.push(`n${name}`);
  for (const name of e.dns?.names ?? []) keys.push(`n${name}`);
  return keys;
}

/**
 * What an audit tells the patterns: its rule, `shell` when a shell ran. A
 * shell's connection is a reverse shell unless its peer was being scanned (a
 * scan from a shell loop connects from the shell). Returns whether the
 * signals changed.
 */
function see(story: Story, audit: Audit): boolean {
  const { seen } = story;
  const size = seen.size;
  const reverse = seen.has('reverse-shell');
  if (audit.rule === 'reverse-shell') {
    const peer = audit.event.kind === 'connect' ? audit.event.network?.remoteAddress : undefined;
    if (peer === undefined) story.reverseExec = true;
    else if (!story.scanned.has(peer)) story.shellPeers.add(peer);
  } else {
    if (audit.rule === 'port-scan' && audit.event.network?.remoteAddress !== undefined) {
      story.scanned.add(audit.event.network.remoteAddress);
      story.shellPeers.delete(audit.event.network.remoteAddress);
    }
    seen.add(audit.rule);
  }
  if (story.reverseExec || story.shellPeers.size > 0) seen.add('reverse-shell');
  else seen.delete('reverse-shell');
  if (audit.rule === 'shell-from-server' || (audit.rule === 'unexpected-process' && SHELLS.has(programOf(audit.event)))) seen.add('shell');
  if (audit.rule === 'unexpected-write' && SYSTEM_FOLDERS.test(audit.event.file?.path ?? '')) seen.add('system-write');
  return seen.size !== size || seen.has('reverse-shell') !== reverse;
}

/**
 * How audits fold into one timeline line: by rule, program and what they did
 * it to (a peer, a folder, DNS, syscalls), with what varies as the value; an
 * exec, or anything else, by its message.
 */
function foldOf(audit: Audit): { key: string; value?: string; noun: string; of?: string } {
  const e = audit.event;
  const program = e.process?.path ?? e.process?.name ?? '';
  const head = `${audit.rule}\0${program}\0`;
  if (e.kind !== 'exec' && e.network?.remoteAddress !== undefined) {
    return { key: `${head}a${e.network.remoteAddress}`, value: String(e.network.remotePort ?? '?'), noun: 'ports', of: e.network.remoteAddress };
  }
  if (e.kind === 'dns' && e.dns?.names[0] !== undefined) return { key: `${head}dns`, value: e.dns.names[0], noun: 'names' };
  if ((e.kind === 'write' || e.kind === 'open') && e.file?.path !== undefined) {
    const slash = e.file.path.lastIndexOf('/');
    const folder = slash <= 0 ? '/' : e.file.path.slice(0, slash);
    return { key: `${head}f${folder}`, value: e.file.path.slice(slash + 1), noun: 'files', of: folder };
  }
  if (e.kind === 'syscall' && e.syscall !== undefined) return { key: `${head}syscall`, value: e.syscall, noun: 'syscalls' };
  if (e.kind === 'capability' && e.capability !== undefined) return { key: `${head}capability`, value: e.capability, noun: 'capabilities' };
  return { key: `${audit.rule}\0${audit.message}`, noun: 'times' };
}

/** A span of time, said briefly: 850 ms, 2 s, 3 min. */
function span(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

/** A folded line's distinct values and summary, from the values seen. */
function summarise(folded: Line): void {
  const { line, values } = folded;
  if (values.size < 2) return;
  line.distinct = values.size;
  if (line.values === undefined || line.values.length < Math.min(values.size, VALUES_SAID)) line.values = [...values].slice(0, VALUES_SAID);
  const ms = Date.parse(line.lastTime) - Date.parse(line.time);
  line.summary = `${values.size}${values.size >= VALUES_COUNTED ? '+' : ''} ${folded.noun}${folded.of !== undefined ? ` of ${folded.of}` : ''} in ${span(ms)}`;
}

/** An audit into its story: its timeline line (new, or one more of a folded one), techniques, lacked entry, counts. */
function record(story: Story, audit: Audit): void {
  const fold = foldOf(audit);
  const same = story.lines.get(fold.key);
  if (same !== undefined) {
    const { line } = same;
    line.count++;
    if (audit.time > line.lastTime) line.lastTime = audit.time;
    if (severityRank(audit.severity) > severityRank(line.severity)) line.severity = audit.severity;
    if (fold.value !== undefined && same.values.size < VALUES_COUNTED) same.values.add(fold.value);
    summarise(same);
  } else {
    const line: Incident['timeline'][number] = { audit: audit.id, time: audit.time, lastTime: audit.time, rule: audit.rule, severity: audit.severity, message: audit.message, count: 1 };
    story.lines.set(fold.key, { line, values: new Set(fold.value === undefined ? [] : [fold.value]), noun: fold.noun, of: fold.of });
    story.timeline.push(line);
    // audits come in time order, nearly always: sort only when one did not
    if (story.timeline.length > 1 && story.timeline.at(-2)!.time > audit.time) story.timeline.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }
  if (audit.technique !== undefined && !story.techniques.has(audit.technique.id)) story.techniques.set(audit.technique.id, audit.technique);
  if (audit.lacked !== undefined && story.lacked.size < VALUES_SAID) {
    const key = `${audit.lacked.dimension}\0${audit.lacked.entry}`;
    if (!story.lacked.has(key)) story.lacked.set(key, { dimension: audit.lacked.dimension, entry: audit.lacked.entry });
  }
  story.count++;
  if (severityRank(audit.severity) > severityRank(story.severity)) story.severity = audit.severity;
  if (audit.time > story.lastSeen) story.lastSeen = audit.time;
  if (audit.time < story.firstSeen) story.firstSeen = audit.time;
}
