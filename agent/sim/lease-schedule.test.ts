import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LeaseSchedule } from './lease-schedule.js';

describe('LeaseSchedule', () => {
  it('spreads N nodes evenly over the period', () => {
    const s = new LeaseSchedule(4, 10_000, 0);
    assert.deepEqual([0, 1, 2, 3].map((i) => s.offset(i)), [0, 2500, 5000, 7500]);
  });

  it('gives each node one slot per period, in order, at its offset', () => {
    const s = new LeaseSchedule(4, 10_000, 1000);
    assert.deepEqual(s.takeDue(999), []);
    assert.deepEqual(s.takeDue(1000), [0]);
    assert.equal(s.nextDueAt(), 3500);
    assert.deepEqual(s.takeDue(8500), [1, 2, 3]);
    assert.deepEqual(s.takeDue(10_999), []);
    assert.deepEqual(s.takeDue(11_000), [0]);
  });

  it('keeps 5,000 nodes to at most a few renewals per 10 ms tick', () => {
    const s = new LeaseSchedule(5000, 10_000, 0);
    const counts = new Map<number, number>();
    let max = 0;
    for (let t = 0; t < 20_000; t += 10) {
      const due = s.takeDue(t);
      max = Math.max(max, due.length);
      for (const i of due) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    for (const i of s.takeDue(19_999)) counts.set(i, (counts.get(i) ?? 0) + 1);
    assert.ok(max <= 6, `burst of ${max}`);
    assert.equal(counts.size, 5000);
    assert.ok([...counts.values()].every((c) => c === 2), 'each node twice in two periods');
  });

  it('after a stall, renews each node once and skips the missed cycles', () => {
    const s = new LeaseSchedule(3, 10_000, 0);
    const due = s.takeDue(45_000);
    assert.deepEqual(due, [0, 1, 2]);
    assert.ok(s.nextDueAt() > 45_000 && s.nextDueAt() <= 55_000);
  });

  it('with no nodes, nothing is ever due', () => {
    const s = new LeaseSchedule(0, 10_000, 0);
    assert.deepEqual(s.takeDue(1e9), []);
    assert.equal(s.nextDueAt(), Infinity);
  });
});
