import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { newStatefulSetPod, POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, parentNameAndOrdinal } from './stateful-pod.js';
import type { StatefulSet } from './statefulset-types.js';
import { completeRollingUpdate, planStatefulSet, statusChanged, type PlanInput } from './sync-plan.js';

const NOW = new Date('2026-11-28T10:00:00Z');
const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
const tmpl = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
const REV1 = { name: 'web-aaa', template: tmpl('nginx:1') };
const REV2 = { name: 'web-bbb', template: tmpl('nginx:2') };

function sts(over: Partial<NonNullable<StatefulSet['spec']>> = {}, status: StatefulSet['status'] = {}): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 2 },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      ...over,
    },
    status,
  };
}

/** A pod as the API would hold it: Running and Ready unless told otherwise. */
function pod(ordinal: number, rev = REV1, state: 'ready' | 'pending' | 'failed' | 'terminating' = 'ready', readySince = '2026-11-28T09:00:00Z'): Pod {
  const p = newStatefulSetPod(sts(), rev.template, ordinal, rev.name, ref);
  p.metadata.uid = `uid-${ordinal}`;
  p.status =
    state === 'pending'
      ? { phase: 'Pending' }
      : state === 'failed'
        ? { phase: 'Failed' }
        : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] };
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-11-28T09:59:00Z';
  return p;
}

function plan(set: StatefulSet, pods: Pod[], update = REV1, current = REV1) {
  const input: PlanInput = { set, current, update, collisionCount: 0, pods, controllerRef: ref, now: NOW };
  return planStatefulSet(input);
}

const summary = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.kind} ${a.pod.metadata.name ?? ''}`);

describe('StatefulSet pods', () => {
  it('names pods <set>-<ordinal> with identity labels, hostname and subdomain', () => {
    const p = newStatefulSetPod(sts(), REV1.template, 2, REV1.name, ref);
    assert.equal(p.metadata.name, 'web-2');
    assert.equal(p.metadata.labels?.[POD_NAME_LABEL], 'web-2');
    assert.equal(p.metadata.labels?.[POD_INDEX_LABEL], '2');
    assert.equal(p.metadata.labels?.[REVISION_LABEL], 'web-aaa');
    assert.equal(p.metadata.labels?.app, 'web');
    assert.equal(p.spec?.hostname, 'web-2');
    assert.equal(p.spec?.subdomain, 'nginx');
    assert.equal(p.metadata.ownerReferences?.[0]?.uid, 'set-uid');
  });

  it('parses the ordinal from the last -<digits> of the name', () => {
    assert.deepEqual(parentNameAndOrdinal({ metadata: { name: 'my-web-12' } }), { parent: 'my-web', ordinal: 12 });
    assert.equal(parentNameAndOrdinal({ metadata: { name: 'web-x' } }).ordinal, -1);
  });
});

describe('OrderedReady', () => {
  it('creates only the lowest missing ordinal', () => {
    assert.deepEqual(summary(plan(sts(), [])), ['create web-0']);
  });

  it('waits for the previous pod to be Running and Ready before creating the next', () => {
    assert.deepEqual(summary(plan(sts(), [pod(0, REV1, 'pending')])), []);
    assert.deepEqual(summary(plan(sts(), [pod(0)])), ['create web-1']);
  });

  it('waits minReadySeconds after readiness and asks to be called back then', () => {
    const p = plan(sts({ minReadySeconds: 30 }), [pod(0, REV1, 'ready', '2026-11-28T09:59:50Z')]);
    assert.deepEqual(summary(p), []);
    assert.equal(p.requeueAfterMs, 20_000);
  });

  it('scales down from the highest ordinal, one at a time', () => {
    const set = sts({ replicas: 1 });
    assert.deepEqual(summary(plan(set, [pod(0), pod(1), pod(2)])), ['delete web-2']);
    assert.deepEqual(summary(plan(set, [pod(0), pod(1), pod(2, REV1, 'terminating')])), []);
    assert.deepEqual(summary(plan(set, [pod(0), pod(1)])), ['delete web-1']);
  });

  it('does not scale down while a remaining pod is unhealthy', () => {
    assert.deepEqual(summary(plan(sts({ replicas: 1 }), [pod(0, REV1, 'pending'), pod(1)])), []);
  });

  it('deletes a failed pod so it is made again', () => {
    assert.deepEqual(summary(plan(sts(), [pod(0), pod(1, REV1, 'failed'), pod(2)])), ['delete web-1']);
  });

  it('starts at spec.ordinals.start', () => {
    assert.deepEqual(summary(plan(sts({ ordinals: { start: 5 } }), [])), ['create web-5']);
  });
});

describe('Parallel', () => {
  it('creates every missing pod at once and deletes every condemned one', () => {
    assert.deepEqual(summary(plan(sts({ podManagementPolicy: 'Parallel' }), [pod(1, REV1, 'pending')])), ['create web-0', 'create web-2']);
    assert.deepEqual(summary(plan(sts({ podManagementPolicy: 'Parallel', replicas: 1 }), [pod(0, REV1, 'pending'), pod(1), pod(2)])), [
      'delete web-2',
      'delete web-1',
    ]);
  });
});

describe('RollingUpdate', () => {
  const all = (rev = REV1) => [pod(0, rev), pod(1, rev), pod(2, rev)];

  it('replaces the highest ordinal not at the update revision first', () => {
    const p = plan(sts(), all(), REV2);
    assert.deepEqual(summary(p), ['delete web-2']);
    assert.equal(p.status.currentReplicas, 2);
  });

  it('recreates a replaced pod from the update revision', () => {
    const p = plan(sts(), [pod(0), pod(1)], REV2);
    assert.deepEqual(summary(p), ['create web-2']);
    assert.equal(p.actions[0]?.pod.metadata.labels?.[REVISION_LABEL], 'web-bbb');
  });

  it('waits for the updated pod to be healthy before the next', () => {
    assert.deepEqual(summary(plan(sts(), [pod(0), pod(1), pod(2, REV2, 'pending')], REV2)), []);
    assert.deepEqual(summary(plan(sts(), [pod(0), pod(1), pod(2, REV2)], REV2)), ['delete web-1']);
  });

  it('leaves ordinals below the partition alone, and recreates them at the current revision', () => {
    const set = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    assert.deepEqual(summary(plan(set, [pod(0), pod(1), pod(2, REV2)], REV2)), []);
    const p = plan(set, [pod(1), pod(2, REV2)], REV2);
    assert.deepEqual(summary(p), ['create web-0']);
    assert.equal(p.actions[0]?.pod.metadata.labels?.[REVISION_LABEL], 'web-aaa');
  });

  it('never deletes for an update with OnDelete', () => {
    assert.deepEqual(summary(plan(sts({ updateStrategy: { type: 'OnDelete' } }), all(), REV2)), []);
  });
});

describe('status', () => {
  it('counts ready, available, current and updated replicas', () => {
    const set = sts({ minReadySeconds: 120 });
    const p = plan(set, [pod(0), pod(1, REV2, 'ready', '2026-11-28T09:59:30Z'), pod(2, REV2, 'pending')], REV2);
    assert.deepEqual(
      { ...p.status },
      {
        observedGeneration: 2,
        currentRevision: 'web-aaa',
        updateRevision: 'web-bbb',
        collisionCount: 0,
        replicas: 3,
        readyReplicas: 2,
        availableReplicas: 1,
        currentReplicas: 1,
        updatedReplicas: 2,
      },
    );
  });

  it('makes the update revision current once every pod is updated and ready', () => {
    const p = plan(sts(), [pod(0, REV2), pod(1, REV2), pod(2, REV2)], REV2);
    const done = completeRollingUpdate(sts(), p.status);
    assert.equal(done.currentRevision, 'web-bbb');
    assert.equal(done.currentReplicas, 3);
    assert.ok(statusChanged(sts(), done));
    assert.ok(!statusChanged(sts({}, { ...done }), done));
  });
});
