import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../fixtures.js';
import { podRequests } from '../requests.js';
import { ClusterSnapshot } from '../snapshot.js';
import { balancedAllocationScorer, balancedScore } from './balanced-allocation.js';
import { leastAllocatedScore, leastAllocatedScorer } from './least-allocated.js';
import type { ScorePlugin } from './score.js';

function score(plugin: ScorePlugin, s: ClusterSnapshot, node: string, pod = makePod('p', { requests: { cpu: '1', memory: '1Gi' } })): number {
  const info = s.node(node);
  assert.ok(info);
  const scorer = plugin.prepare({ pod, snapshot: s, requests: podRequests(pod) });
  assert.ok(scorer);
  return scorer(info);
}

describe('least-allocated score', () => {
  test('is the integer share left free, averaged over cpu and memory', () => {
    assert.equal(leastAllocatedScore(1000, 4000), 75);
    assert.equal(leastAllocatedScore(1, 3), 66);
    assert.equal(leastAllocatedScore(5, 4), 0);
    assert.equal(leastAllocatedScore(0, 0), 0);
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n', { cpu: '4', memory: '4Gi' }));
    // cpu (4000-1000)/4000 = 75, memory (4-1)/4 = 75
    assert.equal(score(leastAllocatedScorer, s, 'n'), 75);
  });

  test('prefers the emptier node, counting pods without requests at the defaults', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('busy', { cpu: '1', memory: '1Gi' }));
    s.addNode(makeNode('idle', { cpu: '1', memory: '1Gi' }));
    for (let i = 0; i < 3; i++) s.addPod(makePod(`b${i}`, { nodeName: 'busy' }));
    const p = makePod('p');
    assert.ok(score(leastAllocatedScorer, s, 'idle', p) > score(leastAllocatedScorer, s, 'busy', p));
  });
});

describe('balanced-allocation score', () => {
  test('is 100 minus the standard deviation of the utilisation fractions', () => {
    assert.equal(balancedScore([0.5, 0.5]), 100);
    assert.equal(balancedScore([1, 0]), 50);
    assert.equal(balancedScore([0.25, 0.75]), 75);
  });

  test('prefers the node that the pod leaves balanced', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('cpu-heavy', { cpu: '4', memory: '4Gi' }));
    s.addNode(makeNode('even', { cpu: '4', memory: '4Gi' }));
    s.addPod(makePod('hog', { nodeName: 'cpu-heavy', requests: { cpu: '2' } }));
    assert.equal(score(balancedAllocationScorer, s, 'even'), 100);
    assert.equal(score(balancedAllocationScorer, s, 'cpu-heavy'), 75);
  });
});
