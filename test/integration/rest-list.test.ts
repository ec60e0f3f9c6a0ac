/** list: selectors, pagination with continue tokens across concurrent writes, resourceVersion semantics, expiry. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { call, meta, startServer, widget, type TestServer } from './rest-fixtures.js';

const W = '/apis/example.dev/v1/namespaces/default/widgets';
const names = (b: Record<string, unknown>): string[] => (b.items as { metadata: { name: string } }[]).map((i) => i.metadata.name);

describe('list', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    const colors = ['red', 'blue', 'red', 'green', 'red'];
    for (let i = 0; i < 5; i++) await call(s.app, 'POST', W, widget(`w${i}`, { color: colors[i] }, { idx: String(i), tier: i % 2 ? 'db' : 'web' }));
    await call(s.app, 'POST', '/apis/example.dev/v1/namespaces/other/widgets', widget('o1', {}, { tier: 'web' }));
  });
  after(async () => s.close());

  test('a list is <Kind>List at the store revision, items without apiVersion/kind', async () => {
    const r = await call(s.app, 'GET', W);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'WidgetList');
    assert.equal(r.body.apiVersion, 'example.dev/v1');
    assert.equal(meta(r.body).resourceVersion, String(await s.store.currentRevision()));
    assert.deepEqual(names(r.body), ['w0', 'w1', 'w2', 'w3', 'w4']);
    const item = (r.body.items as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.equal(item.kind, undefined);
    assert.equal(item.apiVersion, undefined);
    assert.ok(meta(item).resourceVersion);
    const all = await call(s.app, 'GET', '/apis/example.dev/v1/widgets');
    assert.equal(names(all.body).length, 6, 'all namespaces');
  });

  test('label selectors filter', async () => {
    const cases: [string, string[]][] = [
      ['tier=web', ['w0', 'w2', 'w4']],
      ['tier==db', ['w1', 'w3']],
      ['tier!=web', ['w1', 'w3']],
      ['idx in (1,4),tier', ['w1', 'w4']],
      ['idx notin (0,1,2)', ['w3', 'w4']],
      ['!tier', []],
      ['tier,idx=3', ['w3']],
    ];
    for (const [sel, want] of cases) {
      const r = await call(s.app, 'GET', `${W}?labelSelector=${encodeURIComponent(sel)}`);
      assert.equal(r.status, 200, sel);
      assert.deepEqual(names(r.body), want, sel);
    }
    const bad = await call(s.app, 'GET', `${W}?labelSelector=${encodeURIComponent('a b')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
  });

  test('field selectors filter in any term order; unknown fields are 400', async () => {
    const r = await call(s.app, 'GET', `${W}?fieldSelector=${encodeURIComponent('spec.color=red,metadata.name!=w0')}`);
    assert.deepEqual(names(r.body), ['w2', 'w4']);
    const r2 = await call(s.app, 'GET', `${W}?fieldSelector=${encodeURIComponent('metadata.name!=w0,spec.color==red')}`);
    assert.deepEqual(names(r2.body), ['w2', 'w4']);
    const ns = await call(s.app, 'GET', `/apis/example.dev/v1/widgets?fieldSelector=metadata.namespace%3Dother`);
    assert.deepEqual(names(ns.body), ['o1']);
    const bad = await call(s.app, 'GET', `${W}?fieldSelector=foo%3Dbar`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'field label not supported: foo');
  });

  test('pages follow continue tokens at the first page revision despite concurrent writes', async () => {
    const p1 = await call(s.app, 'GET', `${W}?limit=2`);
    assert.deepEqual(names(p1.body), ['w0', 'w1']);
    const rv = meta(p1.body).resourceVersion;
    assert.equal(meta(p1.body).remainingItemCount, 3);
    await call(s.app, 'POST', W, widget('w15'));
    await call(s.app, 'DELETE', `${W}/w3`);
    const p2 = await call(s.app, 'GET', `${W}?limit=2&continue=${encodeURIComponent(String(meta(p1.body).continue))}`);
    assert.deepEqual(names(p2.body), ['w2', 'w3'], 'w15 (new) is not seen and w3 (deleted later) still is');
    assert.equal(meta(p2.body).resourceVersion, rv);
    const p3 = await call(s.app, 'GET', `${W}?limit=2&continue=${encodeURIComponent(String(meta(p2.body).continue))}`);
    assert.deepEqual(names(p3.body), ['w4']);
    assert.equal(meta(p3.body).continue, undefined);
  });

  test('pagination with a selector fills pages with matching items', async () => {
    const p1 = await call(s.app, 'GET', `${W}?limit=1&labelSelector=tier%3Dweb`);
    assert.deepEqual(names(p1.body), ['w0']);
    const p2 = await call(s.app, 'GET', `${W}?limit=1&labelSelector=tier%3Dweb&continue=${encodeURIComponent(String(meta(p1.body).continue))}`);
    assert.deepEqual(names(p2.body), ['w2']);
  });

  test('resourceVersionMatch=Exact reads an old revision; compacted revisions and tokens are 410', async () => {
    const before = await call(s.app, 'GET', `${W}?limit=1`);
    const oldRv = String(meta(before.body).resourceVersion);
    await call(s.app, 'POST', W, widget('late'));
    const exact = await call(s.app, 'GET', `${W}?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 200);
    assert.ok(!names(exact.body).includes('late'));
    assert.equal(meta(exact.body).resourceVersion, oldRv);
    await s.store.compact(await s.store.currentRevision());
    const gone = await call(s.app, 'GET', `${W}?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
    assert.equal(gone.status, 410);
    assert.equal(gone.body.reason, 'Expired');
    const tok = await call(s.app, 'GET', `${W}?limit=1&continue=${encodeURIComponent(String(meta(before.body).continue))}`);
    assert.equal(tok.status, 410);
    assert.match(String(tok.body.message), /^The provided continue parameter is too old/);
    assert.ok(meta(tok.body).continue, 'an inconsistent continuation token is offered');
    const cont = await call(s.app, 'GET', `${W}?limit=10&continue=${encodeURIComponent(String(meta(tok.body).continue))}`);
    assert.equal(cont.status, 200);
    assert.equal((await call(s.app, 'GET', `${W}?continue=garbage`)).status, 400);
    assert.equal((await call(s.app, 'GET', `${W}?resourceVersionMatch=Exact`)).status, 400);
    assert.equal((await call(s.app, 'GET', `${W}?resourceVersion=0`)).status, 200);
  });
});
