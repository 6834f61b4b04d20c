import { IntelIndex } from '../intel/index.ts';
import type { FeedStore } from '../store/index.ts';
import { loadFeed } from './feeds.ts';

/**
 * Threat intelligence from the store's feeds: the index built again when the
 * feeds change (a `tenet intel load`, the console's), and feeds that say how
 * often to load them again loaded in the background when due.
 */
export class IntelFeeds {
  index = new IntelIndex([]);
  private version = '';
  private readonly reloading = new Set<string>();
  private readonly store: FeedStore;
  private readonly log: (line: string) => void;

  constructor(store: FeedStore, log: (line: string) => void) {
    this.store = store;
    this.log = log;
  }

  /** Reads the feeds' summaries; builds the index again if they changed; starts the loads that are due. */
  async refresh(now: number): Promise<void> {
    const feeds = await this.store.feeds();
    const version = feeds.map((f) => `${f.name}@${f.loadedAt}`).join('|');
    if (version !== this.version) {
      this.index = new IntelIndex(await this.store.feedIndicators());
      this.version = version;
      this.log(`threat intelligence: ${this.index.size} indicators from ${feeds.length} feeds`);
    }
    for (const feed of feeds) {
      if (feed.everySec === undefined || this.reloading.has(feed.name) || now - Date.parse(feed.loadedAt) < feed.everySec * 1000) continue;
      this.reloading.add(feed.name);
      loadFeed(feed.source, { name: feed.name, everySec: feed.everySec })
        .then((loaded) => this.store.putFeed(loaded))
        .finally(() => this.reloading.delete(feed.name))
        .catch((e: Error) => this.log(`threat intelligence: ${e.message}; the last load of ${feed.name} stays`));
    }
  }
}
