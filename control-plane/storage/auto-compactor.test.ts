import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAutoCompaction, type CompactorTimers } from './auto-compactor.js';

/** Timers driven by the test: `fire()` runs the interval callback once. */
function manualTimers(): CompactorTimers & { fire(): void; cleared: boolean; ms: number } {
  let fn: (() => void) | undefined;
  const t = {
    cleared: false,
    ms: 0,
    setInterval(f: () => void, ms: number) {
      fn = f;
      t.ms = ms;
      return 1;
    },
    clearInterval() {
      t.cleared = true;
    },
    fire() {
      fn?.();
    },
  };
  return t;
}

/** A revision counter that records compactions, standing in for a Store. */
function revisions(start: number) {
  const s = { rev: start, compacted: [] as number[] };
  return {
    s,
    store: {
      currentRevision: async () => s.rev,
      compact: async (r: number) => void s.compacted.push(r),
    },
  };
}

test('each tick compacts to the revision seen one interval earlier', async () => {
  const timers = manualTimers();
  const { s, store } = revisions(10);
  const c = startAutoCompaction(store, { intervalMs: 1234, timers });
  assert.equal(timers.ms, 1234);
  await c.tick();
  assert.deepEqual(s.compacted, [], 'the first tick only remembers the revision');
  s.rev = 25;
  await c.tick();
  s.rev = 40;
  timers.fire();
  await c.tick();
  assert.deepEqual(s.compacted, [10, 25, 40]);
  await c.stop();
  assert.equal(timers.cleared, true);
});

test('a failing compaction is reported and the loop goes on', async () => {
  const timers = manualTimers();
  const errors: unknown[] = [];
  let fail = true;
  const compacted: number[] = [];
  const store = {
    currentRevision: async () => 7,
    compact: async (r: number) => {
      if (fail) throw new Error('disk full');
      compacted.push(r);
    },
  };
  const c = startAutoCompaction(store, { timers, onError: (e) => errors.push(e) });
  await c.tick();
  await c.tick();
  fail = false;
  await c.tick();
  assert.equal(errors.length, 1);
  assert.deepEqual(compacted, [7]);
  await c.stop();
  await c.tick();
  assert.deepEqual(compacted, [7], 'no compaction after stop');
});
