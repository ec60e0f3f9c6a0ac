/**
 * The table grows at run time: an entry registered after the server started
 * is served at once (CRDs later build on this), and a virtual entry without
 * storage answers its verbs without writing anything.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceEntry } from '../../control-plane/api/resource-table.js';
import { selfsubjectreviews } from '../../control-plane/api/resources/selfsubjectreviews.js';
import { call, meta, startServer, type TestServer } from './rest-fixtures.js';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(async () => {
  await s.close();
});

const sprockets: ResourceEntry = {
  group: 'late.example.dev',
  version: 'v1alpha1',
  resource: 'sprockets',
  singular: 'sprocket',
  kind: 'Sprocket',
  namespaced: true,
  storagePrefix: '/registry/late.example.dev/sprockets/',
};

test('an entry registered after start is served immediately, with list and watch', async () => {
  const url = '/apis/late.example.dev/v1alpha1/namespaces/default/sprockets';
  assert.equal((await call(s.app, 'GET', url)).status, 404);
  s.deps.table.register(sprockets);
  const created = await call(s.app, 'POST', url, { apiVersion: 'late.example.dev/v1alpha1', kind: 'Sprocket', metadata: { name: 's1' }, spec: { teeth: 12 } });
  assert.equal(created.status, 201);
  assert.equal(meta(created.body).generation, 1);
  const list = await call(s.app, 'GET', url);
  assert.equal(list.body.kind, 'SprocketList');
  assert.deepEqual((list.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name), ['s1']);
});

test('a virtual entry answers a create without storing anything, and refuses other verbs with 405', async () => {
  s.deps.table.register(selfsubjectreviews);
  const before = await s.store.currentRevision();
  const r = await call(s.app, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
    metadata: {},
  });
  assert.equal(r.status, 201);
  assert.equal(r.body.kind, 'SelfSubjectReview');
  assert.deepEqual(r.body.status, { userInfo: { username: 'admin', groups: ['system:masters'] } });
  assert.equal(await s.store.currentRevision(), before, 'nothing was written');
  const list = await call(s.app, 'GET', '/apis/authentication.k8s.io/v1/selfsubjectreviews');
  assert.equal(list.status, 405);
  assert.equal(list.body.reason, 'MethodNotAllowed');
});
