import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../api/meta.js';
import { makeNode, makePod } from './fixtures.js';
import { fitErrorMessage, isScheduled, schedule, scheduleBatch, type ScheduleOptions } from './schedule.js';
import { ClusterSnapshot } from './snapshot.js';

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
