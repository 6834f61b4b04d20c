import type { NftablesRuleset } from '../enforce/index.ts';
import { run } from './run.ts';

/** The table Tenet keeps in a container's network namespace. */
const TABLE = 'inet tenet';

/**
 * Network prevention: an nftables table inside each prevented container's own
 * network namespace (entered with nsenter), replaced in one transaction when
 * its model changes, deleted when the container leaves prevent. A container
 * that stops takes its namespace, and the table, with it: nothing stays on
 * the host.
 */
export class NetworkGuard {
  private readonly held = new Map<string, { pid: number; text: string; out: boolean; anyPeer: ReadonlySet<string> }>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly onDiagnostic: (line: string) => void;

  constructor(onDiagnostic: (line: string) => void) {
    this.onDiagnostic = onDiagnostic;
  }

  /** Holds a container's network to a ruleset (undefined: lets it go). Changes to one container are applied in order. */
  hold(id: string, pid: number, ruleset: NftablesRuleset | undefined): Promise<void> {
    const current = this.held.get(id);
    if (ruleset?.text === current?.text) return this.queues.get(id) ?? Promise.resolve();
    const next = (this.queues.get(id) ?? Promise.resolve()).then(async () => {
      if (ruleset === undefined) {
        this.held.delete(id);
        await run('nsenter', ['-t', String(pid), '-n', 'nft', 'delete', 'table', ...TABLE.split(' ')]);
        return;
      }
      // the table declared, deleted and made again in one transaction: never a moment without it
      await run('nsenter', ['-t', String(pid), '-n', 'nft', '-f', '-'], `table ${TABLE} {}\ndelete table ${TABLE}\n${ruleset.text}`);
      this.held.set(id, { pid, text: ruleset.text, out: ruleset.directions.out, anyPeer: new Set(ruleset.anyPeer) });
    }).catch((e: Error) => {
      this.held.delete(id);
      this.onDiagnostic(`network guard: ${e.message}`);
    });
    this.queues.set(id, next);
    return next;
  }

  /** Whether a connection out of a held container is dropped: its way out held, and its port not open to any peer. */
  drops(id: string, protocol: string, port: number): boolean {
    const held = this.held.get(id);
    return held !== undefined && held.out && !held.anyPeer.has(`${protocol}/${port}`);
  }

  get containers(): number {
    return this.held.size;
  }

  /** A container that stopped: its namespace is gone, and the table with it. */
  forget(id: string): void {
    this.held.delete(id);
    this.queues.delete(id);
  }

  /** Lets every held container go (the defender stops). */
  async release(): Promise<void> {
    await Promise.all([...this.held].map(([id, h]) => this.hold(id, h.pid, undefined)));
  }
}
