import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../api/meta.js';
import { makeNode, makePod } from './fixtures.js';
import { fitErrorMessage, isScheduled, schedule, scheduleBatch, type ScheduleOptions } from './schedule.js';
import { podRequests } from './requests.js';
import { ClusterSnapshot } from './snapshot.js';
import type { PodView } from './types.js';

const clock: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const opts = (r = 0): ScheduleOptions => ({ clock, rng: () => r });

describe('the FailedScheduling message', () => {
  test('counts reasons per node and sorts the "<count> <reason>" strings as upstream', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('small-1', { cpu: '1' }));
    s.addNode(makeNode('small-2', { cpu: '1' }));
    for (let i = 0; i < 3; i++) s.addNode(makeNode(`gpu-${i}`, { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
    const d = schedule(s, makePod('p', { requests: { cpu: '2' } }), opts());
    assert.ok(!isScheduled(d));
    assert.equal(d.message, '0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: gpu}.');
  });

  test('a node with several shortfalls counts under each', () => {
    assert.equal(
      fitErrorMessage(3, { a: ['Insufficient cpu', 'Insufficient memory'], b: ['Insufficient memory'], c: ["node(s) didn't match Pod's node affinity/selector"] }),
      "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory.",
    );
  });

  test('sorting is by string, so 10 sorts before 2', () => {
    const reasons: Record<string, string[]> = {};
    for (let i = 0; i < 10; i++) reasons[`t${i}`] = ['node(s) were unschedulable'];
    for (let i = 0; i < 2; i++) reasons[`c${i}`] = ['Insufficient cpu'];
    assert.equal(fitErrorMessage(12, reasons), '0/12 nodes are available: 10 node(s) were unschedulable, 2 Insufficient cpu.');
  });

  test('an empty cluster says no nodes are available', () => {
    const d = schedule(new ClusterSnapshot(), makePod('p'), opts());
    assert.ok(!isScheduled(d));
    assert.equal(d.message, 'no nodes available to schedule pods');
  });
});

describe('schedule', () => {
  test('places the pod on the best-scored feasible node', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('full', { cpu: '1' }));
    s.addNode(makeNode('busy', { cpu: '4' }));
    s.addNode(makeNode('idle', { cpu: '4' }));
    s.addPod(makePod('x', { nodeName: 'busy', requests: { cpu: '2' } }));
    const d = schedule(s, makePod('p', { requests: { cpu: '2' } }), opts());
    assert.ok(isScheduled(d));
    assert.equal(d.node, 'idle');
    assert.ok(d.score > 0);
  });

  test('ties are broken with the injected rng', () => {
    const s = new ClusterSnapshot();
    for (const n of ['a', 'b', 'c']) s.addNode(makeNode(n));
    const pick = (r: number) => {
      const d = schedule(s, makePod('p'), opts(r));
      assert.ok(isScheduled(d));
      return d.node;
    };
    assert.deepEqual([pick(0), pick(0.4), pick(0.99)], ['a', 'b', 'c']);
  });

  test('does not change the snapshot', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a'));
    schedule(s, makePod('p', { requests: { cpu: '1' } }), opts());
    assert.equal(s.node('a')?.pods.size, 0);
  });
});

describe('scheduleBatch', () => {
  test('later pods see earlier placements', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a', { cpu: '2' }));
    s.addNode(makeNode('b', { cpu: '2' }));
    const pods = [0, 1, 2].map((i) => makePod(`p${i}`, { requests: { cpu: '1500m' } }));
    const results = scheduleBatch(s, pods, opts());
    const placed = results.map((r) => (isScheduled(r.decision) ? r.decision.node : undefined));
    assert.deepEqual(placed.slice(0, 2).sort(), ['a', 'b']);
    const last = results[2]?.decision;
    assert.ok(last && !isScheduled(last));
    assert.equal(last.message, '0/2 nodes are available: 2 Insufficient cpu.');
  });

  test('required anti-affinity spreads a group one per node', () => {
    const s = new ClusterSnapshot();
    for (const n of ['a', 'b', 'c']) s.addNode(makeNode(n));
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const pods = [0, 1, 2, 3].map((i) => makePod(`x${i}`, { labels: { app: 'x' }, affinity: anti }));
    const results = scheduleBatch(s, pods, opts());
    const nodes = results.flatMap((r) => (isScheduled(r.decision) ? [r.decision.node] : []));
    assert.deepEqual([...nodes].sort(), ['a', 'b', 'c']);
    const last = results[3]?.decision;
    assert.ok(last && !isScheduled(last));
    assert.equal(last.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
  });
});

describe('scoring with every default plug-in', () => {
  test('a preferred node affinity outweighs a little more free capacity', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('roomy', { cpu: '8' }));
    s.addNode(makeNode('ssd', { cpu: '4', labels: { disk: 'ssd' } }));
    const pod = makePod('p', {
      requests: { cpu: '1' },
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } },
    });
    const d = schedule(s, pod, opts());
    assert.ok(isScheduled(d));
    assert.equal(d.node, 'ssd');
  });

  test('nodes with untolerated PreferNoSchedule taints are avoided', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('soft', { cpu: '8', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }));
    s.addNode(makeNode('plain', { cpu: '4' }));
    const d = schedule(s, makePod('p', { requests: { cpu: '1' } }), opts());
    assert.ok(isScheduled(d));
    assert.equal(d.node, 'plain');
  });

  test('a ReplicaSet\'s pods spread over nodes and zones by default', () => {
    const s = new ClusterSnapshot();
    const zone = 'topology.kubernetes.io/zone';
    for (const [n, z] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['b2', 'b']]) s.addNode(makeNode(n as string, { labels: { [zone]: z as string } }));
    const pods = [0, 1, 2, 3].map((i) => {
      const p = makePod(`web-${i}`);
      p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1', controller: true }];
      return p;
    });
    const nodes = scheduleBatch(s, pods, opts()).map((r) => (isScheduled(r.decision) ? r.decision.node : 'none'));
    assert.deepEqual([...nodes].sort(), ['a1', 'a2', 'b1', 'b2']);
    // The first two land in different zones.
    assert.notEqual(nodes[0]?.[0], nodes[1]?.[0]);
  });

  test('DoNotSchedule topology spread keeps zones within maxSkew and reports the upstream reason', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a1', { labels: { zone: 'a' } }));
    s.addNode(makeNode('b1', { labels: { zone: 'b' }, pods: 1 }));
    const spread = (name: string) => {
      const p = makePod(name, { labels: { app: 'x' } });
      p.spec = { ...p.spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'x' } } }] };
      return p;
    };
    const results = scheduleBatch(s, [spread('x0'), spread('x1'), spread('x2'), spread('x3')], opts());
    const nodes = results.map((r) => (isScheduled(r.decision) ? r.decision.node : undefined));
    assert.deepEqual([...nodes.slice(0, 2)].sort(), ['a1', 'b1']);
    // b1 is full; zone a may lead by maxSkew = 1 but not by 2.
    assert.equal(nodes[2], 'a1');
    const last = results[3]?.decision;
    assert.ok(last && !isScheduled(last));
    assert.equal(last.message, "0/2 nodes are available: 1 Too many pods, 1 node(s) didn't match pod topology spread constraints.");
  });
});

describe('scheduleBatch at scale', () => {
  test('schedules 2,000 pods over 1,000 nodes without over-committing any node', () => {
    const s = new ClusterSnapshot();
    for (let i = 0; i < 1000; i++) s.addNode(makeNode(`node-${i}`, { cpu: '2', memory: '4Gi', pods: 4, labels: { 'topology.kubernetes.io/zone': `z${i % 3}` } }));
    const pods: PodView[] = [];
    for (let i = 0; i < 2000; i++) {
      const p = makePod(`p-${i}`, { labels: { app: `a${i % 10}` }, requests: { cpu: '500m', memory: '512Mi' } });
      if (i % 2 === 0) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs${i % 10}`, uid: `u${i % 10}`, controller: true }];
      pods.push(p);
    }
    let seed = 7;
    const rng = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const results = scheduleBatch(s, pods, { clock, rng });
    const perNode = new Map<string, PodView[]>();
    for (const r of results) {
      assert.ok(isScheduled(r.decision), 'capacity suffices for every pod');
      const list = perNode.get(r.decision.node) ?? [];
      list.push(r.pod as PodView);
      perNode.set(r.decision.node, list);
    }
    for (const [node, list] of perNode) {
      assert.ok(list.length <= 4, `${node} pods`);
      assert.ok(list.reduce((sum, p) => sum + (podRequests(p).cpu ?? 0), 0) <= 2000, `${node} cpu`);
      assert.equal(s.node(node)?.pods.size, list.length);
    }
    // Least-allocated scoring and rotation spread 2,000 pods widely.
    assert.ok(perNode.size > 900, `only ${perNode.size} nodes used`);
  });
});
