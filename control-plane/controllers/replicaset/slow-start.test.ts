import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedAll, slowStartBatch } from './slow-start.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('slowStartBatch', () => {
  it('runs every call when all succeed, never more than maxInFlight at once', async () => {
    let running = 0;
    let peak = 0;
    const res = await slowStartBatch(300, 1, 16, async () => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
    });
    assert.deepEqual(res, { successes: 300, errors: [] });
    assert.equal(peak, 16);
  });

  it('stops after the first batch with a failure', async () => {
    const calls: number[] = [];
    const res = await slowStartBatch(100, 1, 64, async (i) => {
      calls.push(i);
      if (i >= 3) throw new Error(`fail ${i}`);
    });
    // batches 1, 2, 4: the third batch (indexes 3..6) fails; nothing after it runs
    assert.deepEqual(calls.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(res.successes, 3);
    assert.equal(res.errors.length, 4);
  });
});

describe('boundedAll', () => {
  it('runs all calls whatever fails', async () => {
    const res = await boundedAll(10, 3, async (i) => {
      if (i % 2) throw new Error('odd');
    });
    assert.equal(res.successes, 5);
    assert.equal(res.errors.length, 5);
  });
});
