import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../api/meta.js';
import { makeNode, makePod } from './fixtures.js';
import { newSamplingState, numFeasibleNodesToFind } from './sampling.js';
import { isScheduled, schedule } from './schedule.js';
import { ClusterSnapshot } from './snapshot.js';

const clock: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };

function cluster(n: number, cpu = '4'): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (let i = 0; i < n; i++) s.addNode(makeNode(`n${String(i).padStart(4, '0')}`, { cpu }));
  return s;
}

describe('numFeasibleNodesToFind', () => {
  test('takes every node below 100, then an adaptive percentage with a floor of 100 nodes', () => {
    assert.equal(numFeasibleNodesToFind(0), 0);
    assert.equal(numFeasibleNodesToFind(99), 99);
    // 50 - 100/125 = 50% of 100 → 50, raised to 100
    assert.equal(numFeasibleNodesToFind(100), 100);
    // 50 - 8 = 42% of 1000
    assert.equal(numFeasibleNodesToFind(1000), 420);
    // 50 - 40 = 10% of 5000
    assert.equal(numFeasibleNodesToFind(5000), 500);
    // 50 - 48 = 2%, raised to the 5% minimum
    assert.equal(numFeasibleNodesToFind(6000), 300);
    assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
    assert.equal(numFeasibleNodesToFind(1000, 5), 100);
  });
});

describe('node sampling in schedule', () => {
  test('stops after enough feasible nodes and the next cycle starts where this one stopped', () => {
    const s = cluster(300);
    const sampling = newSamplingState();
    // 300 nodes: 50 - 2 = 48% → 144 feasible nodes per cycle.
    const first = schedule(s, makePod('p1'), { clock, rng: () => 0, sampling });
    assert.ok(isScheduled(first));
    assert.equal(sampling.nextStartNodeIndex, 144);
    // All nodes score alike; rng 0 picks the first examined node.
    assert.equal(first.node, 'n0000');
    const second = schedule(s, makePod('p2'), { clock, rng: () => 0, sampling });
    assert.ok(isScheduled(second));
    assert.equal(second.node, 'n0144');
    schedule(s, makePod('p3'), { clock, rng: () => 0, sampling });
    assert.equal(sampling.nextStartNodeIndex, (144 * 3) % 300);
  });

  test('rejected nodes count as processed too', () => {
    const s = cluster(150, '1');
    for (let i = 150; i < 300; i++) s.addNode(makeNode(`n${i}`, { cpu: '4' }));
    const sampling = newSamplingState();
    // 300 nodes → 144 to find; the first 150 (small) are all rejected.
    const d = schedule(s, makePod('big', { requests: { cpu: '2' } }), { clock, rng: () => 0, sampling });
    assert.ok(isScheduled(d));
    assert.equal(sampling.nextStartNodeIndex, 150 + 144);
  });

  test('when no node fits every node is examined and the diagnosis covers them all', () => {
    const s = cluster(250, '1');
    const sampling = { nextStartNodeIndex: 77 };
    const d = schedule(s, makePod('big', { requests: { cpu: '2' } }), { clock, rng: () => 0, sampling });
    assert.ok(!isScheduled(d));
    assert.equal(d.message, '0/250 nodes are available: 250 Insufficient cpu.');
    assert.equal(Object.keys(d.nodeReasons).length, 250);
    assert.equal(sampling.nextStartNodeIndex, 77);
  });

  test('rotation spreads equal pods over all nodes instead of piling onto the first ones', () => {
    const s = cluster(400);
    const sampling = newSamplingState();
    const used = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const d = schedule(s, makePod(`p${i}`), { clock, rng: () => 0, sampling });
      assert.ok(isScheduled(d));
      used.add(d.node);
    }
    assert.equal(used.size, 4);
  });
});
