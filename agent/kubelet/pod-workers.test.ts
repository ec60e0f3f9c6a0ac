import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PodWorkers } from './pod-workers.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pod workers', () => {
  it('never runs one key twice at once and coalesces requests made meanwhile into one more run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const w = new PodWorkers(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      await tick(20);
      active--;
    });
    w.enqueue('a');
    for (let i = 0; i < 5; i++) w.enqueue('a');
    await w.idle();
    assert.equal(maxActive, 1);
    assert.equal(runs, 2);
  });

  it('runs different keys concurrently', async () => {
    let active = 0;
    let maxActive = 0;
    const w = new PodWorkers(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await tick(20);
      active--;
    });
    w.enqueue('a');
    w.enqueue('b');
    await w.idle();
    assert.equal(maxActive, 2);
  });

  it('keeps only the earliest timed request and retries a failed run', async () => {
    const seen: string[] = [];
    let fail = true;
    const w = new PodWorkers(
      async (k) => {
        seen.push(k);
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
      },
      () => undefined,
      10,
    );
    w.enqueueAfter('a', 1000);
    w.enqueueAfter('a', 5);
    await tick(60);
    await w.idle();
    assert.deepEqual(seen, ['a', 'a']);
    w.stop();
  });
});
