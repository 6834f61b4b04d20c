import type { RuntimeEvent } from '../../model/index.ts';
import { dropsOut, type NftablesRuleset } from '../generators/index.ts';
import type { Action, EnforcedContainer, Enforcer } from './enforcer.ts';
import { ADOPTED, NamespaceGuard, run } from './namespace-guard.ts';
import type { EnforcerStatus } from './status.ts';

/** The table Tenet keeps in a container's network namespace. */
const TABLE = 'inet tenet';

interface Held {
  pid: number;
  key: string;
  directions: { out: boolean };
  anyPeer: readonly string[];
}

const DROPPED: Action = { taken: 'connection-dropped', detail: 'the container\'s nftables table drops it; the process lives on' };

/**
 * Network prevention: an nftables table inside each prevented container's own
 * network namespace (entered with nsenter), replaced in one transaction when
 * its model changes, deleted when the container leaves prevent. A container
 * that stops takes its namespace, and the table, with it: nothing stays on
 * the host. A table a defender before this one left stays in force until
 * this one replaces it or takes it away.
 */
export class NetworkGuard extends NamespaceGuard<NftablesRuleset, Held> implements Enforcer<NftablesRuleset> {
  readonly name = 'network guard';

  protected async hold(container: EnforcedContainer, ruleset: NftablesRuleset): Promise<Held> {
    // the table declared, deleted and made again in one transaction: never a moment without it
    await run('nsenter', ['-t', String(container.pid), '-n', 'nft', '-f', '-'], `table ${TABLE} {}\ndelete table ${TABLE}\n${ruleset.text}`);
    return { pid: container.pid, key: ruleset.text, directions: { out: ruleset.directions.out }, anyPeer: ruleset.anyPeer };
  }

  protected async letGo(_id: string, held: Held): Promise<void> {
    await run('nsenter', ['-t', String(held.pid), '-n', 'nft', 'delete', 'table', ...TABLE.split(' ')]);
  }

  /** Tables left in running containers' namespaces are taken over: they stay in force until the first apply. */
  async adopt(containers: readonly EnforcedContainer[]): Promise<void> {
    await Promise.all(containers.map(async (c) => {
      const found = await run('nsenter', ['-t', String(c.pid), '-n', 'nft', 'list', 'table', ...TABLE.split(' ')]).then(() => true, () => false);
      // what it drops is unknown until it is replaced: taken as dropping every way out
      if (found) this.take(c, { pid: c.pid, key: ADOPTED, directions: { out: true }, anyPeer: [] });
    }));
  }

  /** A connection out of a held container is dropped when its table drops it (see dropsOut: DNS and loopback pass). */
  stops(container: string, event: RuntimeEvent): Action | undefined {
    const held = this.holding.get(container);
    return held !== undefined && dropsOut(held, event) ? DROPPED : undefined;
  }

  status(): EnforcerStatus {
    return { networkGuard: { containers: this.held } };
  }
}
