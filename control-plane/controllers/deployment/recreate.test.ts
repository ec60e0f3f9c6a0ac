import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pod } from '../replicaset/test-pods.js';
import { oldPodsRunning } from './recreate.js';
import { rs } from './test-objects.js';

describe('oldPodsRunning', () => {
  it('waits while an old ReplicaSet reports replicas or owns a non-terminal pod', () => {
    const n = rs('n', 0, 0);
    const o = rs('o', 0, 0);
    o.status!.replicas = 0;
    assert.equal(oldPodsRunning(n, [rs('o', 2, 2)], new Map()), true);
    assert.equal(oldPodsRunning(n, [o], new Map([['uid-o', [pod({ name: 'p', deleting: true })]]])), true);
    assert.equal(oldPodsRunning(n, [o], new Map([['uid-o', [pod({ name: 'p', phase: 'Succeeded' })]]])), false);
    assert.equal(oldPodsRunning(n, [o], new Map([['uid-n', [pod({ name: 'p' })]]])), false, 'the new ReplicaSet\'s pods do not count');
  });
});
