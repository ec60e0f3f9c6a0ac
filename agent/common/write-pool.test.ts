import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, isTransient, WritePool, WriteTimeoutError } from './write-pool.js';
import { ApiError } from '../../control-plane/api/errors.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WritePool', () => {
  it('keeps at most `limit` tasks in flight', async () => {
    const pool = new WritePool(3);
    let active = 0;
    let peak = 0;
    const gates = Array.from({ length: 10 }, deferred);
    const all = gates.map((g) =>
      pool.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await g.promise;
        active--;
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(pool.active, 3);
    assert.equal(pool.queued, 7);
    for (const g of gates) g.resolve();
    await Promise.all(all);
    assert.equal(peak, 3);
  });

  it('starts queued heartbeats first, then node status, then everything else', async () => {
    const pool = new WritePool(1);
    const order: string[] = [];
    const gate = deferred();
    const first = pool.run(() => gate.promise);
    const tasks = [
      pool.run(async () => void order.push('pod-1')),
      pool.run(async () => void order.push('node-status'), 'status'),
      pool.run(async () => void order.push('pod-2')),
      pool.run(async () => void order.push('lease'), 'heartbeat'),
    ];
    gate.resolve();
    await Promise.all([first, ...tasks]);
    assert.deepEqual(order, ['lease', 'node-status', 'pod-1', 'pod-2']);
  });

  it("passes on each task's result and failure", async () => {
    const pool = new WritePool(2);
    assert.equal(await pool.run(async () => 42), 42);
    await assert.rejects(pool.run(async () => Promise.reject(new Error('boom'))), /boom/);
    await assert.rejects(
      pool.run(() => {
        throw new Error('sync boom');
      }),
      /sync boom/,
    );
    assert.equal(pool.active, 0);
  });

  it('rejects a task that never answers after the timeout and frees its slot', async () => {
    const pool = new WritePool(1, 20);
    const hung = pool.run(() => new Promise<void>(() => undefined));
    const next = pool.run(async () => 'next');
    await assert.rejects(hung, WriteTimeoutError);
    assert.equal(await next, 'next');
    assert.equal(pool.active, 0);
  });
});

describe('backoff', () => {
  it('doubles from the base up to the cap, jittered into [d/2, d)', () => {
    assert.equal(backoffDelay(0, 200, 5000, () => 0), 100);
    assert.equal(backoffDelay(3, 200, 5000, () => 0.999999), 1600);
    assert.equal(backoffDelay(20, 200, 5000, () => 0), 2500);
  });

  it('retries network failures, overload and server errors, not API refusals', () => {
    assert.equal(isTransient(new Error('ECONNREFUSED')), true);
    assert.equal(isTransient(new ApiError('SKIFF_UNAVAILABLE', 'x')), true);
    assert.equal(isTransient(new ApiError('SKIFF_TOO_MANY_REQUESTS', 'x')), true);
    assert.equal(isTransient(new ApiError('SKIFF_INVALID', 'x')), false);
    assert.equal(isTransient(new ApiError('SKIFF_NOT_FOUND', 'x')), false);
  });
});
