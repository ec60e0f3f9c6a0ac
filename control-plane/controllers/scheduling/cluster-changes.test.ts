import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { makeNode } from '../../scheduler/fixtures.js';
import { isAssigned, needsScheduling, nodeChanged, podChanged } from './cluster-changes.js';

function pod(spec: Record<string, unknown> = {}, extra: Partial<KubeObject> & { status?: unknown } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', resourceVersion: '1', labels: { app: 'a' } },
    spec: { schedulerName: 'default-scheduler', containers: [{ name: 'c' }], ...spec },
    status: { phase: 'Pending' },
    ...extra,
  } as KubeObject;
}

describe('needsScheduling', () => {
  it('takes unassigned pods of the default scheduler, including those without a schedulerName', () => {
    assert.equal(needsScheduling(pod()), true);
    assert.equal(needsScheduling(pod({ schedulerName: undefined })), true);
  });

  it('ignores pods of another scheduler', () => {
    assert.equal(needsScheduling(pod({ schedulerName: 'my-scheduler' })), false);
    assert.equal(needsScheduling(pod({ schedulerName: 'my-scheduler' }), 'my-scheduler'), true);
  });

  it('ignores assigned, deleting, terminated and gated pods', () => {
    assert.equal(needsScheduling(pod({ nodeName: 'n1' })), false);
    assert.equal(isAssigned(pod({ nodeName: 'n1' })), true);
    assert.equal(needsScheduling(pod({}, { metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' } })), false);
    assert.equal(needsScheduling(pod({}, { status: { phase: 'Failed' } })), false);
    assert.equal(needsScheduling(pod({ schedulingGates: [{ name: 'wait' }] })), false);
  });
});

describe('podChanged', () => {
  it('ignores status, resourceVersion and managedFields changes (the scheduler’s own patches)', () => {
    const a = pod();
    const b = structuredClone(a) as KubeObject & { status: Record<string, unknown> };
    b.metadata.resourceVersion = '2';
    b.metadata.managedFields = [{ manager: 'x' }];
    b.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] };
    assert.equal(podChanged(a, b), false);
  });

  it('sees spec, label and annotation changes', () => {
    const a = pod();
    assert.equal(podChanged(a, pod({ tolerations: [{ operator: 'Exists' }] })), true);
    const b = structuredClone(a);
    b.metadata.labels = { app: 'b' };
    assert.equal(podChanged(a, b), true);
  });
});

describe('nodeChanged', () => {
  it('sees cordoning, taints, labels, allocatable and condition status', () => {
    const n = makeNode('n1');
    assert.equal(nodeChanged(n, makeNode('n1', { unschedulable: true })), true);
    assert.equal(nodeChanged(n, makeNode('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] })), true);
    assert.equal(nodeChanged(n, makeNode('n1', { labels: { zone: 'a' } })), true);
    assert.equal(nodeChanged(n, makeNode('n1', { cpu: '8' })), true);
    const ready = structuredClone(n) as KubeObject & { status: { conditions?: unknown[] } };
    ready.status.conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }];
    const notReady = structuredClone(ready);
    notReady.status.conditions = [{ type: 'Ready', status: 'False', lastHeartbeatTime: '2026-01-01T00:00:00Z' }];
    assert.equal(nodeChanged(ready, notReady), true);
  });

  it('ignores heartbeats and resourceVersion bumps', () => {
    const a = makeNode('n1') as KubeObject & { status: { conditions?: unknown[] } };
    a.status.conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:00Z' }];
    const b = structuredClone(a);
    b.metadata.resourceVersion = '9';
    b.status.conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:10Z' }];
    assert.equal(nodeChanged(a, b), false);
  });
});
