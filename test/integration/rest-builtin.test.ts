/** The generic REST routes over the real built-in resource table: a namespace, a deployment scaled through /scale, a pod bound and deleted gracefully. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { newBuiltinTable } from '../../control-plane/api/resources/index.js';
import { AdmissionChain } from '../../control-plane/apiserver/admission/admission.js';
import { defaultsPlugin } from '../../control-plane/apiserver/admission/defaults.js';
import { namespaceLifecyclePlugin } from '../../control-plane/apiserver/admission/namespace-lifecycle.js';
import { validationPlugin } from '../../control-plane/apiserver/admission/validation.js';
import { sendStatusError } from '../../control-plane/apiserver/error-handler.js';
import { registerResourceRoutes } from '../../control-plane/apiserver/rest/routes.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { call, meta } from './rest-fixtures.js';

describe('built-in resources through the REST routes', () => {
  let app: FastifyInstance;
  let store: MemoryStore;
  before(async () => {
    const table = newBuiltinTable();
    store = new MemoryStore();
    let uid = 0;
    app = Fastify({ bodyLimit: 3 * 1024 * 1024 });
    app.addHook('onRequest', async (r) => {
      r.user = { name: 'admin', groups: ['system:masters'] };
    });
    app.setErrorHandler((e, rq, rp) => sendStatusError(e, rq, rp));
    registerResourceRoutes(app, {
      table, store, clock: { now: () => new Date('2026-11-28T06:00:00Z') }, newUid: () => `u${++uid}`, randomSuffix: () => 'abcde',
      admission: new AdmissionChain([defaultsPlugin()], [validationPlugin(), namespaceLifecyclePlugin({ store, table })]),
      metrics: { watchOpened: () => undefined, watchClosed: () => undefined }, gitVersion: 'v1.33.0+skiff.test',
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  test('a deployment is created in a namespace and scaled through its Scale subresource', async () => {
    const ns = await call(app, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    assert.equal(ns.status, 201, JSON.stringify(ns.body));
    const dep = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const c = await call(app, 'POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const s = await call(app, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 3 } }, 'application/merge-patch+json');
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.deepEqual(s.body.spec, { replicas: 3 });
    assert.equal((s.body.status as Record<string, unknown>).selector, 'app=web');
    const got = await call(app, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal((got.body.spec as Record<string, unknown>).replicas, 3);
    assert.equal(meta(got.body).generation, 2);
  });

  test('a pod is bound to a node and then deleted gracefully', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const c = await call(app, 'POST', '/api/v1/namespaces/default/pods', pod);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const b = await call(app, 'POST', '/api/v1/namespaces/default/pods/p/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    const list = await call(app, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
    assert.equal((list.body.items as unknown[]).length, 1);
    const d = await call(app, 'DELETE', '/api/v1/namespaces/default/pods/p', { propagationPolicy: 'Background' });
    assert.equal(d.status, 200);
    assert.ok(meta(d.body).deletionTimestamp, JSON.stringify(d.body));
    const gone = await call(app, 'DELETE', '/api/v1/namespaces/default/pods/p', { gracePeriodSeconds: 0 });
    assert.equal(gone.status, 200);
    assert.equal((await call(app, 'GET', '/api/v1/namespaces/default/pods/p')).status, 404);
  });
});
