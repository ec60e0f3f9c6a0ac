import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import type { NodeView, Taint } from '../../scheduler/types.js';
import { daemonSetStatus, planManage, planRollingUpdate, type DaemonInput } from './daemon-plan.js';
import { daemonTolerations, newDaemonPod, nodeShouldRunDaemonPod, pinToNode, REVISION_HASH_LABEL, targetNodeName, type DaemonSet } from './daemon-pods.js';

const NOW = new Date('2026-11-28T10:00:00Z');
const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true };

function ds(spec: Record<string, unknown> = {}, strategy: NonNullable<DaemonSet['spec']>['updateStrategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'a:1' }], ...spec } },
      updateStrategy: strategy,
    },
  };
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): NodeView {
  return { metadata: { name, labels }, spec: { taints } };
}

let seq = 0;
function pod(nodeName: string, hash = 'h1', state: 'ready' | 'pending' | 'failed' | 'succeeded' | 'terminating' = 'ready', created = '2026-11-28T09:00:00Z'): Pod {
  const p = newDaemonPod(ds(), hash, nodeName, ref);
  p.metadata.name = `agent-${++seq}`;
  p.metadata.uid = `uid-${seq}`;
  p.metadata.creationTimestamp = created;
  p.spec = { ...p.spec, nodeName };
  p.status =
    state === 'pending'
      ? { phase: 'Pending' }
      : state === 'failed'
        ? { phase: 'Failed' }
        : state === 'succeeded'
          ? { phase: 'Succeeded' }
          : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-28T09:00:00Z' }] };
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-11-28T09:59:00Z';
  return p;
}

const input = (d: DaemonSet, nodes: NodeView[], pods: Pod[], hash = 'h1'): DaemonInput => ({ ds: d, nodes, pods, hash, now: NOW });
const names = (ps: Pod[]): string[] => ps.map((p) => targetNodeName(p) ?? '?');

describe('daemon pod eligibility', () => {
  it('adds the upstream default tolerations, network-unavailable only with hostNetwork', () => {
    const keys = (t: ReturnType<typeof daemonTolerations>) => t.map((x) => `${x.key ?? ''}:${x.effect ?? ''}`);
    assert.deepEqual(keys(daemonTolerations({})), [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    assert.ok(keys(daemonTolerations({ hostNetwork: true })).includes('node.kubernetes.io/network-unavailable:NoSchedule'));
    const withOwn = daemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] });
    assert.equal(withOwn.filter((t) => t.key === 'node.kubernetes.io/not-ready').length, 1);
    assert.equal(withOwn[0]?.tolerationSeconds, undefined);
  });

  it('runs on nodes matching nodeSelector and required node affinity only', () => {
    const sel = ds({ nodeSelector: { disk: 'ssd' } });
    assert.equal(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), sel).shouldRun, true);
    assert.deepEqual(nodeShouldRunDaemonPod(node('b'), sel), { shouldRun: false, shouldContinueRunning: false });
    const aff = ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } } });
    assert.equal(nodeShouldRunDaemonPod(node('a', { zone: 'z1' }), aff).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('a', { zone: 'z2' }), aff).shouldRun, false);
  });

  it('keeps off nodes with untolerated taints, letting existing pods stay unless the taint is NoExecute', () => {
    const noSchedule = node('a', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    const noExecute = node('b', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, ds()), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeShouldRunDaemonPod(noExecute, ds()), { shouldRun: false, shouldContinueRunning: false });
    const tolerating = ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db' }] });
    assert.equal(nodeShouldRunDaemonPod(noExecute, tolerating).shouldRun, true);
  });

  it('tolerates the condition taints the node lifecycle sets, and cordoned nodes', () => {
    const n = node('a', {}, [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ]);
    assert.equal(nodeShouldRunDaemonPod(n, ds()).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('b', {}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds()).shouldRun, false);
  });

  it('pins each pod to its node with matchFields metadata.name, replacing other required terms', () => {
    const a = pinToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] } } }, 'sim-1');
    assert.deepEqual(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['sim-1'] }] }] });
    const p = newDaemonPod(ds(), 'h1', 'sim-1', ref);
    assert.equal(targetNodeName(p), 'sim-1');
    assert.equal(p.spec?.nodeName, undefined);
    assert.equal(p.metadata.generateName, 'agent-');
    assert.equal(p.metadata.labels?.[REVISION_HASH_LABEL], 'h1');
  });
});

describe('manage', () => {
  it('creates a pod on every eligible node without one', () => {
    const plan = planManage(input(ds(), [node('a'), node('b'), node('c', {}, [{ key: 'k', effect: 'NoSchedule' }])], [pod('a')]));
    assert.deepEqual(plan.create, ['b']);
    assert.deepEqual(plan.delete, []);
  });

  it('deletes pods on nodes that no longer qualify and extra pods beyond the oldest', () => {
    const keep = pod('a', 'h1', 'ready', '2026-11-28T08:00:00Z');
    const extra = pod('a', 'h1', 'ready', '2026-11-28T09:00:00Z');
    const off = pod('b');
    const plan = planManage(input(ds({ nodeSelector: { role: 'x' } }), [node('a', { role: 'x' }), node('b')], [keep, extra, off]));
    assert.deepEqual(plan.delete.map((p) => p.metadata.name), [extra.metadata.name, off.metadata.name]);
  });

  it('reports failed and succeeded pods for deletion', () => {
    const f = pod('a', 'h1', 'failed');
    const s = pod('b', 'h1', 'succeeded');
    const plan = planManage(input(ds(), [node('a'), node('b')], [f, s]));
    assert.deepEqual(plan.failed.map((x) => x.node), ['a']);
    assert.deepEqual(plan.succeeded.map((x) => x.node), ['b']);
  });

  it('deletes unscheduled pods aimed at nodes that are gone', () => {
    const p = newDaemonPod(ds(), 'h1', 'gone', ref);
    p.metadata.name = 'agent-x';
    assert.deepEqual(planManage(input(ds(), [node('a')], [pod('a'), p])).delete, [p]);
  });
});

describe('rolling update', () => {
  const nodes = [node('a'), node('b'), node('c')];

  it('replaces at most maxUnavailable available old pods at a time', () => {
    const plan = planRollingUpdate(input(ds(), nodes, [pod('a', 'h0'), pod('b', 'h0'), pod('c', 'h0')], 'h1'));
    assert.deepEqual(names(plan.delete), ['a']);
    const two = ds({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } });
    assert.deepEqual(names(planRollingUpdate(input(two, nodes, [pod('a', 'h0'), pod('b', 'h0'), pod('c', 'h0')], 'h1')).delete), ['a', 'b']);
  });

  it('waits while an updated pod is not yet available', () => {
    const plan = planRollingUpdate(input(ds(), nodes, [pod('a', 'h1', 'pending'), pod('b', 'h0'), pod('c', 'h0')], 'h1'));
    assert.deepEqual(plan.delete, []);
  });

  it('replaces unavailable old pods regardless of the budget', () => {
    const plan = planRollingUpdate(input(ds(), nodes, [pod('a', 'h1', 'pending'), pod('b', 'h0', 'pending'), pod('c', 'h0')], 'h1'));
    assert.deepEqual(names(plan.delete), ['b']);
  });

  it('with maxSurge, starts new pods beside old ones and removes the old once the new is available', () => {
    const surge = ds({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const first = planRollingUpdate(input(surge, nodes, [pod('a', 'h0'), pod('b', 'h0'), pod('c', 'h0')], 'h1'));
    assert.deepEqual(first, { create: ['a'], delete: [] });
    const old = pod('a', 'h0');
    const second = planRollingUpdate(input(surge, nodes, [old, pod('a', 'h1'), pod('b', 'h0'), pod('c', 'h0')], 'h1'));
    assert.deepEqual(second.delete, [old]);
    assert.deepEqual(second.create, ['b']);
  });
});

describe('status', () => {
  it('counts desired, scheduled, misscheduled, ready, updated and available', () => {
    const d = ds({ nodeSelector: { role: 'x' } });
    const s = daemonSetStatus(
      input(d, [node('a', { role: 'x' }), node('b', { role: 'x' }), node('c', { role: 'x' }), node('d')], [pod('a', 'h1'), pod('b', 'h0', 'pending'), pod('d')], 'h1'),
    );
    assert.deepEqual(s, {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      updatedNumberScheduled: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
  });
});
