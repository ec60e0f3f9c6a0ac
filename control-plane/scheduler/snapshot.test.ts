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
});
