import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { pdbStatus, type ControllerScale } from './pdb-status.js';

const now = new Date('2026-01-01T00:10:00Z');
const pod = (name: string, ready = true, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name, namespace: 'ns', uid: name, ...extra },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (spec: object, status: object = {}) => ({ metadata: { name: 'b', namespace: 'ns', generation: 3 }, spec, status });
const rsOf3: ControllerScale = () => ({ uid: 'rs', replicas: 3 });
const none: ControllerScale = () => undefined;

describe('PodDisruptionBudget status', () => {
  it('with an integer minAvailable expects the matching pods and allows what exceeds it', () => {
    const s = pdbStatus(pdb({ minAvailable: 2 }), [pod('a'), pod('b'), pod('c'), pod('d', false)], none, now);
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [4, 2, 3, 1]);
    assert.equal(s.observedGeneration, 3);
    assert.deepEqual([s.conditions[0]?.status, s.conditions[0]?.reason], ['True', 'SufficientPods']);
  });

  it('with maxUnavailable expects the controllers\' scale', () => {
    const s = pdbStatus(pdb({ maxUnavailable: 1 }), [pod('a'), pod('b')], rsOf3, now);
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed], [3, 2, 2, 0]);
    assert.deepEqual([s.conditions[0]?.status, s.conditions[0]?.reason], ['False', 'InsufficientPods']);
  });

  it('rounds percentages up', () => {
    const s = pdbStatus(pdb({ minAvailable: '50%' }), [pod('a'), pod('b'), pod('c')], rsOf3, now);
    assert.equal(s.desiredHealthy, 2);
    assert.equal(s.disruptionsAllowed, 1);
  });

  it('fails the sync when a pod has no controller and the budget needs one', () => {
    const s = pdbStatus(pdb({ maxUnavailable: '10%' }), [pod('a')], none, now);
    assert.equal(s.disruptionsAllowed, 0);
    assert.deepEqual([s.conditions[0]?.reason, s.conditions[0]?.message], ['SyncFailed', 'found no controllers for pod "a"']);
  });

  it('does not count recently disrupted pods as healthy and forgets them after two minutes', () => {
    const recent = pdbStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: '2026-01-01T00:09:30Z' } }), [pod('a'), pod('b')], none, now);
    assert.equal(recent.currentHealthy, 1);
    assert.deepEqual(recent.disruptedPods, { a: '2026-01-01T00:09:30Z' });
    const old = pdbStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: '2026-01-01T00:07:00Z' } }), [pod('a'), pod('b')], none, now);
    assert.equal(old.currentHealthy, 2);
    assert.equal(old.disruptedPods, undefined);
  });

  it('allows nothing when no pods are expected', () => {
    assert.equal(pdbStatus(pdb({ maxUnavailable: 1 }), [], rsOf3, now).disruptionsAllowed, 0);
  });
});
