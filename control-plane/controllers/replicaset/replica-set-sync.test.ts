import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activePods, BURST_REPLICAS, claimPods, compileSelector, planReplicas, podFromTemplate, slowStartBatches } from './replica-set-sync.js';
import { pod, replicaSet } from './test-pods.js';

const now = new Date('2026-01-02T00:00:00Z');

describe('planReplicas', () => {
  it('creates the missing pods', () => {
    const rs = replicaSet('web', 3);
    assert.deepEqual(planReplicas(rs, [pod({ name: 'a', owner: 'web' })], [], now), { kind: 'create', count: 2 });
  });

  it('creates at most a burst per sync', () => {
    assert.deepEqual(planReplicas(replicaSet('web', 10_000), [], [], now), { kind: 'create', count: BURST_REPLICAS });
  });

  it('deletes the surplus, most deletable first', () => {
    const ps = [pod({ name: 'a', node: 'n' }), pod({ name: 'b', node: 'n', ready: false }), pod({ name: 'c', node: 'n' })];
    const plan = planReplicas(replicaSet('web', 2), ps, ps, now);
    assert.equal(plan.kind, 'delete');
    assert.deepEqual(plan.kind === 'delete' && plan.pods.map((p) => p.metadata.name), ['b']);
  });

  it('does nothing at the desired count', () => {
    assert.deepEqual(planReplicas(replicaSet('web', 1), [pod({ name: 'a' })], [], now), { kind: 'none' });
  });
});

describe('activePods', () => {
  it('drops terminated pods and pods being deleted', () => {
    const ps = [pod({ name: 'ok' }), pod({ name: 'done', phase: 'Succeeded' }), pod({ name: 'failed', phase: 'Failed' }), pod({ name: 'going', deleting: true })];
    assert.deepEqual(
      activePods(ps).map((p) => p.metadata.name),
      ['ok'],
    );
  });
});

describe('claimPods', () => {
  it('keeps matching owned pods, adopts matching orphans, releases owned pods that stopped matching, ignores others', () => {
    const rs = replicaSet('web', 3);
    const keep = pod({ name: 'keep', owner: 'web' });
    const orphan = pod({ name: 'orphan' });
    const strayed = pod({ name: 'strayed', owner: 'web', labels: { app: 'other' } });
    const foreign = pod({ name: 'foreign', owner: 'other' });
    const lonely = pod({ name: 'lonely', labels: { app: 'db' } });
    const c = claimPods(rs, [keep, orphan, strayed, foreign, lonely], compileSelector(rs.spec?.selector));
    assert.deepEqual(c.owned.map((p) => p.metadata.name), ['keep']);
    assert.deepEqual(c.adopt.map((p) => p.metadata.name), ['orphan']);
    assert.deepEqual(c.release.map((p) => p.metadata.name), ['strayed']);
  });

  it('adopts nothing while the ReplicaSet is being deleted', () => {
    const rs = replicaSet('web', 1);
    rs.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const c = claimPods(rs, [pod({ name: 'orphan' })], compileSelector(rs.spec?.selector));
    assert.deepEqual(c.adopt, []);
  });
});

describe('compileSelector', () => {
  it('matches nothing for a missing selector and honours expressions', () => {
    assert.equal(compileSelector(undefined)({ app: 'web' }), false);
    const m = compileSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] });
    assert.equal(m({ tier: 'b' }), true);
    assert.equal(m({ tier: 'c' }), false);
  });
});

describe('slowStartBatches', () => {
  it('doubles from the initial batch and covers the count exactly', () => {
    assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
    assert.deepEqual(slowStartBatches(500).reduce((a, b) => a + b, 0), 500);
    assert.deepEqual(slowStartBatches(0), []);
  });
});

describe('podFromTemplate', () => {
  it('names pods by generateName <rs>- with the template labels, annotations and a controller ref', () => {
    const rs = replicaSet('web-7d4b9c8f5', 1);
    rs.spec!.template!.metadata!.annotations = { note: 'x' };
    const p = podFromTemplate(rs);
    assert.equal(p.metadata.generateName, 'web-7d4b9c8f5-');
    assert.equal(p.metadata.name, undefined);
    assert.deepEqual(p.metadata.labels, { app: 'web' });
    assert.deepEqual(p.metadata.annotations, { note: 'x' });
    assert.deepEqual(p.metadata.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f5', uid: 'uid-web-7d4b9c8f5', controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(p.spec, rs.spec?.template?.spec);
    assert.notEqual(p.spec, rs.spec?.template?.spec, 'the template is copied, not shared');
  });
});
