import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gracePeriodMs, isSilent, observeHealth, unknownConditions, type Lease, type LifecycleNode, type NodeHealth } from './node-health.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const GRACE = 40_000;

function node(ready?: { status: string; heartbeat: number; transition?: number }, extra: Partial<LifecycleNode> = {}): LifecycleNode {
  const conditions = ready
    ? [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: iso(ready.heartbeat), lastTransitionTime: iso(T0), reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: ready.status, lastHeartbeatTime: iso(ready.heartbeat), lastTransitionTime: iso(ready.transition ?? T0), reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ]
    : [];
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: iso(T0 - 3_600_000) }, status: { conditions }, ...extra };
}

function lease(renew: number): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(renew).toISOString() } };
}

/** Observes the same node and lease at each time, returning the final health. */
function observeAt(times: number[], n: LifecycleNode, l: (t: number) => Lease | undefined, start?: NodeHealth): NodeHealth {
  let h = start;
  for (const t of times) h = observeHealth(h, n, l(t), t);
  return h!;
}

describe('node health', () => {
  it('gives a node first seen a full grace period from the moment it is seen', () => {
    const h = observeHealth(undefined, node({ status: 'True', heartbeat: T0 - 600_000 }), undefined, T0);
    assert.equal(h.probeMs, T0);
    assert.equal(isSilent(h, GRACE, T0 + GRACE), false);
    assert.equal(isSilent(h, GRACE, T0 + GRACE + 1), true);
  });

  it('counts a lease renewal as a heartbeat, judged by when the controller saw it', () => {
    const n = node({ status: 'True', heartbeat: T0 });
    let h = observeHealth(undefined, n, lease(T0), T0);
    // The node's clock is an hour behind; what counts is when the renewal was observed.
    h = observeHealth(h, n, lease(T0 - 3_600_000 + 1), T0 + 30_000);
    assert.equal(h.probeMs, T0, 'an older renewTime is no renewal');
    h = observeHealth(h, n, lease(T0 + 10_000), T0 + 35_000);
    assert.equal(h.probeMs, T0 + 35_000);
    assert.equal(isSilent(h, GRACE, T0 + 70_000), false);
  });

  it('falls silent when neither the lease nor the status heartbeat moves for the grace period', () => {
    const n = node({ status: 'True', heartbeat: T0 });
    const h = observeAt([T0, T0 + 10_000, T0 + 20_000, T0 + 41_000], n, () => lease(T0));
    assert.equal(h.probeMs, T0);
    assert.equal(isSilent(h, GRACE, T0 + 41_000), true);
  });

  it('counts a new Ready heartbeat as a sign of life', () => {
    let h = observeHealth(undefined, node({ status: 'True', heartbeat: T0 }), undefined, T0);
    h = observeHealth(h, node({ status: 'True', heartbeat: T0 + 30_000 }), undefined, T0 + 31_000);
    assert.equal(h.probeMs, T0 + 31_000);
  });

  it('judges a node that never posted Ready from its creation, with the startup grace period', () => {
    const n = node(undefined);
    const h = observeHealth(undefined, n, undefined, T0);
    assert.equal(h.probeMs, T0 - 3_600_000);
    assert.equal(gracePeriodMs(n, GRACE), 60_000);
    assert.equal(isSilent(h, gracePeriodMs(n, GRACE), T0), true);
  });

  it('turns Ready and the pressure conditions Unknown with upstream reasons', () => {
    const now = new Date(T0 + 50_000);
    const conds = unknownConditions(node({ status: 'True', heartbeat: T0 }), now)!;
    const ready = conds.find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'Unknown');
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.equal(ready.lastTransitionTime, iso(T0 + 50_000));
    assert.equal(ready.lastHeartbeatTime, iso(T0), 'the heartbeat stays the kubelet\'s');
    assert.equal(conds.find((c) => c.type === 'MemoryPressure')!.status, 'Unknown');
    const never = conds.find((c) => c.type === 'DiskPressure')!;
    assert.equal(never.reason, 'NodeStatusNeverUpdated');
    assert.equal(never.message, 'Kubelet never posted node status.');
    assert.deepEqual(conds.map((c) => c.type).sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
  });

  it('writes nothing when Ready is already Unknown', () => {
    const n = node({ status: 'True', heartbeat: T0 });
    n.status!.conditions = unknownConditions(n, new Date(T0 + 50_000));
    assert.equal(unknownConditions(n, new Date(T0 + 60_000)), undefined);
  });
});
