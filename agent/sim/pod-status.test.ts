import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { exitContainers, startPodRun, type PodRun } from './pod-runtime.js';
import { imageID, podStatusEqual, renderPodStatus, type PodCondition } from './pod-status.js';

const t0 = new Date('2026-11-28T10:00:00Z');
const t1 = new Date('2026-11-28T10:01:00Z');

function pod(spec: Record<string, unknown> = {}, status: Record<string, unknown> = { phase: 'Pending', qosClass: 'BestEffort' }): KubeObject {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { nodeName: 'sim-0', containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'aux', image: 'busybox' }], ...spec },
    status,
  };
}

function run(p: KubeObject): PodRun {
  let n = 0;
  return startPodRun(p, '10.42.0.5', '10.200.0.1', t0, () => `c${n++}`);
}

const conds = (s: { conditions?: PodCondition[] }) => (s.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}`);

describe('pod-status', () => {
  it('renders a started pod Running and Ready with the kubelet conditions in the kubelet order', () => {
    const p = pod();
    const s = renderPodStatus(p, run(p), t0);
    assert.equal(s.phase, 'Running');
    assert.deepEqual(conds(s), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.equal(s.podIP, '10.42.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.42.0.5' }]);
    assert.equal(s.hostIP, '10.200.0.1');
    assert.deepEqual(s.hostIPs, [{ ip: '10.200.0.1' }]);
    assert.equal(s.startTime, '2026-11-28T10:00:00Z');
    assert.equal(s.qosClass, 'BestEffort', 'fields the sim does not own are kept');
  });

  it('lists container statuses by name with running state, image, imageID and a sim:// containerID', () => {
    const p = pod();
    const s = renderPodStatus(p, run(p), t0);
    const cs = s.containerStatuses as Record<string, unknown>[];
    assert.deepEqual(cs.map((c) => c.name), ['aux', 'web']);
    assert.deepEqual(cs[1], {
      name: 'web',
      state: { running: { startedAt: '2026-11-28T10:00:00Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'nginx:1.27',
      imageID: imageID('nginx:1.27'),
      containerID: 'sim://c0',
      started: true,
    });
    assert.match(imageID('nginx:1.27'), /^nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(s.initContainerStatuses, undefined);
  });

  it('reports init containers terminated Completed, ready, not started', () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
    const s = renderPodStatus(p, run(p), t0);
    const [ic] = s.initContainerStatuses as Record<string, unknown>[];
    assert.deepEqual((ic?.state as { terminated: { reason: string; exitCode: number } }).terminated.reason, 'Completed');
    assert.equal(ic?.ready, true);
    assert.equal(ic?.started, false);
  });

  it('a Succeeded pod is not Ready, with reason PodCompleted', () => {
    const p = pod({ restartPolicy: 'Never' });
    const r = run(p);
    exitContainers(r, 'Never', t1, () => 'x');
    const s = renderPodStatus(p, r, t1);
    assert.equal(s.phase, 'Succeeded');
    assert.deepEqual(conds(s), ['PodReadyToStartContainers=False', 'Initialized=True/PodCompleted', 'Ready=False/PodCompleted', 'ContainersReady=False/PodCompleted', 'PodScheduled=True']);
  });

  it('leaves readiness gates to others: Ready follows their conditions, as upstream', () => {
    const gated = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] });
    const missing = renderPodStatus(gated, run(gated), t0);
    const ready = missing.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'ReadinessGatesNotReady');
    assert.equal(ready?.message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist.');

    const gateFalse = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] }, { conditions: [{ type: 'example.com/lb', status: 'False' }] });
    assert.equal(
      renderPodStatus(gateFalse, run(gateFalse), t0).conditions?.find((c) => c.type === 'Ready')?.message,
      'the status of pod readiness gate "example.com/lb" is not "True", but False',
    );

    const open = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] }, { conditions: [{ type: 'example.com/lb', status: 'True', lastTransitionTime: 'x' }] });
    const s = renderPodStatus(open, run(open), t0);
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.deepEqual(s.conditions?.at(-1), { type: 'example.com/lb', status: 'True', lastTransitionTime: 'x' }, 'the gate condition is kept as it is');
  });

  it('keeps lastTransitionTime of unchanged conditions, so re-rendering what the server holds is equal', () => {
    const p = pod();
    const r = run(p);
    const first = renderPodStatus(p, r, t0);
    const held = pod({}, JSON.parse(JSON.stringify(first)) as Record<string, unknown>);
    const again = renderPodStatus(held, r, t1);
    assert.ok(podStatusEqual(held.status, again));
    exitContainers(r, 'Never', t1, () => 'x');
    const after = renderPodStatus(held, r, t1);
    assert.ok(!podStatusEqual(held.status, after));
    assert.equal(after.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-11-28T10:01:00Z');
    assert.equal(after.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, '2026-11-28T10:00:00Z');
  });
});
