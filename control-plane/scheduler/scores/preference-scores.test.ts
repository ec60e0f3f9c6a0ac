import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { makeNode, makePod } from '../fixtures.js';
import { podRequests } from '../requests.js';
import { ClusterSnapshot } from '../snapshot.js';
import { podView, type PodView } from '../types.js';
import { interPodAffinityScorer } from './inter-pod-affinity.js';
import { nodeAffinityScorer } from './node-affinity.js';
import { defaultNormalizeScore, type ScorePlugin } from './score.js';
import { taintTolerationScorer } from './taint-toleration.js';
import { topologySpreadScorer } from './topology-spread.js';

/** Normalized scores of `plugin` for `pod` over every node, or null when it skips. */
function scores(plugin: ScorePlugin, s: ClusterSnapshot, pod: KubeObject): Record<string, number> | null {
  const view = podView(pod);
  const nodes = s.nodes();
  const scorer = plugin.prepare({ pod: view, snapshot: s, requests: podRequests(view) }, nodes);
  if (!scorer) return null;
  const raw = nodes.map(scorer);
  plugin.normalize?.(raw);
  return Object.fromEntries(nodes.map((n, i) => [n.name, raw[i] ?? NaN]));
}

function owned(pod: PodView, rs: string): PodView {
  pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `uid-${rs}`, controller: true }];
  return pod;
}

describe('DefaultNormalizeScore', () => {
  test('scales to the highest score, reversed on request, and leaves all-zero alone unless reversed', () => {
    const a = [0, 1, 3];
    defaultNormalizeScore(a, false);
    assert.deepEqual(a, [0, 33, 100]);
    const b = [0, 1, 3];
    defaultNormalizeScore(b, true);
    assert.deepEqual(b, [100, 67, 0]);
    const z = [0, 0];
    defaultNormalizeScore(z, false);
    assert.deepEqual(z, [0, 0]);
    defaultNormalizeScore(z, true);
    assert.deepEqual(z, [100, 100]);
  });
});

describe('NodeAffinity score', () => {
  test('sums the weights of matching preferred terms, normalized to the best node', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('ssd-a', { labels: { disk: 'ssd', zone: 'a' } }));
    s.addNode(makeNode('ssd-b', { labels: { disk: 'ssd', zone: 'b' } }));
    s.addNode(makeNode('hdd-a', { labels: { disk: 'hdd', zone: 'a' } }));
    const pod = makePod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
          ],
        },
      },
    });
    assert.deepEqual(scores(nodeAffinityScorer, s, pod), { 'hdd-a': 25, 'ssd-a': 100, 'ssd-b': 75 });
    assert.equal(nodeAffinityScorer.weight, 2);
  });

  test('skips pods without preferred terms', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('n'));
    assert.equal(scores(nodeAffinityScorer, s, makePod('p')), null);
  });
});

describe('TaintToleration score', () => {
  test('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('clean'));
    s.addNode(makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'hard', effect: 'NoSchedule' }] }));
    s.addNode(makeNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }));
    assert.deepEqual(scores(taintTolerationScorer, s, makePod('p')), { clean: 100, one: 50, two: 0 });
    const tolerant = makePod('p', { tolerations: [{ key: 'b', operator: 'Exists', effect: 'PreferNoSchedule' }, { key: 'a', operator: 'Exists', effect: 'NoSchedule' }] });
    // Only the toleration for PreferNoSchedule (or any effect) counts.
    assert.deepEqual(scores(taintTolerationScorer, s, tolerant), { clean: 100, one: 0, two: 0 });
    assert.equal(taintTolerationScorer.weight, 3);
  });
});

describe('InterPodAffinity score', () => {
  function zones(): ClusterSnapshot {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a1', { labels: { zone: 'a' } }));
    s.addNode(makeNode('b1', { labels: { zone: 'b' } }));
    s.addNode(makeNode('c1', { labels: { zone: 'c' } }));
    s.addPod(makePod('cache', { nodeName: 'a1', labels: { app: 'cache' } }));
    s.addPod(makePod('noisy', { nodeName: 'b1', labels: { app: 'noisy' } }));
    return s;
  }
  const term = (app: string, weight: number) => ({ weight, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: 'zone' } });

  test('preferred affinity attracts and preferred anti-affinity repels, min-max normalized', () => {
    const pod = makePod('p', {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term('cache', 10)] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term('noisy', 5)] },
      },
    });
    // raw: a=10, b=-5, c=0 → (s - min) / (max - min) × 100
    assert.deepEqual(scores(interPodAffinityScorer, zones(), pod), { a1: 100, b1: 0, c1: 33 });
  });

  test("existing pods' required affinity (weight 1) and preferred terms count for the incoming pod", () => {
    const s = zones();
    s.addPod(
      makePod('friend', {
        nodeName: 'c1',
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 3, podAffinityTerm: { labelSelector: { matchLabels: { tier: 'x' } }, topologyKey: 'zone' } }] },
        },
      }),
    );
    assert.deepEqual(scores(interPodAffinityScorer, s, makePod('p', { labels: { app: 'web' } })), { a1: 0, b1: 0, c1: 100 });
    // +1 (required affinity) - 3 (preferred anti-affinity) = -2 on zone c.
    assert.deepEqual(scores(interPodAffinityScorer, s, makePod('p', { labels: { app: 'web', tier: 'x' } })), { a1: 100, b1: 100, c1: 0 });
  });

  test('skips when neither the pod nor any existing pod has affinity terms', () => {
    assert.equal(scores(interPodAffinityScorer, zones(), makePod('p')), null);
  });
});

describe('PodTopologySpread score', () => {
  test('ScheduleAnyway constraints prefer the domains with fewer matching pods', () => {
    const s = new ClusterSnapshot();
    s.addNode(makeNode('a1', { labels: { zone: 'a' } }));
    s.addNode(makeNode('a2', { labels: { zone: 'a' } }));
    s.addNode(makeNode('b1', { labels: { zone: 'b' } }));
    s.addNode(makeNode('bare'));
    for (let i = 0; i < 2; i++) s.addPod(makePod(`w${i}`, { nodeName: 'a1', labels: { app: 'web' } }));
    const pod = makePod('p', { labels: { app: 'web' } });
    pod.spec = { ...pod.spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] };
    // weight ln(2 + 2); raw a = round(2 × 1.386) = 3, b = 0; bare lacks the key: ignored, 0.
    assert.deepEqual(scores(topologySpreadScorer, s, pod), { a1: 0, a2: 0, b1: 100, bare: 0 });
  });

  test("default spreading spreads a controller's pods over nodes and zones", () => {
    const s = new ClusterSnapshot();
    const zone = 'topology.kubernetes.io/zone';
    s.addNode(makeNode('a1', { labels: { [zone]: 'a' } }));
    s.addNode(makeNode('a2', { labels: { [zone]: 'a' } }));
    s.addNode(makeNode('b1', { labels: { [zone]: 'b' } }));
    s.addPod(owned(makePod('r1', { nodeName: 'a1' }), 'rs'));
    s.addPod(makePod('unrelated', { nodeName: 'b1' }));
    const got = scores(topologySpreadScorer, s, owned(makePod('p'), 'rs'));
    assert.ok(got);
    assert.ok((got.b1 ?? 0) > (got.a2 ?? 0) && (got.a2 ?? 0) > (got.a1 ?? 0), JSON.stringify(got));
    assert.equal(scores(topologySpreadScorer, s, makePod('orphan')), null);
  });

  test('the per-domain sums agree with walking the nodes that host matching pods', () => {
    const s = new ClusterSnapshot();
    const zone = 'topology.kubernetes.io/zone';
    for (let i = 0; i < 9; i++) s.addNode(makeNode(`n${i}`, { labels: { [zone]: `z${i % 3}`, pool: 'main' } }));
    for (let i = 0; i < 12; i++) s.addPod(owned(makePod(`r${i}`, { nodeName: `n${(i * 7) % 5}` }), 'rs'));
    const plain = scores(topologySpreadScorer, s, owned(makePod('p'), 'rs'));
    // A nodeSelector every node satisfies forces the walk; the answer is the same.
    const walked = scores(topologySpreadScorer, s, owned(makePod('p', { nodeSelector: { pool: 'main' } }), 'rs'));
    assert.deepEqual(walked, plain);
    assert.ok(plain && new Set(Object.values(plain)).size > 1);
  });
});
