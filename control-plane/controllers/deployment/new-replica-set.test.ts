import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newReplicaSetFor } from './new-replica-set.js';
import { computeHash } from './template-hash.js';
import { deployment, rs } from './test-objects.js';

describe('newReplicaSetFor', () => {
  it('names the ReplicaSet <deployment>-<hash> and labels template and selector with the hash', () => {
    const d = deployment(4, { surge: 1, unavailable: 1 });
    const hash = computeHash(d.spec?.template);
    const n = newReplicaSetFor(d, [], 1);
    assert.equal(n.metadata.name, `web-${hash}`);
    assert.deepEqual(n.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(n.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(n.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(d.spec?.template?.metadata?.labels, { app: 'web' }, 'the Deployment is not changed');
    assert.deepEqual(n.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    assert.equal(n.spec?.replicas, 4);
    assert.deepEqual(n.metadata.annotations, {
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
  });

  it('starts at the surge room when old ReplicaSets still hold the replicas', () => {
    const d = deployment(4, { surge: 1, unavailable: 1 });
    assert.equal(newReplicaSetFor(d, [rs('old', 4, 4, { revision: 1 })], 2).spec?.replicas, 1);
  });

  it('hashes differently after a collision', () => {
    const d = deployment(1);
    const first = newReplicaSetFor(d, [], 1).metadata.name;
    d.status = { collisionCount: 1 };
    assert.notEqual(newReplicaSetFor(d, [], 1).metadata.name, first);
  });
});
