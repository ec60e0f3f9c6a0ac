import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { notEligibleToPreempt, terminatingByPreemption, unschedulablePatch, victimPatch } from './pod-status-patches.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const MSG = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

function pod(status: Record<string, unknown> = {}, o: { priority?: number; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', ...(o.deleting ? { deletionTimestamp: '2026-03-01T09:00:00Z' } : {}) },
    spec: { priority: o.priority ?? 0 },
    status: { phase: 'Pending', ...status },
  } as KubeObject;
}

describe('unschedulablePatch', () => {
  it('sets PodScheduled False with reason Unschedulable and the message', () => {
    assert.deepEqual(unschedulablePatch(pod(), MSG, NOW), {
      status: {
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: MSG, lastProbeTime: null, lastTransitionTime: '2026-03-01T10:00:00Z' },
        ],
      },
    });
  });

  it('writes nothing when the condition already says the same', () => {
    const cur = pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: MSG, lastProbeTime: null, lastTransitionTime: '2026-03-01T09:00:00Z' }] });
    assert.equal(unschedulablePatch(cur, MSG, NOW), undefined);
  });

  it('keeps the lastTransitionTime when only the message changes', () => {
    const cur = pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'old', lastTransitionTime: '2026-03-01T09:00:00Z' }] });
    const p = unschedulablePatch(cur, MSG, NOW) as { status: { conditions: { lastTransitionTime: string; message: string }[] } };
    assert.equal(p.status.conditions[0]?.lastTransitionTime, '2026-03-01T09:00:00Z');
    assert.equal(p.status.conditions[0]?.message, MSG);
  });

  it('sets a new nominatedNodeName even when the condition is unchanged', () => {
    const cur = pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: MSG, lastTransitionTime: '2026-03-01T09:00:00Z' }] });
    const p = unschedulablePatch(cur, MSG, NOW, 'sim-1') as { status: { nominatedNodeName?: string } };
    assert.equal(p.status.nominatedNodeName, 'sim-1');
    const nominated = structuredClone(cur) as KubeObject & { status: Record<string, unknown> };
    nominated.status.nominatedNodeName = 'sim-1';
    assert.equal(unschedulablePatch(nominated, MSG, NOW, 'sim-1'), undefined);
  });

  it('clears a nominatedNodeName with null, and writes nothing when there is none to clear', () => {
    const cond = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: MSG, lastTransitionTime: '2026-03-01T09:00:00Z' };
    const p = unschedulablePatch(pod({ conditions: [cond], nominatedNodeName: 'sim-1' }), MSG, NOW, '') as { status: Record<string, unknown> };
    assert.equal(p.status.nominatedNodeName, null);
    assert.equal(unschedulablePatch(pod({ conditions: [cond] }), MSG, NOW, ''), undefined);
  });
});

describe('preemption victims', () => {
  it('marks a victim with DisruptionTarget, reason PreemptionByScheduler', () => {
    const p = victimPatch('default-scheduler', NOW) as { status: { conditions: Record<string, unknown>[] } };
    assert.deepEqual(p.status.conditions[0], {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'PreemptionByScheduler',
      message: 'default-scheduler: preempting to accommodate a higher priority pod',
      lastTransitionTime: '2026-03-01T10:00:00Z',
    });
  });

  it('makes a nominated preemptor wait while a lower-priority victim terminates on its node', () => {
    const victimCond = { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] };
    const terminating = pod(victimCond, { priority: 10, deleting: true });
    assert.equal(terminatingByPreemption(terminating), true);
    const preemptor = pod({ nominatedNodeName: 'sim-0' }, { priority: 1000 });
    assert.equal(notEligibleToPreempt(preemptor, [terminating]), 'preemption: not eligible due to a terminating pod on the nominated node.');
    assert.equal(notEligibleToPreempt(preemptor, [pod(victimCond, { priority: 10 })]), undefined, 'not terminating yet');
    assert.equal(notEligibleToPreempt(pod({}, { priority: 1000 }), [terminating]), undefined, 'not nominated');
    assert.equal(notEligibleToPreempt(pod({ nominatedNodeName: 'sim-0' }, { priority: 5 }), [terminating]), undefined, 'victim not lower');
  });
});
