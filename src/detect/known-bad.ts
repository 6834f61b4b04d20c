import { RuntimeEventKind, type Audit, type RuntimeEvent } from '../model/index.ts';
import { containerOf, who, type AuditContext } from './audits.ts';
import { ProgramNames, type Check, type CheckContext, type Rule, type RuleContext } from './rule.ts';
import { KNOWN_BAD_RULES } from './rules/index.ts';
import { SCAN_WINDOW_MS } from './rules/port-scan.ts';

/** Known-bad rules that read one event kind, with their checks of that kind side by side. */
interface KindChecks {
  readonly rules: readonly Rule[];
  readonly checks: readonly Check[];
}

const checksOf = (kind: RuntimeEventKind): KindChecks => {
  const rules = KNOWN_BAD_RULES.filter((rule) => rule.detect?.[kind] !== undefined);
  return { rules, checks: rules.map((rule) => rule.detect![kind]!) };
};
const BY_KIND = Object.fromEntries(RuntimeEventKind.options.map((kind) => [kind, checksOf(kind)])) as Readonly<Record<RuntimeEventKind, KindChecks>>;
const { exec: EXEC, exit: EXIT, connect: CONNECT, accept: ACCEPT, listen: LISTEN, dns: DNS, open: OPEN, write: WRITE, syscall: SYSCALL, capability: CAPABILITY, alert: ALERT } = BY_KIND;

/**
 * The known-bad checks of an event's kind, for the hot path: by a switch on
 * the kind, which V8 runs faster than it reads an object or a map by a key
 * known only at run time (a syscall event is checked in a quarter less time).
 */
function knownBadOf(kind: RuntimeEventKind): KindChecks {
  switch (kind) {
    case 'syscall': return SYSCALL;
    case 'write': return WRITE;
    case 'exec': return EXEC;
    case 'connect': return CONNECT;
    case 'dns': return DNS;
    case 'open': return OPEN;
    case 'accept': return ACCEPT;
    case 'listen': return LISTEN;
    case 'exit': return EXIT;
    case 'capability': return CAPABILITY;
    case 'alert': return ALERT;
  }
}

/**
 * What the checks of the event at hand share: its program, found when a check
 * first asks for it, and whether the model knows that program, asked once.
 * One, reused event after event, so that checking allocates nothing.
 */
class EventContext implements CheckContext {
  private readonly names = new ProgramNames();
  private readonly peers = new PeerPorts();
  private event: RuntimeEvent | undefined;
  private context: RuleContext | undefined;
  private name: string | undefined;
  private known: boolean | undefined;
  private scan: { ports: number; ms: number } | undefined;

  of(event: RuntimeEvent, context: RuleContext): this {
    this.event = event;
    this.context = context;
    this.name = undefined;
    this.known = undefined;
    this.scan = undefined;
    return this;
  }

  get program(): string {
    return (this.name ??= this.names.of(this.event!));
  }

  get ancestors(): readonly string[] {
    return this.context!.ancestors;
  }

  knownProcess(): boolean {
    return (this.known ??= this.context!.knownProcess());
  }

  peerPorts(): { ports: number; ms: number } {
    return (this.scan ??= this.peers.reached(this.event!));
  }
}

/** Past this many peers watched, those whose window is over are forgotten. */
const PEERS_KEPT = 4096;

/**
 * The ports of each peer a container reached within the scan window: a scan
 * is many ports of one peer in a short time, whichever processes made the
 * connections (a shell loop starts one `nc` per port).
 */
class PeerPorts {
  private readonly peers = new Map<string, { first: number; ports: Set<number> }>();

  reached(event: RuntimeEvent): { ports: number; ms: number } {
    const at = Date.parse(event.time);
    const key = `${event.container?.id ?? ''}\0${event.network?.remoteAddress ?? ''}`;
    let peer = this.peers.get(key);
    if (peer === undefined || at - peer.first > SCAN_WINDOW_MS) {
      if (peer === undefined && this.peers.size >= PEERS_KEPT) this.forget(at);
      peer = { first: at, ports: new Set() };
      this.peers.set(key, peer);
    }
    peer.ports.add(event.network?.remotePort ?? 0);
    return { ports: peer.ports.size, ms: at - peer.first };
  }

  private forget(at: number): void {
    for (const [key, peer] of this.peers) if (at - peer.first > SCAN_WINDOW_MS) this.peers.delete(key);
    if (this.peers.size >= PEERS_KEPT) this.peers.clear();
  }
}

/**
 * The known-bad rules, checked on every event in every state: one audit per
 * rule that fires, whatever the model says. One per defender (or dry run): it
 * keeps the scratch of the event at hand, so checking allocates nothing.
 */
export class KnownBad {
  private readonly shared = new EventContext();

  audits(event: RuntimeEvent, ruleContext: RuleContext, context: () => AuditContext): readonly Audit[] {
    const { rules, checks } = knownBadOf(event.kind);
    if (checks.length === 0) return NONE;
    const shared = this.shared.of(event, ruleContext);
    let audits: Audit[] | undefined;
    for (let i = 0; i < checks.length; i++) {
      const evidence = checks[i]!(event, shared);
      if (evidence === undefined) continue;
      const rule = rules[i]!;
      const c = context();
      (audits ??= []).push({
        id: c.id, time: event.time, rule: rule.id, severity: rule.severity, technique: rule.technique,
        message: `${who(event)}: ${rule.title.toLowerCase()}: ${evidence}`,
        container: containerOf(event),
        ...(c.model !== undefined && { model: c.model }),
        ...(c.modelState !== undefined && { modelState: c.modelState }),
        event,
      });
    }
    return audits ?? NONE;
  }
}

/**
 * What most events fire: nothing (shared, so the hot path allocates nothing).
 * Read-only by its type, not frozen: V8 iterates a frozen array several times
 * slower, and every caller loops over what a check returns.
 */
const NONE: readonly Audit[] = [];
