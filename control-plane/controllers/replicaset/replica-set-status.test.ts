import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateStatus, nextAvailableInMs, REPLICA_FAILURE, statusUpToDate } from './replica-set-status.js';
import { pod, replicaSet } from './test-pods.js';

const now = new Date('2026-01-01T00:01:00Z');

describe('calculateStatus', () => {
  it('counts replicas, fully labeled, ready and available pods', () => {
    const rs = replicaSet('web', 4, { minReadySeconds: 30 });
    rs.spec!.template!.metadata!.labels = { app: 'web', tier: 'fe' };
    const ps = [
      pod({ name: 'a', labels: { app: 'web', tier: 'fe' }, readyAt: '2026-01-01T00:00:00Z' }),
      pod({ name: 'b', labels: { app: 'web', tier: 'fe' }, readyAt: '2026-01-01T00:00:50Z' }),
      pod({ name: 'c', labels: { app: 'web' }, ready: false }),
    ];
    const s = calculateStatus(rs, ps, undefined, now);
    assert.deepEqual(
      { r: s.replicas, f: s.fullyLabeledReplicas, ready: s.readyReplicas, a: s.availableReplicas },
      { r: 3, f: 2, ready: 2, a: 1 },
    );
  });

  it('adds a ReplicaFailure condition on a failed create and removes it once managing succeeds', () => {
    const rs = replicaSet('web', 2);
    const failed = calculateStatus(rs, [], { during: 'create', message: 'pods "web-x" is forbidden: exceeded quota' }, now);
    assert.deepEqual(failed.conditions, [
      { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: '2026-01-01T00:01:00Z', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota' },
    ]);
    rs.status = failed;
    assert.equal(calculateStatus(rs, [], undefined, now).conditions, undefined);
    const del = calculateStatus(replicaSet('web', 0), [], { during: 'delete', message: 'boom' }, now);
    assert.equal(del.conditions?.[0]?.reason, 'FailedDelete');
  });
});

describe('statusUpToDate', () => {
  it('asks for a write when counts change or the generation is not yet observed', () => {
    const rs = replicaSet('web', 1);
    const s = calculateStatus(rs, [pod({ name: 'a' })], undefined, now);
    assert.equal(statusUpToDate(rs, s), false);
    rs.status = { ...s, observedGeneration: 1 };
    assert.equal(statusUpToDate(rs, s), true);
    rs.metadata.generation = 2;
    assert.equal(statusUpToDate(rs, s), false);
  });
});

describe('nextAvailableInMs', () => {
  it('tells when the next ready pod passes minReadySeconds', () => {
    const rs = replicaSet('web', 2, { minReadySeconds: 30 });
    const ps = [pod({ name: 'a', readyAt: '2026-01-01T00:00:50Z' }), pod({ name: 'b', readyAt: '2026-01-01T00:00:45Z' })];
    assert.equal(nextAvailableInMs(rs, ps, now), 15_000);
    assert.equal(nextAvailableInMs(replicaSet('web', 2), ps, now), undefined);
  });
});
