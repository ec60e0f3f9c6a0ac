import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LifecycleNode, Taint } from './node-health.js';
import { applyTaintChange, noExecuteDecision, noExecuteTaintFor, noScheduleTaintChange, REACHABLE_CHANGE } from './node-taints.js';

function node(conditions: Record<string, string>, taints: Taint[] = [], unschedulable = false): LifecycleNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    spec: { taints, unschedulable },
    status: { conditions: Object.entries(conditions).map(([type, status]) => ({ type, status })) },
  };
}

const NOW = '2026-01-01T00:00:00Z';
const keys = (ts: Taint[]): string[] => ts.map((t) => `${t.key}:${t.effect}`);

describe('taints by condition (NoSchedule)', () => {
  it('taints a not-ready node not-ready and an unknown one unreachable', () => {
    assert.deepEqual(keys(noScheduleTaintChange(node({ Ready: 'False' })).add), ['node.kubernetes.io/not-ready:NoSchedule']);
    assert.deepEqual(keys(noScheduleTaintChange(node({ Ready: 'Unknown' })).add), ['node.kubernetes.io/unreachable:NoSchedule']);
  });

  it('maps pressure conditions and unschedulable to their taints', () => {
    const n = node({ Ready: 'True', MemoryPressure: 'True', DiskPressure: 'True', PIDPressure: 'True', NetworkUnavailable: 'True' }, [], true);
    assert.deepEqual(keys(noScheduleTaintChange(n).add).sort(), [
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/network-unavailable:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });

  it('removes condition taints that no longer apply and leaves foreign taints alone', () => {
    const n = node({ Ready: 'True' }, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    ]);
    const change = noScheduleTaintChange(n);
    assert.deepEqual(change.add, []);
    assert.deepEqual(keys(change.remove), ['node.kubernetes.io/unreachable:NoSchedule']);
  });

  it('asks for nothing when the taints already match', () => {
    const change = noScheduleTaintChange(node({ Ready: 'False' }, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]));
    assert.deepEqual(change, { add: [], remove: [] });
  });
});

describe('applying a taint change', () => {
  it('stamps added taints with timeAdded and keeps existing ones untouched', () => {
    const existing = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2025-12-31T00:00:00Z' };
    const next = applyTaintChange([existing], { add: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'x', effect: 'NoSchedule' }], remove: [] }, NOW)!;
    assert.deepEqual(next, [existing, { key: 'x', effect: 'NoSchedule', timeAdded: NOW }]);
  });

  it('returns undefined when nothing changes', () => {
    assert.equal(applyTaintChange([], REACHABLE_CHANGE, NOW), undefined);
  });
});

describe('NoExecute decisions', () => {
  it('swaps unreachable for not-ready at once when the node reports Ready False', () => {
    const d = noExecuteDecision(node({ Ready: 'False' }, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), 'False');
    assert.equal(d.kind, 'swap');
    assert.ok(d.kind === 'swap' && d.change.add[0]!.key === 'node.kubernetes.io/not-ready');
  });

  it('swaps not-ready for unreachable at once when Ready goes Unknown', () => {
    const d = noExecuteDecision(node({ Ready: 'Unknown' }, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), 'Unknown');
    assert.ok(d.kind === 'swap' && d.change.add[0]!.key === 'node.kubernetes.io/unreachable');
  });

  it('queues an untainted unhealthy node for the rate-limited tainter', () => {
    assert.equal(noExecuteDecision(node({ Ready: 'Unknown' }), 'Unknown').kind, 'queue');
    assert.equal(noExecuteDecision(node({ Ready: 'False' }), 'False').kind, 'queue');
  });

  it('marks a ready node reachable', () => {
    assert.equal(noExecuteDecision(node({ Ready: 'True' }), 'True').kind, 'reachable');
  });

  it('taints by the Ready status current when the limiter admits the node', () => {
    assert.equal(noExecuteTaintFor('Unknown')!.add[0]!.key, 'node.kubernetes.io/unreachable');
    assert.equal(noExecuteTaintFor('False')!.add[0]!.key, 'node.kubernetes.io/not-ready');
    assert.equal(noExecuteTaintFor('True'), undefined);
  });
});
