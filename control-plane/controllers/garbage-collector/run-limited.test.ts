import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runLimited } from './run-limited.js';

describe('runLimited', () => {
  it('calls the function once per item with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(n);
      inFlight--;
    });
    assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(peak, 3);
  });

  it('finishes the other items and then rejects with the first failure', async () => {
    const done: number[] = [];
    await assert.rejects(
      runLimited([1, 2, 3], 1, async (n) => {
        if (n === 2) throw new Error('boom 2');
        done.push(n);
      }),
      /boom 2/,
    );
    assert.deepEqual(done, [1, 3]);
  });

  it('resolves at once for no items', async () => {
    await runLimited([], 4, async () => assert.fail('not called'));
  });
});
