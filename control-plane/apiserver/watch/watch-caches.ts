/** One WatchCache per storage prefix, created on first use; closeAll stops them (server shutdown). */
import type { ResourceEntry } from '../../api/resource-table.js';
import type { Store } from '../../storage/store.js';
import { WatchCache, type WatchCacheOptions } from './watch-cache.js';

export class WatchCaches {
  private readonly caches = new Map<string, WatchCache>();

  constructor(
    private readonly store: Store,
    private readonly opts: WatchCacheOptions,
  ) {}

  forEntry(entry: ResourceEntry): WatchCache {
    const prefix = entry.storagePrefix ?? '';
    let c = this.caches.get(prefix);
    if (!c) {
      c = new WatchCache(this.store, prefix, this.opts);
      this.caches.set(prefix, c);
    }
    return c;
  }

  closeAll(): void {
    for (const c of this.caches.values()) c.stop();
    this.caches.clear();
  }
}
