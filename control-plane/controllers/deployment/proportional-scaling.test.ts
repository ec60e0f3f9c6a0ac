import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findActiveOrLatest, isScalingEvent, scalePlan } from './proportional-scaling.js';
import { deployment, rs } from './test-objects.js';

const plan = (a: ReturnType<typeof scalePlan>): [string | undefined, number, string][] => a.map((x) => [x.rs.metadata.name, x.to, x.op]);

describe('isScalingEvent', () => {
  it('is a scaling event when an active ReplicaSet was annotated for another size', () => {
    const d = deployment(5);
    assert.equal(isScalingEvent(d, rs('new', 3, 3, { desired: 3 }), []), true);
    assert.equal(isScalingEvent(d, rs('new', 5, 5, { desired: 5 }), []), false);
    assert.equal(isScalingEvent(d, rs('new', 3, 3), [rs('old', 0, 0, { desired: 9 })]), false, 'inactive and unannotated ReplicaSets do not count');
  });
});

describe('findActiveOrLatest', () => {
  it('returns the only active ReplicaSet, the newest when none is active, nothing when several are', () => {
    const a = rs('a', 0, 0, { created: '2026-01-01T00:00:00Z' });
    const b = rs('b', 0, 0, { created: '2026-01-02T00:00:00Z' });
    assert.equal(findActiveOrLatest(undefined, [a, b])?.metadata.name, 'b');
    assert.equal(findActiveOrLatest(rs('n', 2, 2), [a])?.metadata.name, 'n');
    assert.equal(findActiveOrLatest(rs('n', 2, 2), [rs('o', 1, 1)]), undefined);
  });
});

describe('scalePlan', () => {
  it('gives a lone active ReplicaSet the whole new size', () => {
    assert.deepEqual(plan(scalePlan(deployment(7), rs('n', 3, 3, { desired: 3 }), [])), [['n', 7, 'up']]);
    assert.deepEqual(plan(scalePlan(deployment(1), rs('n', 3, 3, { desired: 3 }), [])), [['n', 1, 'down']]);
  });

  it('scales old ReplicaSets to zero when the new one is saturated', () => {
    assert.deepEqual(plan(scalePlan(deployment(4), rs('n', 4, 4, { desired: 4 }), [rs('o', 2, 2)])), [['o', 0, 'down']]);
  });

  it('spreads a scale-up proportionally over the ReplicaSets of a rollout', () => {
    // Was 10 (+3 surge): old 8, new 5 (max-replicas 13). Now 20 (+5 surge = 25): 12 more.
    const d = deployment(20, { surge: '25%', unavailable: '25%' });
    const n = rs('n', 5, 0, { desired: 10, max: 13, created: '2026-01-02T00:00:00Z' });
    const o = rs('o', 8, 8, { desired: 10, max: 13, created: '2026-01-01T00:00:00Z' });
    const p = plan(scalePlan(d, n, [o]));
    assert.deepEqual(p, [
      ['o', 15, 'up'],
      ['n', 10, 'up'],
    ]);
    assert.equal(p.reduce((s, x) => s + x[1], 0), 25);
  });

  it('spreads a scale-down proportionally, never below zero', () => {
    const d = deployment(5, { surge: 1, unavailable: 1 });
    const n = rs('n', 4, 0, { desired: 10, max: 11, created: '2026-01-02T00:00:00Z' });
    const o = rs('o', 7, 7, { desired: 10, max: 11, created: '2026-01-01T00:00:00Z' });
    const p = plan(scalePlan(d, n, [o]));
    assert.equal(p.reduce((s, x) => s + x[1], 0), 6);
    assert.ok(p.every((x) => x[1] >= 0 && x[2] === 'down'));
  });
});
