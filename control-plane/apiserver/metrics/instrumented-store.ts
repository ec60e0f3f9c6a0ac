/**
 * A Store decorator that counts and times every operation into
 * ServerMetrics. It implements Store itself, so main.ts wraps the real
 * store once and nothing else changes. Results are `ok` or the thrown
 * catalogue code (`SKIFF_NOT_FOUND`, ...), `error` for anything else.
 */
import { performance } from 'node:perf_hooks';
import { isApiError } from '../../api/errors.js';
import type { ListOptions, ListResult, Store, StoreEntry, WatchCallbacks, WatchHandle } from '../../storage/store.js';
import type { ServerMetrics } from './api-metrics.js';

/** Monotonic milliseconds; injectable so tests can pin durations. */
export type MonotonicClock = () => number;

export function instrumentStore(inner: Store, metrics: ServerMetrics, now: MonotonicClock = () => performance.now()): Store {
  async function timed<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const start = now();
    try {
      const out = await run();
      metrics.observeStorage(operation, 'ok', (now() - start) / 1000);
      return out;
    } catch (err) {
      metrics.observeStorage(operation, isApiError(err) ? err.code : 'error', (now() - start) / 1000);
      throw err;
    }
  }

  return {
    get: (key: string): Promise<StoreEntry | undefined> => timed('get', () => inner.get(key)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> => timed('list', () => inner.list(prefix, opts)),
    count: (prefix: string): Promise<number> => timed('count', () => inner.count(prefix)),
    create: (key: string, value: string): Promise<StoreEntry> => timed('create', () => inner.create(key, value)),
    update: (key: string, value: string, expectedRevision?: number): Promise<StoreEntry> =>
      timed('update', () => inner.update(key, value, expectedRevision)),
    delete: (key: string, expectedRevision?: number): Promise<StoreEntry> => timed('delete', () => inner.delete(key, expectedRevision)),
    watch(prefix: string, fromRevision: number, cb: WatchCallbacks): WatchHandle {
      metrics.observeStorage('watch', 'ok', 0);
      metrics.storageWatchOpened();
      let open = true;
      const closeOnce = () => {
        if (!open) return;
        open = false;
        metrics.storageWatchClosed();
      };
      const handle = inner.watch(prefix, fromRevision, {
        onEvents: (events) => cb.onEvents(events),
        onError: (err) => {
          closeOnce();
          cb.onError(err);
        },
      });
      return {
        close() {
          closeOnce();
          handle.close();
        },
      };
    },
    currentRevision: () => timed('current_revision', () => inner.currentRevision()),
    compactedRevision: () => timed('compacted_revision', () => inner.compactedRevision()),
    compact: (revision: number) => timed('compact', () => inner.compact(revision)),
    close: () => inner.close(),
  };
}
