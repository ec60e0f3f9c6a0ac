/**
 * WatchHub: in-process fan-out of committed store events to watchers.
 *
 * Contract: a watcher is registered together with the history events that
 * precede it (read by the caller in the same synchronous step in which it
 * registers, so no committed write can fall between history and live
 * events). The hub then delivers, asynchronously and in order, the history
 * followed by every event published afterwards under the watcher's prefix.
 * Nothing is delivered after a handle is closed; `onError` is delivered at
 * most once and ends the watch.
 */
import type { StoreEvent, WatchCallbacks, WatchHandle } from './store.js';

class HubWatcher implements WatchHandle {
  private queue: StoreEvent[][] = [];
  private scheduled = false;
  private closed = false;
  private pendingError: Error | undefined;

  constructor(
    readonly prefix: string,
    private readonly cb: WatchCallbacks,
    private readonly onClose: (w: HubWatcher) => void,
  ) {}

  matches(key: string): boolean {
    return key.startsWith(this.prefix);
  }

  push(events: StoreEvent[]): void {
    if (this.closed || this.pendingError || events.length === 0) return;
    this.queue.push(events);
    this.schedule();
  }

  fail(err: Error): void {
    if (this.closed || this.pendingError) return;
    this.pendingError = err;
    this.schedule();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.onClose(this);
  }

  // Delivery is deferred so callbacks never run inside watch() or inside a
  // store commit, and so a slow consumer cannot reorder batches.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    while (!this.closed && this.queue.length > 0) {
      const batch = this.queue.shift();
      if (!batch) continue;
      try {
        this.cb.onEvents(batch);
      } catch (e) {
        // A consumer that throws cannot be trusted with further events.
        this.queue = [];
        this.pendingError = e instanceof Error ? e : new Error(String(e));
      }
    }
    if (!this.closed && this.pendingError) {
      const err = this.pendingError;
      this.close();
      this.cb.onError(err);
    }
  }
}

export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();

  /** Registers a watcher; `history` is delivered before any later publish. */
  add(prefix: string, cb: WatchCallbacks, history: StoreEvent[]): WatchHandle {
    const w = new HubWatcher(prefix, cb, (x) => this.watchers.delete(x));
    this.watchers.add(w);
    w.push(history);
    return w;
  }

  /** A watch that fails before it starts (e.g. Expired): only onError is called. */
  failed(cb: WatchCallbacks, err: Error): WatchHandle {
    const w = new HubWatcher('', cb, () => undefined);
    w.fail(err);
    return w;
  }

  /** Publishes one commit's events (in revision order) to matching watchers. */
  publish(events: StoreEvent[]): void {
    if (events.length === 0 || this.watchers.size === 0) return;
    for (const w of this.watchers) {
      const mine = events.filter((e) => w.matches(e.key));
      if (mine.length > 0) w.push(mine);
    }
  }

  /** Ends every watch with `err` (store shutdown). */
  failAll(err: Error): void {
    for (const w of [...this.watchers]) w.fail(err);
  }

  get size(): number {
    return this.watchers.size;
  }
}
