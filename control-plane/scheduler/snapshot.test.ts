import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from './fixtures.js';
import { ClusterSnapshot } from './snapshot.js';

describe('ClusterSnapshot', () => {
  test('a node brings its allocatable, labels, taints and cordon flag', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1', { cpu: '2', memory: '1Gi', pods: 10, labels: { zone: 'a' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }], unschedulable: true }));
    const n = s.node('n1');
    assert.ok(n);
    assert.deepEqual(n.allocatable, { cpu: 2000, memory: 1024 ** 3, pods: 10 });
    assert.equal(n.labels.zone, 'a');
    assert.equal(n.taints.length, 1);
    assert.equal(n.unschedulable, true);
  });

  test('bound pods add their requests and host ports; removing them gives them back', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1'));
    const pod = makePod('p', { nodeName: 'n1', requests: { cpu: '500m' }, hostPorts: [8080] });
    assert.equal(s.addPod(pod), true);
    const n = s.node('n1');
    assert.ok(n);
    assert.equal(n.requested.cpu, 500);
    assert.equal(n.nonZeroRequested.memory, 200 * 1024 ** 2);
    assert.deepEqual(n.usedPorts, [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
    s.removePod(pod);
    assert.equal(n.requested.cpu, 0);
    assert.equal(n.pods.size, 0);
    assert.deepEqual(n.usedPorts, []);
  });

  test('unbound and terminal pods are not accounted', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1'));
    assert.equal(s.addPod(makePod('a')), false);
    assert.equal(s.addPod(makePod('b', { nodeName: 'n1', phase: 'Succeeded' })), false);
    assert.equal(s.node('n1')?.pods.size, 0);
  });

  test('an assumed pod later observed bound is counted once', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1'));
    const pod = makePod('p', { requests: { cpu: '1' } });
    s.assume(pod, 'n1');
    s.addPod(makePod('p', { requests: { cpu: '1' }, nodeName: 'n1' }));
    assert.equal(s.node('n1')?.requested.cpu, 1000);
    assert.equal(s.node('n1')?.pods.size, 1);
    assert.equal(s.nodeOf(pod), 'n1');
  });

  test('pods seen before their node count once the node arrives, and a removed node leaves the list', () => {
    const s = new ClusterSnapshot();
    s.addPod(makePod('p', { nodeName: 'late', requests: { cpu: '1' } }));
    assert.deepEqual(s.nodes(), []);
    s.addNode(makeNode('late'));
    assert.equal(s.node('late')?.requested.cpu, 1000);
    s.removeNode('late');
    assert.equal(s.node('late'), undefined);
  });

  test('updating a node replaces its labels and taints but keeps its pods', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1', { taints: [{ key: 'a', effect: 'NoSchedule' }] }));
    s.addPod(makePod('p', { nodeName: 'n1' }));
    s.updateNode(makeNode('n1', { labels: { x: 'y' } }));
    assert.deepEqual(s.node('n1')?.taints, []);
    assert.equal(s.node('n1')?.labels.x, 'y');
    assert.equal(s.node('n1')?.pods.size, 1);
  });

  test('nodes() is cached in name order and refreshed when the node set changes', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('b'));
    s.addNode(makeNode('a'));
    const first = s.nodes();
    assert.deepEqual(first.map((n) => n.name), ['a', 'b']);
    s.updateNode(makeNode('a', { labels: { x: '1' } }));
    assert.equal(s.nodes(), first);
    s.addNode(makeNode('c'));
    assert.deepEqual(s.nodes().map((n) => n.name), ['a', 'b', 'c']);
    s.removeNode('a');
    assert.deepEqual(s.nodes().map((n) => n.name), ['b', 'c']);
  });

  test('selector counts are built on first use and then follow pod additions and removals', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1'));
    s.addNode(makeNode('n2'));
    s.addPod(makePod('w1', { nodeName: 'n1', labels: { app: 'web' } }));
    s.addPod(makePod('other-ns', { nodeName: 'n1', namespace: 'prod', labels: { app: 'web' } }));
    const counts = s.matchCounts('default', { matchLabels: { app: 'web' } });
    assert.deepEqual([...counts], [['n1', 1]]);
    s.addPod(makePod('w2', { nodeName: 'n2', labels: { app: 'web' } }));
    const w1 = makePod('w1', { nodeName: 'n1', labels: { app: 'web' } });
    s.removePod(w1);
    assert.deepEqual([...s.matchCounts('default', { matchLabels: { app: 'web' } })], [['n2', 1]]);
    // A terminating pod no longer counts.
    const leaving = makePod('w2', { nodeName: 'n2', labels: { app: 'web' } });
    leaving.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    s.updatePod(leaving);
    assert.equal(s.matchCounts('default', { matchLabels: { app: 'web' } }).size, 0);
    assert.equal(s.matchCounts('default', null).size, 0);
  });

  test('controller counts and their per-domain sums follow pods and node relabelling', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a1', { labels: { zone: 'a' } }));
    s.addNode(makeNode('b1', { labels: { zone: 'b' } }));
    const owned = (name: string, node: string) => {
      const p = makePod(name, { nodeName: node });
      p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true }];
      return p;
    };
    s.addPod(owned('r1', 'a1'));
    const counts = s.ownerCounts('default/u1');
    assert.deepEqual([...counts], [['a1', 1]]);
    assert.deepEqual([...s.domainCounts(counts, 'zone')], [['a', 1]]);
    s.addPod(owned('r2', 'b1'));
    s.addPod(owned('r3', 'b1'));
    assert.deepEqual(Object.fromEntries(s.domainCounts(counts, 'zone')), { a: 1, b: 2 });
    // A heartbeat-style update keeps the sums; a label change rebuilds them.
    s.updateNode(makeNode('b1', { labels: { zone: 'b' } }));
    assert.deepEqual(Object.fromEntries(s.domainCounts(counts, 'zone')), { a: 1, b: 2 });
    s.updateNode(makeNode('b1', { labels: { zone: 'a' } }));
    assert.deepEqual(Object.fromEntries(s.domainCounts(counts, 'zone')), { a: 3 });
  });

  test('pods with pod affinity are indexed per node', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n1'));
    const anti = makePod('a', {
      nodeName: 'n1',
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { x: 'y' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    });
    s.addPod(anti);
    s.addPod(makePod('plain', { nodeName: 'n1' }));
    assert.deepEqual(s.nodesWithAffinityPods().map((n) => n.name), ['n1']);
    assert.equal(s.node('n1')?.podsWithRequiredAntiAffinity.size, 1);
    s.removePod(anti);
    assert.deepEqual(s.nodesWithRequiredAntiAffinityPods(), []);
    assert.deepEqual(s.nodesWithAffinityPods(), []);
  });
});
