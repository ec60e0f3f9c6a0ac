/** Verbs on namespaced and cluster-scoped kinds through the generic REST routes. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, meta, startServer, widget, type TestServer } from './rest-fixtures.js';

const W = '/apis/example.dev/v1/namespaces/default/widgets';

describe('REST verbs', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  test('create answers 201 with server-set metadata and strips client-set server fields', async () => {
    const body = widget('w1');
    body.metadata.uid = 'client-uid';
    body.metadata.resourceVersion = '999';
    body.metadata.creationTimestamp = '2000-01-01T00:00:00Z';
    body.metadata.deletionTimestamp = '2000-01-01T00:00:00Z';
    const r = await call(s.app, 'POST', W, body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const m = meta(r.body);
    assert.equal(r.body.kind, 'Widget');
    assert.equal(r.body.apiVersion, 'example.dev/v1');
    assert.match(String(m.uid), /^uid-\d+$/);
    assert.equal(m.creationTimestamp, '2026-11-28T06:00:00Z');
    assert.equal(m.deletionTimestamp, undefined);
    assert.equal(m.namespace, 'default');
    assert.equal(m.generation, 1);
    assert.equal(m.resourceVersion, String(await s.store.currentRevision()));
    assert.deepEqual(r.body.spec, { color: 'red', replicas: 1 }, 'defaults ran');
    const stored = await s.store.get('/registry/widgets/default/w1');
    assert.ok(stored && !stored.value.includes('resourceVersion'), 'resourceVersion is never stored');
  });

  test('create of an existing name is 409 AlreadyExists with the resource name', async () => {
    const r = await call(s.app, 'POST', W, widget('w1'));
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'AlreadyExists');
    assert.equal(r.body.message, 'widgets.example.dev "w1" already exists');
  });

  test('generateName appends five random characters', async () => {
    const r = await call(s.app, 'POST', W, { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { generateName: 'gen-' }, spec: {} });
    assert.equal(r.status, 201);
    assert.match(String(meta(r.body).name), /^gen-[a-z0-9x]{5}$/);
  });

  test('a create without name or generateName is 422', async () => {
    const r = await call(s.app, 'POST', W, { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: {}, spec: {} });
    assert.equal(r.status, 422);
    assert.equal(r.body.message, 'Widget "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  test('a body namespace different from the URL namespace is 400', async () => {
    const b = widget('w9');
    b.metadata.namespace = 'other';
    const r = await call(s.app, 'POST', W, b);
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
  });

  test('a body kind or apiVersion different from the route is 400', async () => {
    const r = await call(s.app, 'POST', W, { apiVersion: 'apps/v1', kind: 'Widget', metadata: { name: 'x' } });
    assert.equal(r.status, 400);
    assert.match(String(r.body.message), /the API version in the data \(apps\/v1\) does not match the expected API version \(example.dev\/v1\)/);
    const k = await call(s.app, 'POST', W, { apiVersion: 'example.dev/v1', kind: 'Gadget', metadata: { name: 'x' } });
    assert.equal(k.status, 400);
  });

  test('validation failures are 422 with causes', async () => {
    const r = await call(s.app, 'POST', W, widget('bad', { replicas: -1 }));
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
    assert.match(String(r.body.message), /^Widget.example.dev "bad" is invalid|^Widget "bad" is invalid/);
    const causes = (r.body.details as { causes: { field: string }[] }).causes;
    assert.equal(causes[0]?.field, 'spec.replicas');
  });

  test('writes into a missing namespace are 404 namespaces "x" not found', async () => {
    const r = await call(s.app, 'POST', '/apis/example.dev/v1/namespaces/nope/widgets', widget('w'));
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'namespaces "nope" not found');
  });

  test('get answers the object; a missing one is 404 with the resource in the message', async () => {
    const r = await call(s.app, 'GET', `${W}/w1`);
    assert.equal(r.status, 200);
    assert.equal(meta(r.body).name, 'w1');
    const m = await call(s.app, 'GET', `${W}/missing`);
    assert.equal(m.status, 404);
    assert.equal(m.body.message, 'widgets.example.dev "missing" not found');
    assert.deepEqual(m.body.details, { name: 'missing', group: 'example.dev', kind: 'widgets' });
  });

  test('unknown resources and wrong scopes are 404 the server could not find the requested resource', async () => {
    for (const url of ['/apis/example.dev/v1/namespaces/default/nothings', '/apis/example.dev/v1/namespaces/default/gadgets', '/api/v1/pods/x', '/apis/example.dev/v2/widgets']) {
      const r = await call(s.app, 'GET', url);
      assert.equal(r.status, 404, url);
      assert.equal(r.body.message, 'the server could not find the requested resource');
    }
  });

  test('update keeps uid and creationTimestamp, bumps generation only on spec change, preserves status', async () => {
    const cur = (await call(s.app, 'GET', `${W}/w1`)).body;
    const rv = meta(cur).resourceVersion;
    const upd = structuredClone(cur) as Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    upd.metadata.uid = 'changed';
    upd.metadata.creationTimestamp = '1999-01-01T00:00:00Z';
    upd.metadata.labels = { a: 'b' };
    upd.status = { replicas: 7 };
    const r1 = await call(s.app, 'PUT', `${W}/w1`, upd);
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.equal(meta(r1.body).uid, meta(cur).uid);
    assert.equal(meta(r1.body).creationTimestamp, meta(cur).creationTimestamp);
    assert.equal(meta(r1.body).generation, 1, 'labels are not spec');
    assert.equal(r1.body.status, undefined, 'status is owned by the status subresource');
    assert.notEqual(meta(r1.body).resourceVersion, rv);
    const upd2 = structuredClone(r1.body) as { spec: Record<string, unknown> };
    upd2.spec.color = 'blue';
    const r2 = await call(s.app, 'PUT', `${W}/w1`, upd2);
    assert.equal(meta(r2.body).generation, 2);
  });

  test('an update with a stale resourceVersion is 409 Conflict', async () => {
    const cur = (await call(s.app, 'GET', `${W}/w1`)).body;
    const stale = { ...cur, metadata: { ...meta(cur), resourceVersion: '1' } };
    const r = await call(s.app, 'PUT', `${W}/w1`, stale);
    assert.equal(r.status, 409);
    assert.equal(r.body.message, 'Operation cannot be fulfilled on widgets.example.dev "w1": the object has been modified; please apply your changes to the latest version and try again');
  });

  test('an unchanged update writes nothing and keeps the resourceVersion', async () => {
    const cur = (await call(s.app, 'GET', `${W}/w1`)).body;
    const before = await s.store.currentRevision();
    const r = await call(s.app, 'PUT', `${W}/w1`, cur);
    assert.equal(r.status, 200);
    assert.equal(meta(r.body).resourceVersion, meta(cur).resourceVersion);
    assert.equal(await s.store.currentRevision(), before);
  });

  test('a PUT to a missing object is 404 and a name mismatch is 400', async () => {
    assert.equal((await call(s.app, 'PUT', `${W}/ghost`, widget('ghost'))).status, 404);
    const r = await call(s.app, 'PUT', `${W}/w1`, widget('other'));
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'the name of the object (other) does not match the name on the URL (w1)');
  });

  test('cluster-scoped kinds create, get, list and delete without a namespace', async () => {
    const G = '/apis/example.dev/v1/gadgets';
    const c = await call(s.app, 'POST', G, { apiVersion: 'example.dev/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'ignored' }, spec: { x: 1 } });
    assert.equal(c.status, 201);
    assert.equal(meta(c.body).namespace, undefined);
    assert.equal((await call(s.app, 'GET', `${G}/g1`)).status, 200);
    const l = await call(s.app, 'GET', G);
    assert.deepEqual((l.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['g1']);
    const d = await call(s.app, 'DELETE', `${G}/g1`);
    assert.equal(d.status, 200);
    assert.equal((await call(s.app, 'GET', `${G}/g1`)).status, 404);
  });

  test('dryRun=All runs admission but stores nothing', async () => {
    const before = await s.store.currentRevision();
    const c = await call(s.app, 'POST', `${W}?dryRun=All`, widget('dry'));
    assert.equal(c.status, 201);
    assert.deepEqual(c.body.spec, { color: 'red', replicas: 1 });
    const bad = await call(s.app, 'POST', `${W}?dryRun=All`, widget('dry', { replicas: -2 }));
    assert.equal(bad.status, 422);
    const cur = (await call(s.app, 'GET', `${W}/w1`)).body as { spec: Record<string, unknown> };
    cur.spec.color = 'green';
    const u = await call(s.app, 'PUT', `${W}/w1?dryRun=All`, cur);
    assert.equal((u.body.spec as Record<string, unknown>).color, 'green');
    const d = await call(s.app, 'DELETE', `${W}/w1?dryRun=All`);
    assert.equal(d.status, 200);
    assert.equal(await s.store.currentRevision(), before);
    assert.equal((await call(s.app, 'GET', `${W}/dry`)).status, 404);
    assert.equal((await call(s.app, 'POST', `${W}?dryRun=Some`, widget('x'))).status, 400);
  });

  test('YAML bodies are accepted; malformed JSON and YAML are 400; unknown media types are 415', async () => {
    const y = 'apiVersion: example.dev/v1\nkind: Widget\nmetadata:\n  name: from-yaml\nspec:\n  color: teal\n';
    const r = await call(s.app, 'POST', W, y, 'application/yaml');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((r.body.spec as Record<string, unknown>).color, 'teal');
    const bad = await call(s.app, 'POST', W, '{"apiVersion":', 'application/json');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.kind, 'Status');
    assert.equal((await call(s.app, 'POST', W, 'a: [b', 'application/yaml')).status, 400);
    const proto = await call(s.app, 'POST', W, Buffer.from([0x6b, 0x38, 0x73, 0]), 'application/vnd.kubernetes.protobuf');
    assert.equal(proto.status, 415);
    assert.equal(proto.body.reason, 'UnsupportedMediaType');
    assert.equal((await call(s.app, 'POST', W, 'x', 'text/plain')).status, 415);
    assert.equal((await call(s.app, 'POST', W, JSON.stringify(widget('charset')), 'application/json; charset=utf-8')).status, 201);
  });

  test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
    const big = widget('big', { blob: 'x'.repeat(3 * 1024 * 1024 + 10) });
    const r = await call(s.app, 'POST', W, big);
    assert.equal(r.status, 413);
    assert.equal(r.body.reason, 'RequestEntityTooLarge');
  });

  test('verbs not served answer 405', async () => {
    const r = await call(s.app, 'POST', `${W}/w1`, widget('w1'));
    assert.equal(r.status, 405);
    assert.equal(r.body.reason, 'MethodNotAllowed');
  });

  test('an alias group-version converts on read and write', async () => {
    const V = '/apis/example.dev/v1beta1/namespaces/default/widgets';
    const c = await call(s.app, 'POST', V, { apiVersion: 'example.dev/v1beta1', kind: 'Widget', metadata: { name: 'alias' }, spec: { colour: 'pink' } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.apiVersion, 'example.dev/v1beta1');
    assert.equal((c.body.spec as Record<string, unknown>).colour, 'pink');
    const v1 = await call(s.app, 'GET', `${W}/alias`);
    assert.equal((v1.body.spec as Record<string, unknown>).color, 'pink');
    const l = await call(s.app, 'GET', `${V}?fieldSelector=spec.colour%3Dpink`);
    assert.deepEqual((l.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['alias']);
  });
});
