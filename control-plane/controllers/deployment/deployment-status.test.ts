import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calculateStatus, pausedConditionStatus, replicaSetsToCleanUp, rolloutStatus, stuckRequeueMs } from './deployment-status.js';
import { getCondition } from './deployment-util.js';
import { deployment, rs } from './test-objects.js';

const now = new Date('2026-01-01T01:00:00Z');

describe('calculateStatus', () => {
  it('sums the ReplicaSets and reports minimum availability', () => {
    const d = deployment(4, { surge: 1, unavailable: 1 });
    const n = rs('n', 2, 1);
    const s = calculateStatus([rs('o', 3, 3), n], n, d, now);
    assert.deepEqual(
      { ...s, conditions: undefined },
      { observedGeneration: 1, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 1, conditions: undefined },
    );
    assert.equal(getCondition(s, 'Available')?.reason, 'MinimumReplicasAvailable');
    const low = calculateStatus([rs('o', 4, 2)], undefined, d, now);
    assert.equal(getCondition(low, 'Available')?.status, 'False');
    assert.equal(getCondition(low, 'Available')?.reason, 'MinimumReplicasUnavailable');
  });
});

describe('rolloutStatus', () => {
  it('reports NewReplicaSetAvailable once the rollout is complete', () => {
    const d = deployment(3);
    const n = rs('web-abc', 3, 3);
    const c = getCondition(rolloutStatus([n], n, d, now), 'Progressing');
    assert.deepEqual([c?.status, c?.reason, c?.message], ['True', 'NewReplicaSetAvailable', 'ReplicaSet "web-abc" has successfully progressed.']);
  });

  it('reports ReplicaSetUpdated on progress, keeping the transition time', () => {
    const d = deployment(3);
    d.status = {
      replicas: 3,
      updatedReplicas: 0,
      availableReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    };
    const n = rs('web-abc', 1, 0);
    const c = getCondition(rolloutStatus([rs('o', 3, 3), n], n, d, now), 'Progressing');
    assert.deepEqual([c?.reason, c?.message, c?.lastUpdateTime, c?.lastTransitionTime], ['ReplicaSetUpdated', 'ReplicaSet "web-abc" is progressing.', '2026-01-01T01:00:00Z', '2026-01-01T00:00:00Z']);
  });

  it('reports ProgressDeadlineExceeded when nothing progressed for progressDeadlineSeconds', () => {
    const d = deployment(3);
    d.spec!.progressDeadlineSeconds = 60;
    const n = rs('web-abc', 1, 0);
    d.status = {
      replicas: 4,
      updatedReplicas: 1,
      availableReplicas: 3,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2026-01-01T00:58:00Z', lastTransitionTime: '2026-01-01T00:50:00Z' }],
    };
    const s = rolloutStatus([rs('o', 3, 3), n], n, d, now);
    const c = getCondition(s, 'Progressing');
    assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-abc" has timed out progressing.']);
    assert.equal(stuckRequeueMs(d, s, now), 1000, 'past the deadline: check again soon');
    d.spec!.progressDeadlineSeconds = 600;
    assert.equal(stuckRequeueMs(d, s, now), 480_000 + 1000);
  });

  it('promotes a ReplicaSet failure to the Deployment', () => {
    const d = deployment(2);
    const n = rs('n', 2, 0);
    n.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2026-01-01T00:00:00Z' }];
    assert.equal(getCondition(rolloutStatus([n], n, d, now), 'ReplicaFailure')?.reason, 'FailedCreate');
  });
});

describe('pausedConditionStatus', () => {
  it('marks a paused and then a resumed deployment with an Unknown Progressing condition', () => {
    const d = deployment(2);
    d.spec!.paused = true;
    const paused = pausedConditionStatus(d, now);
    assert.deepEqual([getCondition(paused, 'Progressing')?.status, getCondition(paused, 'Progressing')?.reason], ['Unknown', 'DeploymentPaused']);
    d.status = paused;
    assert.equal(pausedConditionStatus(d, now), undefined);
    d.spec!.paused = false;
    assert.equal(getCondition(pausedConditionStatus(d, now), 'Progressing')?.reason, 'DeploymentResumed');
  });
});

describe('replicaSetsToCleanUp', () => {
  it('deletes the lowest revisions beyond revisionHistoryLimit, only empty and observed ones', () => {
    const d = deployment(2);
    d.spec!.revisionHistoryLimit = 1;
    const olds = [rs('r3', 0, 0, { revision: 3 }), rs('r1', 0, 0, { revision: 1 }), rs('r2', 1, 1, { revision: 2 })];
    assert.deepEqual(
      replicaSetsToCleanUp(d, olds).map((r) => r.metadata.name),
      ['r1'],
    );
    d.spec!.revisionHistoryLimit = 3;
    assert.deepEqual(replicaSetsToCleanUp(d, olds), []);
  });
});
