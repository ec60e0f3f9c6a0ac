import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { makeNode, makePod } from '../fixtures.js';
import { podRequests } from '../requests.js';
import { ClusterSnapshot } from '../snapshot.js';
import type { TopologySpreadConstraint } from '../types.js';
import { podView } from '../types.js';
import { ERR_TOPOLOGY_SPREAD, ERR_TOPOLOGY_SPREAD_MISSING_LABEL, topologySpreadFilter } from './topology-spread.js';

/** The filter's verdict for `pod` on every node of the snapshot. */
function verdicts(s: ClusterSnapshot, pod: KubeObject): Record<string, string[]> {
  const view = podView(pod);
  const check = topologySpreadFilter.prepare({ pod: view, snapshot: s, requests: podRequests(view) });
  return Object.fromEntries(s.nodes().map((n) => [n.name, check(n)]));
}

const zoneSpread = (o: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: 'zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...o,
});

function web(name: string, constraint = zoneSpread(), extra: Record<string, string> = {}) {
  const p = makePod(name, { labels: { app: 'web', ...extra } });
  p.spec = { ...p.spec, topologySpreadConstraints: [constraint] };
  return p;
}

function cluster(nodes: [string, Record<string, string>][], bound: [string, string, Record<string, string>?][]): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (const [name, labels] of nodes) s.addNode(makeNode(name, { labels }));
  for (const [name, node, labels] of bound) s.addPod(makePod(name, { nodeName: node, labels: labels ?? { app: 'web' } }));
  return s;
}

describe('PodTopologySpread filter', () => {
  test('rejects domains where one more matching pod would exceed maxSkew over the global minimum', () => {
    const s = cluster(
      [['a1', { zone: 'a' }], ['b1', { zone: 'b' }], ['c1', { zone: 'c' }]],
      [['w1', 'a1'], ['w2', 'b1']],
    );
    assert.deepEqual(verdicts(s, web('new')), { a1: [ERR_TOPOLOGY_SPREAD], b1: [ERR_TOPOLOGY_SPREAD], c1: [] });
    assert.deepEqual(verdicts(s, web('new', zoneSpread({ maxSkew: 2 }))), { a1: [], b1: [], c1: [] });
  });

  test('only pods of the same namespace matching the selector count, and terminating pods do not', () => {
    const s = cluster([['a1', { zone: 'a' }], ['b1', { zone: 'b' }]], [['other', 'a1', { app: 'db' }]]);
    s.addPod({ ...makePod('elsewhere', { nodeName: 'a1', namespace: 'prod', labels: { app: 'web' } }) });
    const leaving = makePod('leaving', { nodeName: 'a1', labels: { app: 'web' } });
    leaving.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    s.addPod(leaving);
    assert.deepEqual(verdicts(s, web('new')), { a1: [], b1: [] });
  });

  test('a node without the topology key fails with the missing-label reason', () => {
    const s = cluster([['a1', { zone: 'a' }], ['bare', {}]], []);
    assert.deepEqual(verdicts(s, web('new')), { a1: [], bare: [ERR_TOPOLOGY_SPREAD_MISSING_LABEL] });
    assert.equal(ERR_TOPOLOGY_SPREAD_MISSING_LABEL, "node(s) didn't match pod topology spread constraints (missing required label)");
  });

  test('with fewer domains than minDomains the global minimum is 0', () => {
    const s = cluster([['a1', { zone: 'a' }], ['b1', { zone: 'b' }]], [['w1', 'a1'], ['w2', 'b1']]);
    assert.deepEqual(verdicts(s, web('new', zoneSpread({ minDomains: 2 }))), { a1: [], b1: [] });
    assert.deepEqual(verdicts(s, web('new', zoneSpread({ minDomains: 3 }))), { a1: [ERR_TOPOLOGY_SPREAD], b1: [ERR_TOPOLOGY_SPREAD] });
  });

  test("domains of nodes outside the pod's node affinity are ignored unless nodeAffinityPolicy is Ignore", () => {
    const s = cluster(
      [['a1', { zone: 'a', disk: 'ssd' }], ['b1', { zone: 'b', disk: 'ssd' }], ['c1', { zone: 'c' }]],
      [['w1', 'a1'], ['w2', 'b1']],
    );
    const honor = web('new');
    honor.spec = { ...honor.spec, nodeSelector: { disk: 'ssd' } };
    // Zone c is not eligible: the minimum is 1, so a and b accept one more.
    assert.deepEqual(verdicts(s, honor).a1, []);
    const ignore = web('new', zoneSpread({ nodeAffinityPolicy: 'Ignore' }));
    ignore.spec = { ...ignore.spec, nodeSelector: { disk: 'ssd' } };
    assert.deepEqual(verdicts(s, ignore).a1, [ERR_TOPOLOGY_SPREAD]);
  });

  test('nodeTaintsPolicy Honor leaves out domains of nodes with untolerated taints', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a1', { labels: { zone: 'a' } }));
    s.addNode(makeNode('c1', { labels: { zone: 'c' }, taints: [{ key: 'x', effect: 'NoSchedule' }] }));
    s.addPod(makePod('w1', { nodeName: 'a1', labels: { app: 'web' } }));
    assert.deepEqual(verdicts(s, web('new')).a1, [ERR_TOPOLOGY_SPREAD]);
    assert.deepEqual(verdicts(s, web('new', zoneSpread({ nodeTaintsPolicy: 'Honor' }))).a1, []);
  });

  test('matchLabelKeys narrow the selector to pods sharing the keys’ values', () => {
    const s = cluster([['a1', { zone: 'a' }], ['b1', { zone: 'b' }]], [['old1', 'a1', { app: 'web', hash: 'v1' }]]);
    assert.deepEqual(verdicts(s, web('new', zoneSpread(), { hash: 'v2' })).a1, [ERR_TOPOLOGY_SPREAD]);
    assert.deepEqual(verdicts(s, web('new', zoneSpread({ matchLabelKeys: ['hash'] }), { hash: 'v2' })).a1, []);
  });

  test('a pod not matching its own selector does not count itself', () => {
    const s = cluster([['a1', { zone: 'a' }], ['b1', { zone: 'b' }]], [['w1', 'a1']]);
    const outsider = makePod('new', { labels: { app: 'api' } });
    outsider.spec = { ...outsider.spec, topologySpreadConstraints: [zoneSpread()] };
    assert.deepEqual(verdicts(s, outsider), { a1: [], b1: [] });
  });

  test('ScheduleAnyway constraints never filter', () => {
    const s = cluster([['a1', { zone: 'a' }], ['bare', {}]], [['w1', 'a1'], ['w2', 'a1']]);
    assert.deepEqual(verdicts(s, web('new', zoneSpread({ whenUnsatisfiable: 'ScheduleAnyway' }))), { a1: [], bare: [] });
  });
});
