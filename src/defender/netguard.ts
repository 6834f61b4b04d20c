import type { NftablesRuleset } from '../enforce/index.ts';
import { NamespaceGuard, run } from './namespace-guard.ts';

/** The table Tenet keeps in a container's network namespace. */
const TABLE = 'inet tenet';

/**
 * Network prevention: an nftables table inside each prevented container's own
 * network namespace (entered with nsenter), replaced in one transaction when
 * its model changes, deleted when the container leaves prevent. A container
 * that stops takes its namespace, and the table, with it: nothing stays on
 * the host.
 */
export class NetworkGuard extends NamespaceGuard<{ pid: number; text: string; out: boolean; anyPeer: ReadonlySet<string> }, NftablesRuleset> {
  constructor(onDiagnostic: (line: string) => void) {
    super('network guard', onDiagnostic);
  }

  /** Holds a container's network to a ruleset (undefined: lets it go). */
  hold(id: string, pid: number, ruleset: NftablesRuleset | undefined): Promise<void> {
    if (ruleset?.text === this.held.get(id)?.text) return this.pending(id);
    return this.change(id, async () => {
      if (ruleset === undefined) {
        this.held.delete(id);
        await run('nsenter', ['-t', String(pid), '-n', 'nft', 'delete', 'table', ...TABLE.split(' ')]);
        return;
      }
      // the table declared, deleted and made again in one transaction: never a moment without it
      await run('nsenter', ['-t', String(pid), '-n', 'nft', '-f', '-'], `table ${TABLE} {}\ndelete table ${TABLE}\n${ruleset.text}`);
      this.held.set(id, { pid, text: ruleset.text, out: ruleset.directions.out, anyPeer: new Set(ruleset.anyPeer) });
    });
  }

  /** Whether a connection out of a held container is dropped: its way out held, and its port not open to any peer. */
  drops(id: string, protocol: string, port: number): boolean {
    const held = this.held.get(id);
    return held !== undefined && held.out && !held.anyPeer.has(`${protocol}/${port}`);
  }
}
