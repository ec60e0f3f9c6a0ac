/** Deletion (preconditions, finalizers, graceful pods, propagation), patches and the status/scale/binding subresources. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, meta, startServer, widget, type TestServer } from './rest-fixtures.js';

const W = '/apis/example.dev/v1/namespaces/default/widgets';
const P = '/api/v1/namespaces/default/pods';
const pod = (name: string, nodeName?: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }], ...(nodeName ? { nodeName } : {}) } });

describe('deletion', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => s.close());

  test('preconditions on uid and resourceVersion are 409 with upstream messages', async () => {
    const c = await call(s.app, 'POST', W, widget('pre'));
    const r = await call(s.app, 'DELETE', `${W}/pre`, { preconditions: { uid: 'nope' } });
    assert.equal(r.status, 409);
    assert.equal(r.body.message, `Operation cannot be fulfilled on widgets.example.dev "pre": Precondition failed: UID in precondition: nope, UID in object meta: ${String(meta(c.body).uid)}`);
    const rv = await call(s.app, 'DELETE', `${W}/pre`, { preconditions: { resourceVersion: '1' } });
    assert.equal(rv.status, 409);
    const ok = await call(s.app, 'DELETE', `${W}/pre`, { preconditions: { uid: meta(c.body).uid } });
    assert.equal(ok.status, 200);
    assert.equal((await call(s.app, 'DELETE', `${W}/pre`)).status, 404);
  });

  test('an object with finalizers is only marked; removing the last finalizer removes it', async () => {
    const b = widget('fin');
    b.metadata.finalizers = ['example.dev/keep'];
    await call(s.app, 'POST', W, b);
    const d = await call(s.app, 'DELETE', `${W}/fin`);
    assert.equal(d.status, 200);
    assert.equal(meta(d.body).deletionTimestamp, '2026-11-28T06:00:00Z');
    assert.equal(meta(d.body).deletionGracePeriodSeconds, 0);
    const again = await call(s.app, 'DELETE', `${W}/fin`);
    assert.equal(meta(again.body).resourceVersion, meta(d.body).resourceVersion, 'a second delete returns it as is');
    const add = await call(s.app, 'PATCH', `${W}/fin`, { metadata: { finalizers: ['example.dev/keep', 'new'] } }, 'application/merge-patch+json');
    assert.equal(add.status, 422, 'no new finalizers while deleting');
    const rm = await call(s.app, 'PATCH', `${W}/fin`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    assert.equal(rm.status, 200, JSON.stringify(rm.body));
    assert.equal((await call(s.app, 'GET', `${W}/fin`)).status, 404);
  });

  test('propagationPolicy Orphan and Foreground add the garbage-collector finalizers', async () => {
    await call(s.app, 'POST', W, widget('orph'));
    const o = await call(s.app, 'DELETE', `${W}/orph`, { propagationPolicy: 'Orphan' });
    assert.deepEqual(meta(o.body).finalizers, ['orphan']);
    await call(s.app, 'POST', W, widget('fg'));
    const f = await call(s.app, 'DELETE', `${W}/fg?propagationPolicy=Foreground`);
    assert.deepEqual(meta(f.body).finalizers, ['foregroundDeletion']);
    await call(s.app, 'POST', W, widget('bg'));
    const b = await call(s.app, 'DELETE', `${W}/bg`, { propagationPolicy: 'Background' });
    assert.equal(b.status, 200);
    assert.equal((await call(s.app, 'GET', `${W}/bg`)).status, 404);
    assert.equal((await call(s.app, 'DELETE', `${W}/fg`, { propagationPolicy: 'Sideways' })).status, 400);
  });

  test('a bound pod is deleted gracefully and goes on a later delete with grace 0', async () => {
    await call(s.app, 'POST', P, pod('web', 'n1'));
    const d = await call(s.app, 'DELETE', `${P}/web`, { gracePeriodSeconds: 30 });
    assert.equal(d.status, 200);
    assert.equal(meta(d.body).deletionGracePeriodSeconds, 30);
    assert.equal(meta(d.body).deletionTimestamp, '2026-11-28T06:00:30Z');
    assert.equal(meta(d.body).generation, 2);
    assert.equal((await call(s.app, 'GET', `${P}/web`)).status, 200);
    const shorter = await call(s.app, 'DELETE', `${P}/web`, { gracePeriodSeconds: 5 });
    assert.equal(meta(shorter.body).deletionGracePeriodSeconds, 5);
    const now = await call(s.app, 'DELETE', `${P}/web`, { gracePeriodSeconds: 0 });
    assert.equal(now.status, 200);
    assert.equal((await call(s.app, 'GET', `${P}/web`)).status, 404);
  });

  test('deletecollection deletes the selected objects and answers their list', async () => {
    await call(s.app, 'POST', W, widget('dc1', {}, { group: 'dc' }));
    await call(s.app, 'POST', W, widget('dc2', {}, { group: 'dc' }));
    await call(s.app, 'POST', W, widget('keep', {}, { group: 'other' }));
    const r = await call(s.app, 'DELETE', `${W}?labelSelector=group%3Ddc`);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'WidgetList');
    assert.deepEqual((r.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['dc1', 'dc2']);
    assert.equal((await call(s.app, 'GET', `${W}/dc1`)).status, 404);
    assert.equal((await call(s.app, 'GET', `${W}/keep`)).status, 200);
  });

  test('creates in a terminating namespace are 403 and immortal namespaces cannot be deleted', async () => {
    await call(s.app, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dying', finalizers: ['x'] } });
    await call(s.app, 'POST', '/apis/example.dev/v1/namespaces/dying/widgets', widget('early'));
    const d = await call(s.app, 'DELETE', '/api/v1/namespaces/dying');
    assert.ok(meta(d.body).deletionTimestamp);
    const r = await call(s.app, 'POST', '/apis/example.dev/v1/namespaces/dying/widgets', widget('late'));
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'widgets.example.dev "late" is forbidden: unable to create new content in namespace dying because it is being terminated');
    assert.equal((await call(s.app, 'DELETE', '/apis/example.dev/v1/namespaces/dying/widgets/early')).status, 200, 'deletes still work');
    const k = await call(s.app, 'DELETE', '/api/v1/namespaces/default');
    assert.equal(k.status, 403);
    assert.equal(k.body.message, 'namespaces "default" is forbidden: this namespace may not be deleted');
  });
});

describe('patch', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await call(s.app, 'POST', W, widget('p', { list: [1, 2, 3] }, { a: '1' }));
  });
  after(async () => s.close());

  test('merge patch sets and removes fields', async () => {
    const r = await call(s.app, 'PATCH', `${W}/p`, { metadata: { labels: { a: null, b: '2' } }, spec: { size: 'L' } }, 'application/merge-patch+json');
    assert.equal(r.status, 200);
    assert.deepEqual(meta(r.body).labels, { b: '2' });
    assert.equal((r.body.spec as Record<string, unknown>).size, 'L');
  });

  test('a merge patch carrying a stale resourceVersion is 409', async () => {
    const r = await call(s.app, 'PATCH', `${W}/p`, { metadata: { resourceVersion: '1', labels: { c: '3' } } }, 'application/merge-patch+json');
    assert.equal(r.status, 409);
    const cur = await call(s.app, 'GET', `${W}/p`);
    const ok = await call(s.app, 'PATCH', `${W}/p`, { metadata: { resourceVersion: meta(cur.body).resourceVersion, labels: { c: '3' } } }, 'application/merge-patch+json');
    assert.equal(ok.status, 200);
  });

  test('JSON patch applies add/remove/replace/move/copy/test and reports failures', async () => {
    const ops = [
      { op: 'test', path: '/spec/color', value: 'red' },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'remove', path: '/spec/list/0' },
      { op: 'replace', path: '/spec/color', value: 'blue' },
      { op: 'copy', from: '/spec/color', path: '/spec/copy' },
      { op: 'move', from: '/spec/copy', path: '/spec/moved' },
    ];
    const r = await call(s.app, 'PATCH', `${W}/p`, ops, 'application/json-patch+json');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const sp = r.body.spec as Record<string, unknown>;
    assert.deepEqual(sp.list, [2, 3, 4]);
    assert.equal(sp.color, 'blue');
    assert.equal(sp.moved, 'blue');
    assert.equal(sp.copy, undefined);
    const t = await call(s.app, 'PATCH', `${W}/p`, [{ op: 'test', path: '/spec/color', value: 'red' }], 'application/json-patch+json');
    assert.equal(t.status, 422);
    const missing = await call(s.app, 'PATCH', `${W}/p`, [{ op: 'replace', path: '/spec/nothing/deep', value: 1 }], 'application/json-patch+json');
    assert.equal(missing.status, 422);
    const malformed = await call(s.app, 'PATCH', `${W}/p`, { op: 'add' }, 'application/json-patch+json');
    assert.equal(malformed.status, 400);
  });

  test('strategic merge patch applies its directives and stores none of them', async () => {
    const r = await call(s.app, 'PATCH', `${W}/p`, { spec: { $retainKeys: ['x', 'nested'], 'x': 1, nested: { $patch: 'replace', y: 2 } }, metadata: { '$setElementOrder/finalizers': [] } }, 'application/strategic-merge-patch+json');
    assert.equal(r.status, 200);
    assert.ok(!JSON.stringify(r.body).includes('$'));
    const bad = await call(s.app, 'PATCH', `${W}/p`, { spec: { $retainKeys: ['x'], 'x': 1, nested: {} } }, 'application/strategic-merge-patch+json');
    assert.equal(bad.status, 400);
    const ssa = await call(s.app, 'PATCH', `${W}/p`, '{}', 'application/apply-patch+yaml');
    assert.equal(ssa.status, 422, 'an apply without fieldManager is invalid, as upstream');
    assert.match(String(ssa.body.message), /fieldManager: Required value/);
  });

  test('patching a missing object is 404 and malformed patches are 400', async () => {
    assert.equal((await call(s.app, 'PATCH', `${W}/nope`, {}, 'application/merge-patch+json')).status, 404);
    assert.equal((await call(s.app, 'PATCH', `${W}/p`, '{"a":', 'application/merge-patch+json')).status, 400);
    assert.equal((await call(s.app, 'PATCH', `${W}/p`, '[1]', 'application/merge-patch+json')).status, 400);
  });
});

describe('subresources', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await call(s.app, 'POST', W, widget('sc', { replicas: 2, selector: { matchLabels: { app: 'x' } } }));
    await call(s.app, 'POST', P, pod('pd'));
  });
  after(async () => s.close());

  test('status writes change only status; main writes never change it', async () => {
    const cur = (await call(s.app, 'GET', `${W}/sc`)).body as { spec: Record<string, unknown>; status?: unknown };
    cur.spec.color = 'ignored';
    cur.status = { replicas: 2 };
    const r = await call(s.app, 'PUT', `${W}/sc/status`, cur);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.status, { replicas: 2 });
    assert.equal((r.body.spec as Record<string, unknown>).color, 'red');
    const p = await call(s.app, 'PATCH', `${W}/sc/status`, { status: { ready: 1 } }, 'application/merge-patch+json');
    assert.deepEqual(p.body.status, { replicas: 2, ready: 1 });
    const g = await call(s.app, 'GET', `${W}/sc/status`);
    assert.equal(g.status, 200);
    assert.equal((await call(s.app, 'POST', `${W}/sc/status`, {})).status, 405);
    assert.equal((await call(s.app, 'GET', `${W}/sc/nothing`)).status, 404);
  });

  test('scale reads and writes replicas as an autoscaling/v1 Scale', async () => {
    const g = await call(s.app, 'GET', `${W}/sc/scale`);
    assert.equal(g.status, 200);
    assert.equal(g.body.kind, 'Scale');
    assert.equal(g.body.apiVersion, 'autoscaling/v1');
    assert.deepEqual(g.body.spec, { replicas: 2 });
    assert.deepEqual(g.body.status, { replicas: 2, selector: 'app=x' });
    const p = await call(s.app, 'PATCH', `${W}/sc/scale`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual(p.body.spec, { replicas: 3 });
    const w = await call(s.app, 'GET', `${W}/sc`);
    assert.equal((w.body.spec as Record<string, unknown>).replicas, 3);
    assert.equal(meta(w.body).generation, 2);
    const stale = { ...g.body, spec: { replicas: 5 } };
    assert.equal((await call(s.app, 'PUT', `${W}/sc/scale`, stale)).status, 409);
    const fresh = { ...g.body, metadata: { ...meta(g.body), resourceVersion: meta(p.body).resourceVersion }, spec: { replicas: 5 } };
    const put = await call(s.app, 'PUT', `${W}/sc/scale`, fresh);
    assert.equal(put.status, 200);
    assert.deepEqual(put.body.spec, { replicas: 5 });
    const neg = await call(s.app, 'PUT', `${W}/sc/scale`, { ...fresh, metadata: { name: 'sc' }, spec: { replicas: -1 } });
    assert.equal(neg.status, 422);
  });

  test('binding assigns a node once and marks the pod scheduled', async () => {
    const b = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'pd' }, target: { kind: 'Node', name: 'n1' } };
    const r = await call(s.app, 'POST', `${P}/pd/binding`, b);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'Success');
    const got = await call(s.app, 'GET', `${P}/pd`);
    assert.equal((got.body.spec as Record<string, unknown>).nodeName, 'n1');
    const conds = (got.body.status as { conditions: Record<string, unknown>[] }).conditions;
    assert.equal(conds[0]?.type, 'PodScheduled');
    assert.equal(conds[0]?.status, 'True');
    const again = await call(s.app, 'POST', `${P}/pd/binding`, { ...b, target: { kind: 'Node', name: 'n2' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "pd": pod pd is already assigned to node "n1"');
  });

  test('connect subresources answer 503 with what they need; an eviction must name its pod', async () => {
    const l = await call(s.app, 'GET', `${P}/pd/log`);
    assert.equal(l.status, 503);
    assert.equal(l.body.message, 'no agent serves node "n1"; pods/log needs a running agent');
    const e = await call(s.app, 'POST', `${P}/pd/eviction`, {});
    assert.equal(e.status, 400);
    assert.equal(e.body.message, 'name in URL does not match name in Eviction object');
    assert.equal((await call(s.app, 'GET', `${P}/missing/log`)).status, 404);
  });

  test('the namespace object and its status are addressed under /api/v1/namespaces', async () => {
    const n = await call(s.app, 'GET', '/api/v1/namespaces/default');
    assert.equal(n.body.kind, 'Namespace');
    const st = await call(s.app, 'GET', '/api/v1/namespaces/default/status');
    assert.equal(st.body.kind, 'Namespace');
    assert.deepEqual(st.body.status, { phase: 'Active' });
    const pl = await call(s.app, 'GET', '/api/v1/namespaces/default/pods');
    assert.equal(pl.body.kind, 'PodList');
  });
});
