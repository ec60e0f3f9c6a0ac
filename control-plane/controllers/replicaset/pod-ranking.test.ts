import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podsToDelete, rankForDeletion } from './pod-ranking.js';
import { pod } from './test-pods.js';

const now = new Date('2026-01-02T00:00:00Z');
const names = (ps: { metadata: { name?: string } }[]): (string | undefined)[] => ps.map((p) => p.metadata.name);

describe('rankForDeletion', () => {
  it('deletes unscheduled pods before scheduled ones', () => {
    const ps = [pod({ name: 'a', node: 'n1' }), pod({ name: 'b' })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['b', 'a']);
  });

  it('deletes Pending before Unknown before Running', () => {
    const ps = [pod({ name: 'run', node: 'n', phase: 'Running' }), pod({ name: 'unk', node: 'n', phase: 'Unknown' }), pod({ name: 'pend', node: 'n', phase: 'Pending' })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['pend', 'unk', 'run']);
  });

  it('deletes not-ready pods before ready ones', () => {
    const ps = [pod({ name: 'ready', node: 'n' }), pod({ name: 'notready', node: 'n', ready: false })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['notready', 'ready']);
  });

  it('deletes the lower pod-deletion-cost first', () => {
    const ps = [pod({ name: 'costly', node: 'n', cost: 100 }), pod({ name: 'cheap', node: 'n', cost: -5 })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['cheap', 'costly']);
  });

  it('deletes pods doubled up on a node before lone ones', () => {
    const ps = [pod({ name: 'alone', node: 'n1' }), pod({ name: 'crowded', node: 'n2' })];
    const related = [...ps, pod({ name: 'sibling', node: 'n2' })];
    assert.deepEqual(names(rankForDeletion(ps, related, now)), ['crowded', 'alone']);
  });

  it('deletes the more recently ready pod first when readiness ages differ by a power of two', () => {
    const ps = [pod({ name: 'old', node: 'n', readyAt: '2026-01-01T00:00:00Z' }), pod({ name: 'young', node: 'n', readyAt: '2026-01-01T23:59:00Z' })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['young', 'old']);
  });

  it('deletes the pod with more restarts first', () => {
    const ps = [pod({ name: 'stable', node: 'n' }), pod({ name: 'flaky', node: 'n', restarts: 7 })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['flaky', 'stable']);
  });

  it('deletes newer pods before older ones', () => {
    const ps = [pod({ name: 'older', node: 'n', created: '2025-06-01T00:00:00Z' }), pod({ name: 'newer', node: 'n', created: '2026-01-01T23:00:00Z' })];
    assert.deepEqual(names(rankForDeletion(ps, ps, now)), ['newer', 'older']);
  });
});

describe('podsToDelete', () => {
  it('returns the requested number of most deletable pods', () => {
    const ps = [pod({ name: 'a', node: 'n' }), pod({ name: 'b' }), pod({ name: 'c', node: 'n', ready: false })];
    assert.deepEqual(names(podsToDelete(ps, ps, 2, now)), ['b', 'c']);
  });

  it('returns nothing for a non-positive count and everything when asked for more', () => {
    const ps = [pod({ name: 'a' }), pod({ name: 'b' })];
    assert.deepEqual(podsToDelete(ps, ps, 0, now), []);
    assert.equal(podsToDelete(ps, ps, 5, now).length, 2);
  });
});
