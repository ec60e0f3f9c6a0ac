import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { nodeMetricsFrom, podMetricsFrom } from './summary-metrics.js';

const T = '2026-11-28T12:00:00Z';
const summary = {
  node: { nodeName: 'n1', cpu: { time: T, usageNanoCores: 250_000_000.4, usageCoreNanoSeconds: 9e12 }, memory: { time: T, workingSetBytes: 1024 * 1024 * 300 } },
  pods: [
    {
      podRef: { name: 'web', namespace: 'default', uid: 'u1' },
      containers: [
        { name: 'b', cpu: { time: T, usageNanoCores: 1000 }, memory: { workingSetBytes: 4096 } },
        { name: 'a', cpu: { time: T, usageNanoCores: 5 }, memory: { workingSetBytes: 2048 } },
        { name: 'starting', cpu: { time: T }, memory: {} },
      ],
    },
    { podRef: { name: 'gone', namespace: 'default', uid: 'u2' }, containers: [{ name: 'c', cpu: { usageNanoCores: 1 }, memory: { workingSetBytes: 1 } }] },
    { podRef: { name: 'db', namespace: 'other', uid: 'u3' }, containers: [{ name: 'c', cpu: { usageNanoCores: 1 }, memory: { workingSetBytes: 1024 } }] },
  ],
};
const pod = (ns: string, name: string, uid: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, uid, ...(labels ? { labels } : {}) } });

test('node metrics report nanocores and the working set in Ki, with the node labels', () => {
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } } };
  const m = nodeMetricsFrom(summary, node, 'now');
  assert.deepEqual(m?.usage, { cpu: '250000000n', memory: '307200Ki' });
  assert.equal(m?.timestamp, T);
  assert.equal(m?.window, '10s');
  assert.deepEqual(m?.metadata.labels, { zone: 'a' });
});

test('a node without a CPU rate yet has no metrics', () => {
  assert.equal(nodeMetricsFrom({ node: { nodeName: 'n1', cpu: {}, memory: { workingSetBytes: 1 } } }, undefined, 'now'), undefined);
  assert.equal(nodeMetricsFrom('garbage', undefined, 'now'), undefined);
});

test('pod metrics list complete containers by name, only for pods that still exist, narrowed by namespace', () => {
  const pods = new Map([
    ['default/web', pod('default', 'web', 'u1', { app: 'web' })],
    ['other/db', pod('other', 'db', 'u3')],
  ]);
  const all = podMetricsFrom(summary, '', pods, 'now');
  assert.deepEqual(
    all.map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
    ['default/web', 'other/db'],
  );
  const web = all[0]!;
  assert.deepEqual(web.containers, [
    { name: 'a', usage: { cpu: '5n', memory: '2Ki' } },
    { name: 'b', usage: { cpu: '1000n', memory: '4Ki' } },
  ]);
  assert.deepEqual(web.metadata.labels, { app: 'web' });
  assert.deepEqual(
    podMetricsFrom(summary, 'other', pods, 'now').map((p) => p.metadata.name),
    ['db'],
  );
});

test('a summary entry for a recreated pod (another uid) is not reported for the new pod', () => {
  const pods = new Map([['default/web', pod('default', 'web', 'new-uid')]]);
  assert.deepEqual(podMetricsFrom(summary, 'default', pods, 'now'), []);
});
