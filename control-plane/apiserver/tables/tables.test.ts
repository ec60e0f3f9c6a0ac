import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { negotiateOutput } from './negotiate.js';
import { renderResponse } from './transform.js';
import { watchObjectEncoder } from './watch-encoder.js';
import type { Table } from './build-table.js';

const KUBECTL_GET = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const NOW = new Date('2025-01-01T12:00:00Z');
const table = newBuiltinTable();

function resolve(group: string, version: string, resource: string): ResolvedResource {
  const r = table.resolve(group, version, resource);
  assert.ok(r);
  return r;
}

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'default', resourceVersion: '12', creationTimestamp: '2025-01-01T11:55:00Z', labels: { app: 'web' } },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
  status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
};

describe('Accept negotiation', () => {
  test("kubectl get's Accept selects Table v1 with row metadata by default", () => {
    assert.deepEqual(negotiateOutput(KUBECTL_GET, {}), { as: 'Table', version: 'v1', includeObject: 'Metadata' });
  });
  test('Table v1beta1 is served when asked for first', () => {
    assert.deepEqual(negotiateOutput('application/json;as=Table;v=v1beta1;g=meta.k8s.io', { includeObject: 'Object' }), { as: 'Table', version: 'v1beta1', includeObject: 'Object' });
  });
  test('plain, empty, protobuf-first and wildcard Accepts stay plain JSON', () => {
    for (const a of [undefined, '', 'application/json', 'application/json, */*', 'application/vnd.kubernetes.protobuf,application/json', '*/*']) {
      assert.deepEqual(negotiateOutput(a, {}), { as: 'json' });
    }
  });
  test('quality values order the media ranges', () => {
    assert.deepEqual(negotiateOutput('application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io', {}), { as: 'Table', version: 'v1', includeObject: 'Metadata' });
  });
  test('an unknown includeObject is 400 BadRequest in upstream words', () => {
    assert.throws(
      () => negotiateOutput(KUBECTL_GET, { includeObject: 'Everything' }),
      (e: unknown) => isApiError(e) && e.status === 400 && /includeObject: Invalid value: "Everything": must be 'Metadata', 'Object', 'None', or empty/.test(e.message),
    );
  });
  test('asking only for a Table version that does not exist is 406', () => {
    assert.throws(() => negotiateOutput('application/json;as=Table;v=v2;g=meta.k8s.io', {}), (e: unknown) => isApiError(e) && e.status === 406);
  });
});

describe('Table responses', () => {
  const pods = resolve('', 'v1', 'pods');

  test('a single pod becomes a Table with every column, its row, the Completed condition and PartialObjectMetadata', () => {
    const r = renderResponse(negotiateOutput(KUBECTL_GET, {}), pods, pod, NOW);
    assert.equal(r.contentType, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    const t = JSON.parse(r.text) as Table;
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '12' });
    assert.deepEqual(t.columnDefinitions?.map((c) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    assert.deepEqual(t.rows[0]?.cells, ['web-0', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
    assert.equal(t.rows[0]?.conditions?.[0]?.type, 'Completed');
    assert.deepEqual(t.rows[0]?.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
  });

  test('a list keeps resourceVersion, continue and remainingItemCount; includeObject=Object carries typed items, None nothing', () => {
    const list = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '40', continue: 'tok', remainingItemCount: 3 }, items: [{ metadata: pod.metadata, spec: pod.spec, status: pod.status }] };
    const full = JSON.parse(renderResponse(negotiateOutput(KUBECTL_GET, { includeObject: 'Object' }), pods, list, NOW).text) as Table;
    assert.deepEqual(full.metadata, { resourceVersion: '40', continue: 'tok', remainingItemCount: 3 });
    assert.deepEqual(full.rows[0]?.object, { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata, spec: pod.spec, status: pod.status });
    const none = JSON.parse(renderResponse(negotiateOutput(KUBECTL_GET, { includeObject: 'None' }), pods, list, NOW).text) as Table;
    assert.equal(none.rows[0]?.object, null);
    const empty = JSON.parse(renderResponse(negotiateOutput(KUBECTL_GET, {}), pods, { ...list, items: [] }, NOW).text) as Table;
    assert.deepEqual(empty.rows, []);
  });

  test('limitranges and subresources of another kind print the default NAME / CREATED AT table', () => {
    const lr = resolve('', 'v1', 'limitranges');
    const t = JSON.parse(renderResponse(negotiateOutput(KUBECTL_GET, {}), lr, { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', creationTimestamp: '2025-01-01T00:00:00Z' } }, NOW).text) as Table;
    assert.deepEqual(t.columnDefinitions?.map((c) => [c.name, c.type]), [['Name', 'string'], ['Created At', 'date']]);
    assert.deepEqual(t.rows[0]?.cells, ['l', '2025-01-01T00:00:00Z']);
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 2 } };
    const st = JSON.parse(renderResponse(negotiateOutput(KUBECTL_GET, {}), resolve('apps', 'v1', 'deployments'), scale, NOW).text) as Table;
    assert.deepEqual(st.columnDefinitions?.map((c) => c.name), ['Name', 'Created At']);
  });

  test('events.k8s.io events print from their stored core form', () => {
    const ev = resolve('events.k8s.io', 'v1', 'events');
    const served = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' }, regarding: { kind: 'Pod', name: 'web-0' }, reason: 'Started', note: 'Started container', type: 'Normal', eventTime: '2025-01-01T11:59:00.000000Z', reportingController: 'kubelet', reportingInstance: 'node1', action: 'Start' };
    const t = JSON.parse(renderResponse(negotiateOutput(KUBECTL_GET, {}), ev, served, NOW).text) as Table;
    assert.deepEqual(t.rows[0]?.cells.slice(0, 4), ['60s', 'Normal', 'Started', 'pod/web-0']);
  });

  test('Status answers and plain JSON requests pass through unchanged', () => {
    const status = { kind: 'Status', apiVersion: 'v1', status: 'Success' };
    assert.deepEqual(renderResponse(negotiateOutput(KUBECTL_GET, {}), pods, status, NOW), { contentType: 'application/json', text: JSON.stringify(status) });
    assert.deepEqual(renderResponse(negotiateOutput('application/json', {}), pods, pod, NOW), { contentType: 'application/json', text: JSON.stringify(pod) });
  });

  test('PartialObjectMetadata and PartialObjectMetadataList are served, and the wrong one is 406', () => {
    const one = JSON.parse(renderResponse(negotiateOutput('application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', {}), pods, pod, NOW).text) as KubeObject;
    assert.deepEqual(one, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
    const list = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '40' }, items: [{ metadata: pod.metadata }] };
    const many = JSON.parse(renderResponse(negotiateOutput('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', {}), pods, list, NOW).text) as { kind: string; items: unknown[] };
    assert.equal(many.kind, 'PartialObjectMetadataList');
    assert.equal(many.items.length, 1);
    assert.throws(() => renderResponse(negotiateOutput('application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', {}), pods, list, NOW), (e: unknown) => isApiError(e) && e.status === 406);
  });
});

describe('Table watch events', () => {
  test('the first event carries columnDefinitions, later ones leave them null', () => {
    const enc = watchObjectEncoder(negotiateOutput(KUBECTL_GET, {}), resolve('', 'v1', 'pods'), { now: () => NOW });
    assert.ok(enc);
    assert.equal(enc.contentType, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    const first = JSON.parse(enc.line('ADDED', pod)) as { type: string; object: Table };
    const second = JSON.parse(enc.line('DELETED', pod)) as { type: string; object: Table };
    assert.equal(first.type, 'ADDED');
    assert.equal(first.object.columnDefinitions?.length, 9);
    assert.equal(second.type, 'DELETED');
    assert.equal(second.object.columnDefinitions, null);
    assert.deepEqual(second.object.rows[0]?.cells.slice(0, 3), ['web-0', '0/1', 'Completed']);
    assert.deepEqual(second.object.metadata, { resourceVersion: '12' });
  });

  test('plain watches use the shared lines (no encoder)', () => {
    assert.equal(watchObjectEncoder(negotiateOutput('application/json', {}), resolve('', 'v1', 'pods'), { now: () => NOW }), undefined);
  });
});
