/**
 * The apiserver shell (buildServer) with a resource table and routes this
 * suite controls, driven through fastify's inject: health, version, error
 * Statuses, authentication and authorization, discovery and metrics.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../control-plane/api/meta.js';
import { ResourceTable, type ResourceEntry, type ScaleAccess } from '../../control-plane/api/resource-table.js';
import { AdmissionChain } from '../../control-plane/apiserver/admission/admission.js';
import { newAuthenticator } from '../../control-plane/apiserver/auth/authenticator.js';
import type { Authorizer } from '../../control-plane/apiserver/auth/authorizer.js';
import type { ApiServerDeps } from '../../control-plane/apiserver/context.js';
import { ServerMetrics } from '../../control-plane/apiserver/metrics/api-metrics.js';
import { instrumentStore } from '../../control-plane/apiserver/metrics/instrumented-store.js';
import { buildServer, type HealthState } from '../../control-plane/apiserver/server.js';
import { ensureClusterPki } from '../../control-plane/pki/cluster-pki.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const scale: ScaleAccess = { specReplicas: () => 1, statusReplicas: () => 1, selector: () => '', setReplicas: () => undefined };

const pods: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  storagePrefix: '/registry/pods/',
  subresources: { status: true, others: ['binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy'] },
};
const nodes: ResourceEntry = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  singular: 'node',
  kind: 'Node',
  namespaced: false,
  shortNames: ['no'],
  storagePrefix: '/registry/minions/',
  subresources: { status: true, others: ['proxy'] },
};
const deployments: ResourceEntry = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  storagePrefix: '/registry/deployments/',
  subresources: { status: true, scale },
};
const leases: ResourceEntry = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  singular: 'lease',
  kind: 'Lease',
  namespaced: true,
  storagePrefix: '/registry/leases/',
};

const TOKEN = 'secret-token';
const DENIED_TOKEN = 'denied-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('buildServer', () => {
  const dir = tempDir();
  let app: FastifyInstance;
  let table: ResourceTable;
  let metrics: ServerMetrics;
  let store: MemoryStore;
  const health: HealthState = { ready: true };

  before(async () => {
    const pki = await ensureClusterPki(dir.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, systemClock);
    table = new ResourceTable();
    table.register(pods);
    table.register(nodes);
    table.register(deployments);
    metrics = new ServerMetrics();
    store = new MemoryStore();
    const deps: ApiServerDeps = {
      table,
      store: instrumentStore(store, metrics),
      clock: systemClock,
      newUid: () => 'uid-1',
      randomSuffix: (n) => 'x'.repeat(n),
      admission: new AdmissionChain([], []),
      metrics,
      gitVersion: 'v1.33.0+skiff.0.1.0',
    };
    const tokens = newAuthenticator(
      new Map([
        [TOKEN, { name: 'alice', uid: 'u1', groups: ['devs'] }],
        [DENIED_TOKEN, { name: 'mallory', groups: [] }],
      ]),
    );
    // Denies one user everything except health, to see the 403 shape.
    const authorizer: Authorizer = { authorize: (a) => ({ allowed: a.user.name !== 'mallory', reason: '' }) };
    app = buildServer(deps, {
      tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem },
      authenticator: tokens,
      authorizer,
      metrics,
      health,
      serverAddress: () => '10.0.0.1:6443',
      routes: (a, d) => {
        a.get('/test/whoami', async (req) => req.user);
        a.post('/test/echo', async (req) => ({ size: JSON.stringify(req.body).length }));
        a.get('/test/store', async () => ({ revision: await d.store.currentRevision() }));
      },
    });
    await app.ready();
  });

  after(async () => {
    try {
      await app.close();
    } finally {
      dir.remove();
    }
  });

  describe('health and version', () => {
    test('health endpoints answer ok to anonymous clients', async () => {
      for (const path of ['/healthz', '/livez', '/readyz']) {
        const r = await app.inject({ url: path });
        assert.equal(r.statusCode, 200, path);
        assert.equal(r.body, 'ok');
        assert.match(String(r.headers['content-type']), /^text\/plain/);
      }
    });

    test('?verbose lists each check', async () => {
      const r = await app.inject({ url: '/readyz?verbose' });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /^\[\+\]ping ok$/m);
      assert.match(r.body, /^\[\+\]etcd ok$/m);
      assert.match(r.body, /readyz check passed/);
    });

    test('readyz fails while the server is not ready, livez does not', async () => {
      health.ready = false;
      try {
        assert.equal((await app.inject({ url: '/readyz' })).statusCode, 500);
        assert.equal((await app.inject({ url: '/livez' })).statusCode, 200);
      } finally {
        health.ready = true;
      }
    });

    test('/version reports Kubernetes 1.33 with a semver gitVersion, to anonymous clients', async () => {
      const r = await app.inject({ url: '/version' });
      assert.equal(r.statusCode, 200);
      const v = r.json() as Record<string, string>;
      assert.equal(v['major'], '1');
      assert.equal(v['minor'], '33');
      assert.equal(v['gitVersion'], 'v1.33.0+skiff.0.1.0');
      assert.equal(v['gitTreeState'], 'clean');
      assert.equal(v['compiler'], 'skiff');
      assert.equal(v['platform'], 'linux/amd64');
      assert.equal(v['goVersion'], '');
    });
  });

  describe('authentication and authorization', () => {
    test('a request without credentials is 401 Unauthorized Status', async () => {
      const r = await app.inject({ url: '/api' });
      assert.equal(r.statusCode, 401);
      assert.deepEqual(r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    });

    test('an unknown bearer token is 401 even on a public path', async () => {
      assert.equal((await app.inject({ url: '/healthz', headers: { authorization: 'Bearer nope' } })).statusCode, 401);
      assert.equal((await app.inject({ url: '/api', headers: { authorization: 'Basic YTpi' } })).statusCode, 401);
    });

    test('a known token authenticates as its user, with system:authenticated added', async () => {
      const r = await app.inject({ url: '/test/whoami', headers: auth });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { name: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] });
    });

    test('anonymous access is limited to health and version', async () => {
      for (const path of ['/metrics', '/apis', '/api/v1', '/test/whoami', '/openapi/v2']) {
        assert.equal((await app.inject({ url: path })).statusCode, 401, path);
      }
    });

    test('an authorizer denial is a 403 Forbidden Status worded as upstream', async () => {
      const r = await app.inject({ url: '/api/v1/namespaces/default/pods/web?x=1', headers: { authorization: `Bearer ${DENIED_TOKEN}` } });
      assert.equal(r.statusCode, 403);
      const s = r.json() as { message: string; reason: string; details: { name: string; kind: string } };
      assert.equal(s.reason, 'Forbidden');
      assert.equal(s.message, 'pods "web" is forbidden: User "mallory" cannot get resource "pods" in API group "" in the namespace "default"');
      assert.deepEqual(s.details, { name: 'web', kind: 'pods' });
      const np = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${DENIED_TOKEN}` } });
      assert.equal((np.json() as { message: string }).message, 'forbidden: User "mallory" cannot get path "/metrics"');
    });
  });

  describe('errors', () => {
    test('an unknown path is a NotFound Status', async () => {
      const r = await app.inject({ url: '/nowhere', headers: auth });
      assert.equal(r.statusCode, 404);
      assert.equal((r.json() as { reason: string }).reason, 'NotFound');
    });

    test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
      const big = JSON.stringify({ data: 'x'.repeat(3 * 1024 * 1024) });
      const r = await app.inject({ method: 'POST', url: '/test/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: big });
      assert.equal(r.statusCode, 413);
      assert.equal((r.json() as { reason: string }).reason, 'RequestEntityTooLarge');
      const ok = await app.inject({ method: 'POST', url: '/test/echo', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"a":1}' });
      assert.equal(ok.statusCode, 200);
    });
  });

  describe('discovery', () => {
    test('legacy /api lists v1 with the advertised server address', async () => {
      const r = await app.inject({ url: '/api', headers: { ...auth, accept: 'application/json, */*' } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(r.json(), {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
      });
    });

    test('legacy /apis lists groups without core, preferred version first', async () => {
      const r = await app.inject({ url: '/apis', headers: auth });
      assert.deepEqual(r.json(), {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
      });
      const g = await app.inject({ url: '/apis/apps', headers: auth });
      assert.equal((g.json() as { kind: string }).kind, 'APIGroup');
    });

    test('/api/v1 lists resources with verbs, short names, categories and the subresources kubectl needs', async () => {
      const r = await app.inject({ url: '/api/v1?timeout=32s', headers: auth });
      const list = r.json() as { kind: string; groupVersion: string; resources: Record<string, unknown>[] };
      assert.equal(list.kind, 'APIResourceList');
      assert.equal(list.groupVersion, 'v1');
      const byName = new Map(list.resources.map((x) => [x['name'] as string, x]));
      assert.deepEqual(byName.get('pods'), {
        name: 'pods',
        singularName: 'pod',
        namespaced: true,
        kind: 'Pod',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['po'],
        categories: ['all'],
      });
      assert.deepEqual(byName.get('pods/eviction'), { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
      assert.deepEqual(byName.get('pods/status'), { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
      assert.equal(byName.get('pods/binding')?.['kind'], 'Binding');
      assert.deepEqual(byName.get('pods/log')?.['verbs'], ['get']);
      assert.deepEqual(byName.get('pods/exec')?.['verbs'], ['create', 'get']);
      assert.equal(byName.get('pods/portforward')?.['kind'], 'PodPortForwardOptions');
      assert.equal(byName.get('pods/attach')?.['kind'], 'PodAttachOptions');
      assert.equal(byName.get('nodes/proxy')?.['kind'], 'NodeProxyOptions');
      assert.equal(byName.get('nodes')?.['namespaced'], false);
      const names = list.resources.map((x) => x['name'] as string);
      assert.deepEqual(names, [...names].sort(), 'resources are in name order');
    });

    test('/apis/apps/v1 carries deployments/scale as autoscaling/v1 Scale', async () => {
      const r = await app.inject({ url: '/apis/apps/v1', headers: auth });
      const list = r.json() as { resources: Record<string, unknown>[] };
      const s = list.resources.find((x) => x['name'] === 'deployments/scale');
      assert.deepEqual(s, { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    });

    test('an unserved group-version is a 404', async () => {
      assert.equal((await app.inject({ url: '/apis/nope/v1', headers: auth })).statusCode, 404);
      assert.equal((await app.inject({ url: '/api/v2', headers: auth })).statusCode, 404);
    });

    const v2Accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const v2beta1Accept = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

    test('aggregated v2 is served with the exact Content-Type kubectl 1.30+ matches', async () => {
      const r = await app.inject({ url: '/apis', headers: { ...auth, accept: v2Accept } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      const doc = r.json() as { kind: string; apiVersion: string; items: { metadata: { name: string }; versions: { version: string; freshness: string; resources: Record<string, unknown>[] }[] }[] };
      assert.equal(doc.kind, 'APIGroupDiscoveryList');
      assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2');
      assert.deepEqual(doc.items.map((i) => i.metadata.name), ['apps']);
      const deploy = doc.items[0]?.versions[0]?.resources.find((x) => x['resource'] === 'deployments');
      assert.deepEqual(deploy, {
        resource: 'deployments',
        responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        scope: 'Namespaced',
        singularResource: 'deployment',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['deploy'],
        categories: ['all'],
        subresources: [
          { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
          { subresource: 'status', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, verbs: ['get', 'patch', 'update'] },
        ],
      });
      assert.equal(doc.items[0]?.versions[0]?.freshness, 'Current');
    });

    test('aggregated v2beta1 is served to kubectl 1.27–1.29, for /api with the core group named ""', async () => {
      const r = await app.inject({ url: '/api', headers: { ...auth, accept: v2beta1Accept } });
      assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
      const doc = r.json() as { apiVersion: string; items: { metadata: { name: string }; versions: { resources: Record<string, unknown>[] }[] }[] };
      assert.equal(doc.apiVersion, 'apidiscovery.k8s.io/v2beta1');
      assert.deepEqual(doc.items.map((i) => i.metadata.name), ['']);
      const podsDoc = doc.items[0]?.versions[0]?.resources.find((x) => x['resource'] === 'pods') as { responseKind: unknown; subresources: { subresource: string; responseKind: unknown }[] };
      assert.deepEqual(podsDoc.responseKind, { group: '', version: 'v1', kind: 'Pod' });
      assert.deepEqual(podsDoc.subresources.find((s) => s.subresource === 'eviction')?.responseKind, { group: 'policy', version: 'v1', kind: 'Eviction' });
    });

    test('a plain JSON Accept listed first gets legacy discovery', async () => {
      const r = await app.inject({ url: '/apis', headers: { ...auth, accept: `application/json,${v2Accept}` } });
      assert.equal((r.json() as { kind: string }).kind, 'APIGroupList');
    });

    test('discovery follows entries registered at run time', async () => {
      table.register(leases);
      const legacy = (await app.inject({ url: '/apis', headers: auth })).json() as { groups: { name: string }[] };
      assert.deepEqual(legacy.groups.map((g) => g.name), ['apps', 'coordination.k8s.io']);
      const agg = (await app.inject({ url: '/apis', headers: { ...auth, accept: v2Accept } })).json() as { items: { metadata: { name: string } }[] };
      assert.deepEqual(agg.items.map((i) => i.metadata.name), ['apps', 'coordination.k8s.io']);
      assert.equal((await app.inject({ url: '/apis/coordination.k8s.io/v1', headers: auth })).statusCode, 200);
    });
  });

  describe('metrics', () => {
    test('/metrics exposes request counts, durations, storage operations and open watches', async () => {
      await app.inject({ url: '/api/v1', headers: auth });
      await app.inject({ url: '/test/store', headers: auth });
      metrics.watchOpened('pods');
      const r = await app.inject({ url: '/metrics', headers: auth });
      metrics.watchClosed('pods');
      assert.equal(r.statusCode, 200);
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      assert.match(r.body, /^apiserver_request_total\{verb="GET",group="",resource="",subresource="",code="200"\} \d+$/m);
      assert.match(r.body, /^apiserver_request_total\{verb="GET",group="",resource="",subresource="",code="401"\} \d+$/m);
      assert.match(r.body, /^apiserver_request_duration_seconds_bucket\{le="0\.005",verb="GET"/m);
      assert.match(r.body, /^skiff_storage_operations_total\{operation="current_revision",result="ok"\} [1-9]\d*$/m);
      assert.match(r.body, /^skiff_storage_operation_duration_seconds_count\{operation="current_revision"\} [1-9]/m);
      assert.match(r.body, /^apiserver_longrunning_requests\{verb="WATCH",resource="pods"\} 1$/m);
    });

    test('resource requests are labelled LIST, WATCH and by resource', async () => {
      await app.inject({ url: '/api/v1/namespaces/default/pods?limit=500', headers: auth });
      await app.inject({ url: '/api/v1/pods?watch=true', headers: auth });
      const body = (await app.inject({ url: '/metrics', headers: auth })).body;
      assert.match(body, /^apiserver_request_total\{verb="LIST",group="",resource="pods",subresource="",code="404"\} 1$/m);
      assert.match(body, /^apiserver_request_total\{verb="WATCH",group="",resource="pods",subresource="",code="404"\} 1$/m);
    });
  });
});
