import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from './work-queue.js';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('processes nothing before start() and each key once however often it was added', async () => {
    const seen: string[] = [];
    const q = new WorkQueue(async (k) => void seen.push(k), { name: 't' });
    q.add('a');
    q.add('b');
    q.add('a');
    await tick();
    assert.deepEqual(seen, []);
    q.start();
    await q.idle();
    assert.deepEqual(seen, ['a', 'b']);
    q.stop();
  });

  it('never runs one key on two workers at once, and reruns a key added while it was processing', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue(
      async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await gate;
        running--;
      },
      { name: 't', workers: 4 },
    );
    q.start();
    q.add('k');
    await tick();
    q.add('k');
    q.add('k');
    await tick();
    assert.equal(runs, 1, 'the second add waits for the first run');
    release();
    await tick(5);
    await q.idle();
    assert.equal(runs, 2);
    assert.equal(maxRunning, 1);
    q.stop();
  });

  it('retries a failing key with growing delays and forgets failures after a success', async () => {
    const times: number[] = [];
    let failuresLeft = 3;
    const q = new WorkQueue(
      async () => {
        times.push(Date.now());
        if (failuresLeft-- > 0) throw new Error('boom');
      },
      { name: 't', baseDelayMs: 20 },
    );
    q.start();
    q.add('k');
    await tick(400);
    assert.equal(times.length, 4);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(gaps[0]! >= 15 && gaps[1]! >= 35 && gaps[2]! >= 75, `backoff doubles: ${gaps.join(',')}`);
    q.stop();
  });

  it('honours requeueAfterMs from the handler', async () => {
    let runs = 0;
    const q = new WorkQueue(async () => (++runs === 1 ? { requeueAfterMs: 30 } : undefined), { name: 't' });
    q.start();
    q.add('k');
    await tick(10);
    assert.equal(runs, 1);
    await tick(60);
    assert.equal(runs, 2);
    q.stop();
  });

  it('keeps the earlier of two delayed adds', async () => {
    let runs = 0;
    const q = new WorkQueue(async () => void runs++, { name: 't' });
    q.start();
    q.addAfter('k', 500);
    q.addAfter('k', 20);
    await tick(60);
    assert.equal(runs, 1);
    q.stop();
  });

  it('drops pending work and timers on stop()', async () => {
    let runs = 0;
    const q = new WorkQueue(async () => void runs++, { name: 't' });
    q.addAfter('k', 10);
    q.add('j');
    q.stop();
    q.start();
    await tick(30);
    assert.equal(runs, 0);
  });
});
