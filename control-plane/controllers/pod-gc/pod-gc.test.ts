import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { orphanedPods, planGc, type GcNode } from './pod-gc.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function pod(name: string, opts: { phase?: string; reason?: string; created?: number; node?: string; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: new Date(opts.created ?? T0).toISOString(),
      ...(opts.deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    },
    spec: opts.node ? { nodeName: opts.node } : {},
    status: { phase: opts.phase ?? 'Running', ...(opts.reason ? { reason: opts.reason } : {}) },
  };
}

const ready = (name: string): GcNode => ({ name, ready: true, outOfService: false });
const names = (ps: { pod: Pod }[]): string[] => ps.map((p) => p.pod.metadata.name ?? '');

describe('pod GC planning', () => {
  it('deletes terminated pods beyond the threshold, oldest first', () => {
    const pods = [
      pod('new', { phase: 'Succeeded', created: T0 + 3000, node: 'n1' }),
      pod('old', { phase: 'Failed', created: T0 + 1000, node: 'n1' }),
      pod('mid', { phase: 'Succeeded', created: T0 + 2000, node: 'n1' }),
      pod('running', { created: T0, node: 'n1' }),
    ];
    const plan = planGc({ pods, nodes: [ready('n1')], terminatedPodThreshold: 1, quarantine: new Map(), nowMs: T0 });
    assert.deepEqual(names(plan.delete), ['old', 'mid']);
    assert.ok(plan.delete.every((d) => d.reason === 'terminated'));
  });

  it('deletes evicted pods before older terminated ones, ties broken by name', () => {
    const pods = [
      pod('b', { phase: 'Failed', created: T0 }),
      pod('a', { phase: 'Failed', created: T0 }),
      pod('evicted', { phase: 'Failed', reason: 'Evicted', created: T0 + 9000 }),
    ];
    const plan = planGc({ pods, nodes: [], terminatedPodThreshold: 1, quarantine: new Map(), nowMs: T0 });
    assert.deepEqual(names(plan.delete), ['evicted', 'a']);
  });

  it('keeps terminated pods at or under the threshold, and any number when it is 0', () => {
    const pods = [pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Failed' })];
    assert.deepEqual(planGc({ pods, nodes: [], terminatedPodThreshold: 2, quarantine: new Map(), nowMs: T0 }).delete, []);
    assert.deepEqual(planGc({ pods, nodes: [], terminatedPodThreshold: 0, quarantine: new Map(), nowMs: T0 }).delete, []);
  });

  it('quarantines the node of an orphaned pod for 40 s before suspecting it gone', () => {
    const quarantine = new Map<string, number>();
    const pods = [pod('orphan', { node: 'gone' }), pod('fine', { node: 'n1' })];
    const input = { pods, nodes: [ready('n1')], terminatedPodThreshold: 0, quarantine };
    assert.deepEqual(planGc({ ...input, nowMs: T0 }).suspectNodes, []);
    assert.deepEqual(planGc({ ...input, nowMs: T0 + 39_999 }).suspectNodes, []);
    assert.deepEqual(planGc({ ...input, nowMs: T0 + 40_000 }).suspectNodes, ['gone']);
    assert.deepEqual(names(orphanedPods(pods, new Set(['gone'])).map((p) => ({ pod: p }))), ['orphan']);
  });

  it('lifts the quarantine when the node shows up in the cache', () => {
    const quarantine = new Map<string, number>();
    const pods = [pod('p', { node: 'late' })];
    planGc({ pods, nodes: [], terminatedPodThreshold: 0, quarantine, nowMs: T0 });
    planGc({ pods, nodes: [ready('late')], terminatedPodThreshold: 0, quarantine, nowMs: T0 + 20_000 });
    assert.equal(quarantine.size, 0);
    assert.deepEqual(planGc({ pods, nodes: [ready('late')], terminatedPodThreshold: 0, quarantine, nowMs: T0 + 60_000 }).suspectNodes, []);
  });

  it('deletes terminating pods that were never scheduled', () => {
    const pods = [pod('stuck', { deleting: true, phase: 'Pending' }), pod('pending', { phase: 'Pending' })];
    const plan = planGc({ pods, nodes: [], terminatedPodThreshold: 0, quarantine: new Map(), nowMs: T0 });
    assert.deepEqual(plan.delete, [{ pod: pods[0], reason: 'unscheduled-terminating' }]);
  });

  it('deletes terminating pods on a not-ready node with the out-of-service taint only', () => {
    const pods = [pod('oos', { deleting: true, node: 'down' }), pod('plain', { deleting: true, node: 'down2' })];
    const nodes: GcNode[] = [
      { name: 'down', ready: false, outOfService: true },
      { name: 'down2', ready: false, outOfService: false },
    ];
    const plan = planGc({ pods, nodes, terminatedPodThreshold: 0, quarantine: new Map(), nowMs: T0 });
    assert.deepEqual(plan.delete, [{ pod: pods[0], reason: 'terminating-out-of-service' }]);
  });

  it('counts a pod without a phase as terminated, as upstream', () => {
    const p = pod('x');
    delete p.status!.phase;
    const plan = planGc({ pods: [p, pod('y', { phase: 'Failed' })], nodes: [], terminatedPodThreshold: 1, quarantine: new Map(), nowMs: T0 });
    assert.equal(plan.delete.length, 1);
  });
});
