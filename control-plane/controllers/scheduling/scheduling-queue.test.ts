import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { backoffDuration, SchedulingQueue } from './scheduling-queue.js';

function fakeClock(start = 1_000_000): { now(): Date; advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

function pod(name: string, o: { priority?: number; created?: string; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', labels: o.labels ?? {} },
    spec: { ...(o.priority !== undefined ? { priority: o.priority } : {}), containers: [{ name: 'c' }] },
  } as KubeObject;
}

const names = (infos: { pod: KubeObject }[]): string[] => infos.map((i) => i.pod.metadata.name ?? '');

describe('backoffDuration', () => {
  it('doubles from the initial backoff per attempt and caps at the maximum (1s, 2s, 4s, 8s, 10s)', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map((a) => backoffDuration(a, 1000, 10_000)), [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});

describe('SchedulingQueue', () => {
  it('pops the highest priority first, then the oldest', () => {
    const q = new SchedulingQueue(fakeClock());
    q.add(pod('low-old', { priority: 1, created: '2026-01-01T00:00:00Z' }));
    q.add(pod('high', { priority: 100, created: '2026-01-01T00:00:09Z' }));
    q.add(pod('low-new', { priority: 1, created: '2026-01-01T00:00:05Z' }));
    q.add(pod('none', { created: '2025-01-01T00:00:00Z' }));
    assert.deepEqual(names(q.pop(10)), ['high', 'low-old', 'low-new', 'none']);
  });

  it('pops at most the batch size and keeps the rest queued', () => {
    const q = new SchedulingQueue(fakeClock());
    for (let i = 0; i < 5; i++) q.add(pod(`p${i}`));
    assert.equal(q.pop(3).length, 3);
    assert.equal(q.sizes.active, 2);
    assert.equal(q.sizes.inFlight, 3);
  });

  it('queues a pod once however often it is added', () => {
    const q = new SchedulingQueue(fakeClock());
    q.add(pod('a'));
    q.add(pod('a'));
    assert.equal(q.pop(10).length, 1);
    q.add(pod('a'));
    assert.equal(q.pop(10).length, 0, 'in flight: not queued again');
  });

  it('parks an unschedulable pod until a cluster change, then retries it after its backoff', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod('a'));
    const [a] = q.pop(1);
    assert.ok(a);
    assert.equal(q.requeue(a.key, true), true);
    assert.equal(q.where(a.key), 'unschedulable');
    clock.advance(60_000);
    q.flush();
    assert.equal(q.where(a.key), 'unschedulable', 'nothing changed and 5 minutes have not passed');
    q.moveAll();
    assert.equal(q.where(a.key), 'active', 'backoff (1s after one attempt) is over');
    assert.equal(q.pop(1).length, 1);
  });

  it('sends a pod still backing off to the backoff queue on a cluster change, and to activeQ when it ends', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod('a'));
    q.pop(1);
    q.requeue('default/a', true);
    q.moveAll();
    assert.equal(q.where('default/a'), 'backoff');
    assert.equal(q.nextBackoffAt(), clock.now().getTime() + 1000);
    clock.advance(999);
    q.flush();
    assert.equal(q.where('default/a'), 'backoff');
    clock.advance(1);
    q.flush();
    assert.equal(q.where('default/a'), 'active');
  });

  it('backs off exponentially over repeated failures: 1s, 2s, 4s, 8s, then 10s', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod('a'));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      assert.equal(q.pop(1).length, 1);
      q.requeue('default/a', false);
      const at = q.nextBackoffAt();
      assert.ok(at !== undefined);
      waits.push(at - clock.now().getTime());
      clock.advance(at - clock.now().getTime());
      q.flush();
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('retries a pod left unschedulable for 5 minutes even without a cluster change', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod('a'));
    q.pop(1);
    q.requeue('default/a', true);
    clock.advance(5 * 60_000 - 1);
    q.flush();
    assert.equal(q.where('default/a'), 'unschedulable');
    clock.advance(1);
    q.flush();
    assert.equal(q.where('default/a'), 'active');
  });

  it('does not park a pod in the pool when a cluster change happened during its attempt', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod('a'));
    q.pop(1);
    q.moveAll();
    q.requeue('default/a', true);
    assert.equal(q.where('default/a'), 'backoff');
  });

  it('leaves the pool on a spec or label change, but not on a status-only update', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue(clock);
    q.add(pod('a'));
    q.pop(1);
    q.requeue('default/a', true);
    clock.advance(2000);
    q.update(pod('a'), false);
    assert.equal(q.where('default/a'), 'unschedulable');
    q.update(pod('a', { labels: { x: 'y' } }), true);
    assert.equal(q.where('default/a'), 'active');
    assert.deepEqual(q.pop(1)[0]?.pod.metadata.labels, { x: 'y' }, 'the newest object is scheduled');
  });

  it('schedules the newest object of a pod updated while in flight, and drops one deleted while in flight', () => {
    const q = new SchedulingQueue(fakeClock());
    q.add(pod('a'));
    q.add(pod('b'));
    q.pop(2);
    q.update(pod('a', { labels: { v: '2' } }), true);
    q.delete('default/b');
    assert.equal(q.requeue('default/a', false), true);
    assert.equal(q.requeue('default/b', false), false);
    assert.equal(q.where('default/b'), undefined);
  });

  it('forgets a bound pod and a deleted one wherever it sits', () => {
    const q = new SchedulingQueue(fakeClock());
    q.add(pod('a'));
    q.add(pod('b'));
    q.add(pod('c'));
    q.pop(1);
    q.done('default/a');
    q.delete('default/b');
    assert.equal(q.where('default/a'), undefined);
    assert.equal(q.where('default/b'), undefined);
    assert.deepEqual(names(q.pop(10)), ['c']);
  });

  it('re-sorts a queued pod whose priority changes', () => {
    const q = new SchedulingQueue(fakeClock());
    q.add(pod('a', { priority: 1 }));
    q.add(pod('b', { priority: 2 }));
    q.update(pod('a', { priority: 3 }), true);
    assert.deepEqual(names(q.pop(10)), ['a', 'b']);
  });

  it('puts a retried pod behind fresh pods of the same priority', () => {
    const clock = fakeClock(Date.parse('2026-01-01T00:10:00Z'));
    const q = new SchedulingQueue(clock);
    q.add(pod('old'));
    q.pop(1);
    q.requeue('default/old', false);
    q.add(pod('fresh', { created: '2026-01-01T00:05:00Z' }));
    clock.advance(1000);
    q.flush();
    assert.deepEqual(names(q.pop(10)), ['fresh', 'old']);
  });

  it('calls onActive whenever a pod becomes ready', () => {
    let wakes = 0;
    const clock = fakeClock();
    const q = new SchedulingQueue(clock, {}, () => void wakes++);
    q.add(pod('a'));
    q.pop(1);
    q.requeue('default/a', false);
    assert.equal(wakes, 1);
    clock.advance(1000);
    q.flush();
    assert.equal(wakes, 2);
  });
});
