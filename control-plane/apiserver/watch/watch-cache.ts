/**
 * The watch cache of one resource prefix: a single store.watch shared by
 * every watcher of the resource, started lazily on the first watch, and a
 * bounded history of recent events (by count and age) so that watches from
 * a recent resourceVersion resume without touching the store.
 *
 * Contract: subscribe(from) delivers every event with revision > from, in
 * order and without gaps — history first, synchronously, then live events
 * as the store reports them. It returns undefined when `from` is older
 * than the history, and the caller watches the store directly instead.
 * If the store watch fails, every subscriber gets the error once and the
 * cache restarts on the next subscription.
 */
import type { Clock } from '../../api/meta.js';
import type { Store, WatchHandle } from '../../storage/store.js';
import { cacheEventFromStore, type CacheEvent } from './cache-event.js';

export interface WatchCacheOptions {
  maxEvents: number;
  maxAgeMs: number;
  clock: Clock;
}

export interface CacheSubscriber {
  onEvent(ev: CacheEvent): void;
  onError(err: Error): void;
}

export interface CacheSubscription {
  close(): void;
}

interface Held {
  ev: CacheEvent;
  at: number;
}

export class WatchCache {
  private history: Held[] = [];
  private head = 0;
  /** Every event with a revision above this one is in the history. */
  private historyStart = 0;
  private last = 0;
  private readonly subscribers = new Set<CacheSubscriber>();
  private handle: WatchHandle | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly opts: WatchCacheOptions,
  ) {}

  /** The newest revision the cache has caught up to (for bookmarks). */
  get lastRevision(): number {
    return this.last;
  }

  /** The oldest revision a subscription may start from. */
  get oldestRevision(): number {
    return this.historyStart;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  ensureStarted(): Promise<void> {
    if (this.handle) return Promise.resolve();
    if (!this.starting) {
      this.starting = (async () => {
        try {
          const rev = await this.store.currentRevision();
          this.history = [];
          this.head = 0;
          this.historyStart = rev;
          this.last = rev;
          this.handle = this.store.watch(this.prefix, rev, {
            onEvents: (evs) => this.onEvents(evs.map(cacheEventFromStore)),
            onError: (err) => this.onError(err),
          });
        } finally {
          this.starting = undefined;
        }
      })();
    }
    return this.starting;
  }

  subscribe(from: number, sub: CacheSubscriber): CacheSubscription | undefined {
    if (!this.handle || from < this.historyStart) return undefined;
    for (let i = this.firstAfter(from); i < this.history.length; i++) sub.onEvent((this.history[i] as Held).ev);
    this.subscribers.add(sub);
    return { close: () => void this.subscribers.delete(sub) };
  }

  /** Index of the first held event with revision > rev (binary search). */
  private firstAfter(rev: number): number {
    let lo = this.head;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid] as Held).ev.revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private onEvents(evs: CacheEvent[]): void {
    const now = this.opts.clock.now().getTime();
    for (const ev of evs) {
      if (ev.revision <= this.last) continue;
      this.history.push({ ev, at: now });
      this.last = ev.revision;
      for (const s of this.subscribers) s.onEvent(ev);
    }
    this.trim(now);
  }

  private trim(now: number): void {
    while (this.history.length - this.head > this.opts.maxEvents || (this.head < this.history.length && (this.history[this.head] as Held).at < now - this.opts.maxAgeMs)) {
      this.historyStart = (this.history[this.head] as Held).ev.revision;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.history.length) {
      this.history = this.history.slice(this.head);
      this.head = 0;
    }
  }

  private onError(err: Error): void {
    this.handle = undefined;
    const subs = [...this.subscribers];
    this.subscribers.clear();
    for (const s of subs) s.onError(err);
  }

  stop(): void {
    this.handle?.close();
    this.handle = undefined;
    const subs = [...this.subscribers];
    this.subscribers.clear();
    for (const s of subs) s.onError(new Error('watch cache stopped'));
  }
}
