import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  equalIgnoreHash,
  findNewReplicaSet,
  findOldReplicaSets,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from './deployment-util.js';
import { deployment, rs } from './test-objects.js';

describe('resolveFenceposts', () => {
  it('rounds surge up and unavailable down', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts(2, '50%', 5), { surge: 2, unavailable: 2 });
  });

  it('makes unavailable 1 when both resolve to 0', () => {
    assert.deepEqual(resolveFenceposts('0%', '10%', 5), { surge: 0, unavailable: 1 });
  });

  it('gives no surge or unavailability to Recreate, and caps unavailability at replicas', () => {
    assert.equal(maxSurge(deployment(4, { type: 'Recreate' })), 0);
    assert.equal(maxUnavailable(deployment(4, { type: 'Recreate' })), 0);
    assert.equal(maxUnavailable(deployment(2, { unavailable: 5 })), 2);
  });
});

describe('finding ReplicaSets', () => {
  it('takes the oldest ReplicaSet whose template matches ignoring pod-template-hash as the new one', () => {
    const d = deployment(3);
    const a = rs('web-a', 1, 1, { image: 'nginx:2', created: '2026-01-02T00:00:00Z' });
    const b = rs('web-b', 1, 1, { image: 'nginx:2', created: '2026-01-01T00:00:00Z' });
    const old = rs('web-old', 2, 2, { image: 'nginx:1' });
    assert.equal(findNewReplicaSet(d, [a, b, old])?.metadata.name, 'web-b');
    const olds = findOldReplicaSets(d, [a, b, old, rs('web-zero', 0, 0)]);
    assert.deepEqual(olds.all.map((r) => r.metadata.name).sort(), ['web-a', 'web-old', 'web-zero']);
    assert.deepEqual(olds.active.map((r) => r.metadata.name).sort(), ['web-a', 'web-old']);
  });

  it('treats templates as equal regardless of key order and empty fields', () => {
    assert.equal(
      equalIgnoreHash(
        { metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
        { spec: { containers: [{ image: 'i', name: 'c' }], volumes: [] }, metadata: { labels: { app: 'x' }, annotations: {} } },
      ),
      true,
    );
    assert.equal(equalIgnoreHash({ spec: { containers: [{ image: 'a' }] } }, { spec: { containers: [{ image: 'b' }] } }), false);
  });
});

describe('revisions and annotations', () => {
  it('sets a new ReplicaSet revision, replicas annotations and copies change-cause', () => {
    const d = deployment(4);
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'kubectl set image', 'deployment.kubernetes.io/revision': '9' };
    const r = rs('web-new', 0, 0);
    assert.equal(setNewReplicaSetAnnotations(d, r, 3, false), true);
    assert.deepEqual(r.metadata.annotations, {
      'kubernetes.io/change-cause': 'kubectl set image',
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
  });

  it('records the superseded revision in revision-history when a ReplicaSet is reused', () => {
    const d = deployment(2);
    const r = rs('web-a', 2, 2, { revision: 1 });
    r.metadata.annotations!['deployment.kubernetes.io/revision-history'] = '0';
    assert.equal(setNewReplicaSetAnnotations(d, r, 4, true), true);
    assert.equal(r.metadata.annotations!['deployment.kubernetes.io/revision'], '4');
    assert.equal(r.metadata.annotations!['deployment.kubernetes.io/revision-history'], '0,1');
    assert.equal(setNewReplicaSetAnnotations(d, r, 4, true), false, 'nothing changes the second time');
  });

  it('finds the highest revision', () => {
    assert.equal(maxRevision([rs('a', 0, 0, { revision: 2 }), rs('b', 0, 0, { revision: 11 }), rs('c', 0, 0)]), 11);
  });
});

describe('newRSNewReplicas and isSaturated', () => {
  it('grows the new ReplicaSet up to replicas + maxSurge in total, never past replicas', () => {
    const d = deployment(10, { surge: 3, unavailable: 2 });
    const old = rs('old', 10, 10);
    const fresh = rs('new', 0, 0);
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 3);
    const grown = rs('new', 8, 8);
    assert.equal(newRSNewReplicas(d, [rs('old', 2, 2), grown], grown), 10);
    assert.equal(newRSNewReplicas(deployment(10, { type: 'Recreate' }), [old, fresh], fresh), 10);
  });

  it('is saturated only when size and desired-replicas annotation both equal replicas', () => {
    const d = deployment(3);
    assert.equal(isSaturated(d, rs('n', 3, 3, { desired: 3 })), true);
    assert.equal(isSaturated(d, rs('n', 3, 3, { desired: 2 })), false);
    assert.equal(isSaturated(d, rs('n', 2, 2, { desired: 3 })), false);
  });
});
