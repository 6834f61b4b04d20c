/**
 * The names of the peers containers connect to. Each DNS name a container
 * asks is resolved again by the defender through the container's own DNS
 * servers (its resolv.conf), and the addresses of the answer are bound to
 * the name for that container; a connection to a bound address is known by
 * its name. An in-cluster Service keeps its name while its ClusterIP changes
 * with every recreate, and a model that keeps the name holds across them. A
 * query alone never names a connection: only an answer that has the address.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Host, ResolverConf } from '../runtime/index.ts';

/** The addresses a name has, and how long the answer holds; `failed` when the servers did not answer (nothing is known). */
export interface Resolved {
  addresses: string[];
  ttlSec: number;
  failed?: boolean;
}

/** Resolves names through given DNS servers: the real DNS, or a twin in tests, or the answers of a recording. */
export interface NameResolver {
  resolve(servers: readonly string[], name: string): Promise<Resolved>;
  /** Cancels what is under way (its answers come as failures). */
  close(): void;
}

/** How long an answer of no address (a name that does not exist) holds before the name is asked again. */
const NEGATIVE_TTL_SEC = 60;
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA', 'NOTFOUND', 'NODATA']);

/** Names resolved through the real DNS (c-ares, Node's resolver): A and AAAA at once, one try, each within `timeoutMs`. */
export class DnsResolver implements NameResolver {
  private readonly resolvers = new Map<string, Resolver>();
  private readonly timeoutMs: number;

  constructor(timeoutMs = 1_000) {
    this.timeoutMs = timeoutMs;
  }

  async resolve(servers: readonly string[], name: string): Promise<Resolved> {
    const key = servers.join(' ');
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      resolver = new Resolver({ timeout: this.timeoutMs, tries: 1 });
      resolver.setServers([...servers]);
      this.resolvers.set(key, resolver);
    }
    const answers = await Promise.allSettled([resolver.resolve4(name, { ttl: true }), resolver.resolve6(name, { ttl: true })]);
    const records = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []));
    const failed = answers.every((a) => a.status === 'rejected' && !NO_ADDRESS.has((a.reason as NodeJS.ErrnoException).code ?? ''));
    if (failed) return { addresses: [], ttlSec: 0, failed: true };
    return { addresses: records.map((r) => r.address), ttlSec: records.length === 0 ? NEGATIVE_TTL_SEC : Math.min(...records.map((r) => r.ttl)) };
  }

  close(): void {
    for (const resolver of this.resolvers.values()) resolver.cancel();
    this.resolvers.clear();
  }
}

export interface PeerNamesOptions {
  /** The shortest time between two resolutions of one name for one container, ms (an address no name has asks them again). */
  againMs?: number;
  /** Names kept per container (the oldest asked forgotten past it). */
  maxNames?: number;
  /** Names kept per address. */
  maxNamesPerAddress?: number;
}

const DEFAULTS: Required<PeerNamesOptions> = { againMs: 2_000, maxNames: 256, maxNamesPerAddress: 4 };

interface AskedName {
  /** When the name may be resolved again. */
  due: number;
  resolving: boolean;
  /** The addresses of its last answer. */
  addresses: readonly string[];
}

interface ContainerNames {
  /** Its resolver configuration; undefined when the defender cannot reach its DNS servers. */
  conf: ResolverConf | undefined;
  /** The names it asked, in the order first asked. */
  asked: Map<string, AskedName>;
  /** The names each address is bound to, last bound first. */
  byAddress: Map<string, string[]>;
  /** Each name with the shorter forms the container's resolver completes to it. */
  forms: Map<string, readonly string[]>;
  inFlight: number;
  waiting: Array<() => void>;
}

/** Loopback servers (Docker's own DNS at 127.0.0.11, systemd-resolved) are the container's own: the defender cannot ask them. */
const reachable = (server: string) => isIP(server) !== 0 && !server.startsWith('127.') && server !== '::1';

/**
 * The peers' names of every container the defender follows, bound from the
 * answers the defender got for the names each container asked. Bounded per
 * container; nothing is kept of a container once it is forgotten.
 */
export class PeerNames {
  private readonly resolver: NameResolver | undefined;
  private readonly host: Host;
  private readonly options: Required<PeerNamesOptions>;
  private readonly containers = new Map<string, ContainerNames>();
  private closed = false;
  /** Resolutions made, and those that failed (the servers did not answer). */
  readonly counts = { resolved: 0, failed: 0 };

  /** `resolver` undefined: no name is resolved, no connection is named. */
  constructor(resolver: NameResolver | undefined, host: Host, options: PeerNamesOptions = {}) {
    this.resolver = resolver;
    this.host = host;
    this.options = { ...DEFAULTS, ...options };
  }

  /** A container asked a name (a DNS query the sensor saw): it is resolved, unless it was just now. */
  asked(container: string, pid: number, name: string, now: number): void {
    if (this.resolver === undefined) return;
    const c = this.of(container, pid);
    if (c.conf === undefined) return;
    const key = name.toLowerCase().replace(/\.$/, '');
    let asked = c.asked.get(key);
    if (asked === undefined) {
      if (c.asked.size >= this.options.maxNames) this.drop(c, c.asked.keys().next().value!);
      c.asked.set(key, asked = { due: 0, resolving: false, addresses: [] });
    }
    this.resolve(c, key, asked, now);
  }

  /**
   * The names of a peer's address for a container — the name asked first,
   * then the shorter forms its resolver completes to it — or undefined when
   * none has it; `wait` when an answer under way may have it (asked again for
   * an address no name has: a Service recreated, an answer the container
   * cached). `whenSettled` calls back once the answers are in.
   */
  namesOf(container: string, address: string, now: number, wait = true): readonly string[] | 'wait' | undefined {
    const c = this.containers.get(container);
    if (c === undefined || c.asked.size === 0) return undefined;
    const names = c.byAddress.get(address);
    if (names !== undefined) return names.length === 1 ? this.formsOf(c, names[0]!) : names.flatMap((n) => this.formsOf(c, n));
    if (!wait) return undefined;
    for (const [name, asked] of c.asked) this.resolve(c, name, asked, now);
    return c.inFlight > 0 ? 'wait' : undefined;
  }

  /** Calls back once no answer is under way for the container (at once when none is). */
  whenSettled(container: string, then: () => void): void {
    const c = this.containers.get(container);
    if (c === undefined || c.inFlight === 0) then();
    else c.waiting.push(then);
  }

  /** The addresses bound now for a container, by each form of each name (what its prevent table may let through). */
  addresses(container: string): ReadonlyMap<string, readonly string[]> {
    const c = this.containers.get(container);
    const out = new Map<string, string[]>();
    if (c === undefined) return out;
    for (const [name, asked] of c.asked) {
      if (asked.addresses.length === 0) continue;
      for (const form of this.formsOf(c, name)) out.set(form, [...(out.get(form) ?? []), ...asked.addresses]);
    }
    return out;
  }

  /** A container is gone: what was bound for it goes, and whatever waited for its answers is called. */
  forget(container: string): void {
    const c = this.containers.get(container);
    this.containers.delete(container);
    if (c !== undefined) this.settle(c, true);
  }

  /** Stops: answers under way are cancelled, and everything waiting is called now. */
  close(): void {
    this.closed = true;
    for (const c of this.containers.values()) this.settle(c, true);
    this.resolver?.close();
  }

  private of(container: string, pid: number): ContainerNames {
    let c = this.containers.get(container);
    if (c === undefined) {
      const conf = this.host.resolver(pid);
      const servers = conf?.servers.filter(reachable) ?? [];
      c = { conf: conf === undefined || servers.length === 0 ? undefined : { servers, search: conf.search }, asked: new Map(), byAddress: new Map(), forms: new Map(), inFlight: 0, waiting: [] };
      this.containers.set(container, c);
    }
    return c;
  }

  private resolve(c: ContainerNames, name: string, asked: AskedName, now: number): void {
    if (this.closed || this.resolver === undefined || c.conf === undefined || asked.resolving || now < asked.due) return;
    asked.resolving = true;
    c.inFlight++;
    void this.resolver.resolve(c.conf.servers, name).then(
      (answer) => this.answered(c, name, asked, answer, now),
      () => this.answered(c, name, asked, { addresses: [], ttlSec: 0, failed: true }, now),
    );
  }

  private answered(c: ContainerNames, name: string, asked: AskedName, answer: Resolved, at: number): void {
    asked.resolving = false;
    c.inFlight--;
    if (answer.failed === true) this.counts.failed++;
    else this.counts.resolved++;
    // a failure keeps what was known; a name that does not exist is asked again only after a while
    asked.due = at + (answer.failed === true ? this.options.againMs : answer.addresses.length === 0 ? Math.max(this.options.againMs, NEGATIVE_TTL_SEC * 1000) : this.options.againMs);
    if (answer.failed !== true && c.asked.get(name) === asked) {
      this.unbind(c, name, asked.addresses.filter((a) => !answer.addresses.includes(a)));
      asked.addresses = answer.addresses;
      for (const address of answer.addresses) {
        const names = c.byAddress.get(address)?.filter((n) => n !== name) ?? [];
        names.unshift(name);
        c.byAddress.set(address, names.slice(0, this.options.maxNamesPerAddress));
      }
    }
    if (c.inFlight === 0) this.settle(c, false);
  }

  private unbind(c: ContainerNames, name: string, addresses: readonly string[]): void {
    for (const address of addresses) {
      const names = c.byAddress.get(address)?.filter((n) => n !== name);
      if (names === undefined || names.length === 0) c.byAddress.delete(address);
      else c.byAddress.set(address, names);
    }
  }

  private drop(c: ContainerNames, name: string): void {
    this.unbind(c, name, c.asked.get(name)?.addresses ?? []);
    c.asked.delete(name);
    c.forms.delete(name);
  }

  private settle(c: ContainerNames, all: boolean): void {
    if (!all && c.inFlight > 0) return;
    const waiting = c.waiting;
    c.waiting = [];
    for (const then of waiting) then();
  }

  /** A name and the shorter forms that the container's search domains complete to it (`api` for `api.shop.svc.cluster.local`). */
  private formsOf(c: ContainerNames, name: string): readonly string[] {
    let forms = c.forms.get(name);
    if (forms === undefined) {
      const shorter = (c.conf?.search ?? []).filter((d) => name.endsWith(`.${d}`)).map((d) => name.slice(0, -d.length - 1));
      c.forms.set(name, forms = [name, ...shorter]);
    }
    return forms;
  }
}
