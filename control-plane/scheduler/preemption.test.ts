import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../api/meta.js';
import { makeNode, makePod, type NodeSpecInput, type PodSpecInput } from './fixtures.js';
import { failedSchedulingMessage, isPreemptionFailure, preempt, type PreemptionCandidate, type PreemptionResult } from './preemption.js';
import { isScheduled, schedule } from './schedule.js';
import { ClusterSnapshot } from './snapshot.js';
import type { PodView } from './types.js';

const clock: Clock = { now: () => new Date('2026-01-01T12:00:00Z') };

function pod(name: string, priority: number, o: PodSpecInput & { startTime?: string; preemptionPolicy?: string } = {}): PodView {
  const p = makePod(name, o);
  p.spec = { ...p.spec, priority, ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}) };
  if (o.startTime) p.status = { ...p.status, startTime: o.startTime };
  return p;
}

function cluster(nodes: [string, NodeSpecInput][], pods: PodView[]): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (const [n, o] of nodes) s.addNode(makeNode(n, o));
  for (const p of pods) s.addPod(p);
  return s;
}

function candidate(r: PreemptionResult): PreemptionCandidate {
  assert.ok(!isPreemptionFailure(r), isPreemptionFailure(r) ? r.message : '');
  return r;
}

const names = (c: PreemptionCandidate) => c.victims.map((v) => v.metadata.name);

describe('preempt', () => {
  test('evicts only as many lower-priority pods as needed, reprieving the most important first', () => {
    const s = cluster(
      [['n1', { cpu: '4' }]],
      [
        pod('high-existing', 100, { nodeName: 'n1', requests: { cpu: '1' } }),
        pod('mid', 5, { nodeName: 'n1', requests: { cpu: '1' } }),
        pod('low-a', 1, { nodeName: 'n1', requests: { cpu: '1' } }),
        pod('low-b', 1, { nodeName: 'n1', requests: { cpu: '1' } }),
      ],
    );
    const c = candidate(preempt(s, pod('incoming', 10, { requests: { cpu: '2' } }), { clock }));
    assert.equal(c.nodeName, 'n1');
    assert.deepEqual(names(c).sort(), ['low-a', 'low-b']);
    assert.equal(c.numPDBViolations, 0);
    // The snapshot is unchanged.
    assert.equal(s.node('n1')?.pods.size, 4);
    assert.equal(s.node('n1')?.requested.cpu, 4000);
  });

  test('prefers the node whose victims have the lowest highest priority, then fewer victims', () => {
    const s = cluster(
      [['a', { cpu: '2' }], ['b', { cpu: '2' }], ['c', { cpu: '2' }]],
      [
        pod('a-mid', 50, { nodeName: 'a', requests: { cpu: '2' } }),
        pod('b-low1', 1, { nodeName: 'b', requests: { cpu: '1' } }),
        pod('b-low2', 1, { nodeName: 'b', requests: { cpu: '1' } }),
        pod('c-low', 1, { nodeName: 'c', requests: { cpu: '2' } }),
      ],
    );
    const c = candidate(preempt(s, pod('incoming', 100, { requests: { cpu: '2' } }), { clock }));
    assert.equal(c.nodeName, 'c');
    assert.deepEqual(names(c), ['c-low']);
  });

  test('among equal victims the node whose victims started last is chosen', () => {
    const s = cluster(
      [['old', { cpu: '1' }], ['new', { cpu: '1' }]],
      [
        pod('v-old', 1, { nodeName: 'old', requests: { cpu: '1' }, startTime: '2026-01-01T00:00:00Z' }),
        pod('v-new', 1, { nodeName: 'new', requests: { cpu: '1' }, startTime: '2026-01-01T06:00:00Z' }),
      ],
    );
    assert.equal(candidate(preempt(s, pod('incoming', 10, { requests: { cpu: '1' } }), { clock })).nodeName, 'new');
  });

  test('avoids violating PodDisruptionBudgets, and counts violations when it must', () => {
    const guarded = (name: string, node: string) => pod(name, 1, { nodeName: node, requests: { cpu: '1' }, labels: { app: 'db' } });
    const s = cluster([['a', { cpu: '1' }], ['b', { cpu: '1' }]], [guarded('db-a', 'a'), pod('free', 1, { nodeName: 'b', requests: { cpu: '1' } })]);
    const pdbs = [{ namespace: 'default', selector: { matchLabels: { app: 'db' } }, disruptionsAllowed: 0 }];
    const c = candidate(preempt(s, pod('incoming', 10, { requests: { cpu: '1' } }), { clock, pdbs }));
    assert.equal(c.nodeName, 'b');
    const only = cluster([['a', { cpu: '1' }]], [guarded('db-a', 'a')]);
    const forced = candidate(preempt(only, pod('incoming', 10, { requests: { cpu: '1' } }), { clock, pdbs }));
    assert.deepEqual(names(forced), ['db-a']);
    assert.equal(forced.numPDBViolations, 1);
    // A budget in another namespace or with an empty selector covers nothing.
    const other = candidate(preempt(only, pod('incoming', 10, { requests: { cpu: '1' } }), { clock, pdbs: [{ namespace: 'default', selector: {}, disruptionsAllowed: 0 }] }));
    assert.equal(other.numPDBViolations, 0);
  });

  test('reprieves PDB-protected victims before the others', () => {
    const s = cluster(
      [['n', { cpu: '2' }]],
      [pod('guarded', 1, { nodeName: 'n', requests: { cpu: '1' }, labels: { app: 'db' } }), pod('plain', 1, { nodeName: 'n', requests: { cpu: '1' } })],
    );
    const pdbs = [{ namespace: 'default', selector: { matchLabels: { app: 'db' } }, disruptionsAllowed: 0 }];
    const c = candidate(preempt(s, pod('incoming', 10, { requests: { cpu: '1' } }), { clock, pdbs }));
    assert.deepEqual(names(c), ['plain']);
    assert.equal(c.numPDBViolations, 0);
  });

  test('every filter is re-run without the victims: a blocking anti-affinity peer can be preempted', () => {
    const s = cluster([['n', { cpu: '4' }]], [pod('peer', 1, { nodeName: 'n', labels: { app: 'x' } }), pod('keep', 1, { nodeName: 'n', labels: { app: 'y' } })]);
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const c = candidate(preempt(s, pod('incoming', 10, { affinity: anti }), { clock }));
    assert.deepEqual(names(c), ['peer']);
  });

  test('required pod affinity and a missing topology label are not helped by preemption', () => {
    const s = cluster([['n', { cpu: '1' }]], [pod('low', 1, { nodeName: 'n', requests: { cpu: '1' } })]);
    const affine = pod('incoming', 10, {
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    });
    const r1 = preempt(s, affine, { clock });
    assert.ok(isPreemptionFailure(r1));
    assert.equal(r1.message, 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    const spread = pod('incoming', 10, { labels: { app: 'web' } });
    spread.spec = { ...spread.spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] };
    const r2 = preempt(s, spread, { clock });
    assert.ok(isPreemptionFailure(r2));
    assert.equal(r2.message, 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  });

  test('a pod with preemptionPolicy Never is not eligible', () => {
    const s = cluster([['n', { cpu: '1' }]], [pod('low', 1, { nodeName: 'n', requests: { cpu: '1' } })]);
    const r = preempt(s, pod('incoming', 10, { requests: { cpu: '1' }, preemptionPolicy: 'Never' }), { clock });
    assert.ok(isPreemptionFailure(r));
    assert.equal(r.message, 'preemption: not eligible due to preemptionPolicy=Never.');
  });
});

describe('the FailedScheduling message with preemption', () => {
  test('no lower-priority pods: "No preemption victims found for incoming pod"', () => {
    const s = cluster(
      [['a', { cpu: '1' }], ['b', { cpu: '1' }], ['c', { cpu: '1' }]],
      ['a', 'b', 'c'].map((n) => pod(`busy-${n}`, 100, { nodeName: n, requests: { cpu: '1' } })),
    );
    const incoming = pod('incoming', 10, { requests: { cpu: '1' } });
    const d = schedule(s, incoming, { clock, rng: () => 0 });
    assert.ok(!isScheduled(d));
    assert.equal(
      failedSchedulingMessage(d, preempt(s, incoming, { clock })),
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  test('unresolvable nodes are "not helpful"; others keep the reasons preemption could not fix', () => {
    const s = cluster(
      [['tainted', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }], ['tiny', { cpu: '1' }], ['ported', { cpu: '4' }]],
      [pod('web', 100, { nodeName: 'ported', hostPorts: [80] }), pod('low', 1, { nodeName: 'ported', requests: { cpu: '500m' } })],
    );
    const incoming = pod('incoming', 10, { requests: { cpu: '2' }, hostPorts: [80] });
    const d = schedule(s, incoming, { clock, rng: () => 0 });
    assert.ok(!isScheduled(d));
    assert.equal(
      failedSchedulingMessage(d, preempt(s, incoming, { clock })),
      "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had untolerated taint {k: v}. " +
        "preemption: 0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 2 Preemption is not helpful for scheduling.",
    );
  });

  test('a successful preemption adds nothing to the message', () => {
    const s = cluster([['n', { cpu: '1' }]], [pod('low', 1, { nodeName: 'n', requests: { cpu: '1' } })]);
    const incoming = pod('incoming', 10, { requests: { cpu: '1' } });
    const d = schedule(s, incoming, { clock, rng: () => 0 });
    assert.ok(!isScheduled(d));
    const r = preempt(s, incoming, { clock });
    assert.deepEqual(names(candidate(r)), ['low']);
    assert.equal(failedSchedulingMessage(d, r), '0/1 nodes are available: 1 Insufficient cpu.');
  });
});
