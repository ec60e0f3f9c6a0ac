/**
 * Periodic compaction, as the upstream apiserver does every 5 minutes.
 *
 * Contract: each tick compacts to the revision observed at the previous
 * tick, so at least one interval of history always survives (watchers that
 * fall less than one interval behind can resume without a 410). Timers are
 * injectable for tests; they are unref'd so compaction never keeps a
 * process alive. Errors are reported to `onError` and do not stop the loop.
 */
import type { Store } from './store.js';

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

export interface CompactorTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface AutoCompactionOptions {
  intervalMs?: number;
  timers?: CompactorTimers;
  onError?: (err: unknown) => void;
}

export interface AutoCompactor {
  /** Runs one compaction step now (also what the timer calls). */
  tick(): Promise<void>;
  /** Stops the timer and waits for a running step to finish. */
  stop(): Promise<void>;
}

const realTimers: CompactorTimers = {
  setInterval: (fn, ms) => {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export function startAutoCompaction(
  store: Pick<Store, 'currentRevision' | 'compact'>,
  opts: AutoCompactionOptions = {},
): AutoCompactor {
  const timers = opts.timers ?? realTimers;
  let previous = 0;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const step = async (): Promise<void> => {
    const current = await store.currentRevision();
    if (previous > 0) await store.compact(previous);
    previous = current;
  };

  const tick = (): Promise<void> => {
    if (stopped) return running;
    running = running.then(step).catch((e: unknown) => opts.onError?.(e));
    return running;
  };

  const handle = timers.setInterval(() => void tick(), opts.intervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS);
  return {
    tick,
    async stop() {
      stopped = true;
      timers.clearInterval(handle);
      await running;
    },
  };
}
