/**
 * The loopback transport's direct lane (rest/direct-dispatch.ts): plain
 * resource requests of the in-process client skip fastify and
 * light-my-request and call the REST handlers directly. The lane must be
 * invisible to its callers: a real apiserver (buildServer over TLS, the
 * built-in table, admission, the REST routes, a SQLite store) serves two
 * ApiClients, one over `new LoopbackTransport(app, token)` (inject only)
 * and one over `new LoopbackTransport(app, token, lane)` wired as main.ts
 * wires it, and both must give the same answers, the same Status errors,
 * the same Tables, the same request metrics and the same authorization.
 * An onRequest hook records what reaches fastify, so each test also shows
 * which requests took the lane and which fell back to inject.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ApiClient, collectionPath, objectPath, type ResourceRef, type WatchEvent } from '../../control-plane/api/client/api-client.js';
import type { Transport, TransportRequest, TransportResponse, TransportStream } from '../../control-plane/api/client/transport.js';
import { ApiError } from '../../control-plane/api/errors.js';
import { systemClock, type KubeObject } from '../../control-plane/api/meta.js';
import { newBuiltinTable } from '../../control-plane/api/resources/index.js';
import { authorizeRequest } from '../../control-plane/apiserver/auth/auth-hook.js';
import { newAuthenticator } from '../../control-plane/apiserver/auth/authenticator.js';
import { alwaysAllow, type AuthorizationAttributes, type Authorizer } from '../../control-plane/apiserver/auth/authorizer.js';
import { LoopbackTransport, type DirectLane } from '../../control-plane/apiserver/loopback-transport.js';
import { ServerMetrics } from '../../control-plane/apiserver/metrics/api-metrics.js';
import { instrumentStore } from '../../control-plane/apiserver/metrics/instrumented-store.js';
import { requestLabelsOf } from '../../control-plane/apiserver/metrics/request-metrics.js';
import type { DirectDispatcher } from '../../control-plane/apiserver/rest/direct-dispatch.js';
import { registerResourceRoutes } from '../../control-plane/apiserver/rest/routes.js';
import { buildServer } from '../../control-plane/apiserver/server.js';
import type { UserInfo } from '../../control-plane/apiserver/user.js';
import { ensureClusterPki } from '../../control-plane/pki/cluster-pki.js';
import { SqliteStore } from '../../control-plane/storage/sqlite-store.js';
import type { Store } from '../../control-plane/storage/store.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { testApiDeps } from '../helpers/test-api-deps.js';

const LOOPBACK_TOKEN = 'loopback-direct-lane-test-token';
const LOOPBACK_USER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };
/** The lane's caller as control-plane/main.ts builds it: as the authenticator would see the token's user. */
const LANE_USER: UserInfo = { ...LOOPBACK_USER, groups: [...LOOPBACK_USER.groups, 'system:authenticated'] };
const USER_AGENT = 'lane-test/v0.0.0 (linux/amd64)';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

const namespacesRef: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
const cms = (namespace: string): ResourceRef => ({ group: '', version: 'v1', resource: 'configmaps', namespace });
const pods = (namespace: string): ResourceRef => ({ group: '', version: 'v1', resource: 'pods', namespace });

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

function pod(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }], terminationGracePeriodSeconds: 20 },
  };
}

/** The manager of an object's first managedFields entry. */
function managerOf(o: KubeObject): string | undefined {
  const entry = o.metadata.managedFields?.[0] as { manager?: string } | undefined;
  return entry?.manager;
}

/**
 * Passes every call to the loopback transport, naming a User-Agent as every
 * real client does (it becomes the field manager), and keeps each response,
 * so a test sees the status codes the ApiClient saw.
 */
class Recording implements Transport {
  readonly responses: TransportResponse[] = [];
  constructor(readonly inner: LoopbackTransport) {}

  async request(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.inner.request({ ...req, headers: { 'user-agent': USER_AGENT, ...req.headers } });
    this.responses.push(res);
    return res;
  }

  stream(req: TransportRequest): Promise<TransportStream> {
    return this.inner.stream({ ...req, headers: { 'user-agent': USER_AGENT, ...req.headers } });
  }

  close(): void {
    this.inner.close();
  }

  last(): TransportResponse {
    const r = this.responses.at(-1);
    assert.ok(r, 'a response was recorded');
    return r;
  }
}

/** One client of the server, over one of the two transports. */
interface Side {
  transport: Recording;
  client: ApiClient;
  /** The suffix of the object names this side writes. */
  tag: 'inject' | 'direct';
}

interface Server {
  app: FastifyInstance;
  metrics: ServerMetrics;
  inject: Side;
  direct: Side;
  /** `METHOD url` of every request that reached fastify's router (inject), in order. */
  reachedFastify: string[];
  /** `METHOD path` of every request the direct lane answered. */
  tookLane: string[];
  stop(): Promise<void>;
}

/** A real apiserver with both loopback transports, the lane wired as control-plane/main.ts wires it. */
async function startServer(authorizer: Authorizer = alwaysAllow): Promise<Server> {
  const dir: TempDir = tempDir();
  const metrics = new ServerMetrics();
  // The production backend, instrumented as control-plane/main.ts does it.
  const store: Store = instrumentStore(new SqliteStore(join(dir.path, 'state.db')), metrics);
  let app: FastifyInstance | undefined;
  try {
    const pki = await ensureClusterPki(dir.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, systemClock);
    const table = newBuiltinTable();
    let dispatcher: DirectDispatcher | undefined;
    app = buildServer(
      testApiDeps(table, store, metrics),
      {
        tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem },
        authenticator: newAuthenticator(new Map([[LOOPBACK_TOKEN, LOOPBACK_USER]])),
        authorizer,
        metrics,
        routes: (a, d) => {
          dispatcher = registerResourceRoutes(a, d);
        },
      },
    );
    const reachedFastify: string[] = [];
    app.addHook('onRequest', async (request) => {
      reachedFastify.push(`${request.method} ${request.url}`);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const direct = dispatcher;
    assert.ok(direct, 'registerResourceRoutes returned the direct dispatcher');
    const tookLane: string[] = [];
    const lane: DirectLane = {
      dispatch: (req, caller) => {
        const answer = direct(req, caller);
        if (answer) tookLane.push(`${req.method} ${req.path}`);
        return answer;
      },
      caller: {
        user: LANE_USER,
        authorize: (method, url) => authorizeRequest(authorizer, LANE_USER, method, url),
        observe: (method, url, code, seconds) => metrics.observeRequest(requestLabelsOf(method, url), code, seconds),
      },
    };
    const side = (tag: Side['tag'], t: LoopbackTransport): Side => {
      const transport = new Recording(t);
      return { transport, client: new ApiClient(transport), tag };
    };
    const server: Server = {
      app,
      metrics,
      inject: side('inject', new LoopbackTransport(app, LOOPBACK_TOKEN)),
      direct: side('direct', new LoopbackTransport(app, LOOPBACK_TOKEN, lane)),
      reachedFastify,
      tookLane,
      stop: async () => {
        try {
          server.inject.transport.close();
          server.direct.transport.close();
          await app?.close();
          await store.close();
        } finally {
          dir.remove();
        }
      },
    };
    return server;
  } catch (e) {
    await app?.close();
    await store.close();
    dir.remove();
    throw e;
  }
}

/** Fields that must differ between two objects written one after the other. */
const VOLATILE = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'time', 'lastTransitionTime']);

/** The JSON with volatile fields masked (present stays present) and each side's name tag replaced by `<tag>`. */
function normalise(value: unknown, tag: string): unknown {
  if (typeof value === 'string') return value.split(tag).join('<tag>');
  if (Array.isArray(value)) return value.map((v) => normalise(v, tag));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = VOLATILE.has(k) && typeof v === 'string' ? '<volatile>' : normalise(v, tag);
    return out;
  }
  return value;
}

interface TableBody {
  kind: string;
  columnDefinitions: { name: string }[];
  rows: { cells: unknown[] }[];
}

/** A Table's Age cells (rendered against the clock of the moment) masked, after checking their form. */
function maskAge(body: unknown): unknown {
  const t = body as Partial<TableBody> | null;
  if (t?.kind !== 'Table' || !t.columnDefinitions || !t.rows) return body;
  const age = t.columnDefinitions.findIndex((c) => c.name === 'Age');
  if (age < 0) return body;
  for (const row of t.rows) {
    assert.match(String(row.cells[age]), /^\d+[smhd]/, 'an Age cell');
    row.cells[age] = '<age>';
  }
  return body;
}

/** A response as a comparable value: status, media type, warnings and body (normalised for the side tagged). */
function answer(res: TransportResponse, tag?: string): { status: number; contentType: string; warnings: string[]; body: unknown } {
  const ct = res.headers['content-type'];
  const contentType = (Array.isArray(ct) ? ct.join(',') : (ct ?? '')).split(';')[0]?.trim() ?? '';
  const w = res.headers.warning;
  const warnings = w === undefined ? [] : Array.isArray(w) ? w : [w];
  const body = maskAge(JSON.parse(res.body));
  return { status: res.status, contentType, warnings, body: tag === undefined ? body : normalise(body, tag) };
}

/**
 * Runs op on each side (inject first), each against its own object named
 * `<base>-<tag>`, and asserts both sides' last responses are the same
 * modulo VOLATILE fields.
 * Returns the two results.
 */
async function same<T>(s: Server, what: string, op: (side: Side, name: (base: string) => string) => Promise<T>): Promise<[T, T]> {
  const results: T[] = [];
  const answers: ReturnType<typeof answer>[] = [];
  for (const side of [s.inject, s.direct]) {
    const before = side.transport.responses.length;
    const result = await op(side, (base) => `${base}-${side.tag}`);
    results.push(result);
    assert.ok(side.transport.responses.length > before, `${what}: a request on the ${side.tag} side`);
    // What the client got is what the wire text says (the lane may hand over the object itself).
    assert.deepStrictEqual(result, JSON.parse(side.transport.last().body), `${what}: the ${side.tag} client's result is its response body`);
    answers.push(answer(side.transport.last(), side.tag));
  }
  assert.deepEqual(answers[1], answers[0], `${what}: the direct lane answers as inject does`);
  return [results[0] as T, results[1] as T];
}

/** Runs the same raw request on both transports and asserts the same status, warnings and body; returns the inject answer. */
async function sameRaw(s: Server, req: TransportRequest, opts: { maskVolatile?: boolean } = {}): Promise<TransportResponse> {
  const viaInject = await s.inject.transport.request(req);
  const viaDirect = await s.direct.transport.request(req);
  // The same object on both sides: nothing to mask but a Table's Age, unless
  // the request makes a new object each time (a dry-run create).
  const tag = opts.maskVolatile ? '\u0000' : undefined;
  assert.deepEqual(answer(viaDirect, tag), answer(viaInject, tag), `${req.method} ${req.path}: the direct lane answers as inject does`);
  return viaInject;
}

/** Asserts the call rejects with an ApiError and returns it. */
async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `an ApiError, got ${String(err)}`);
  return err;
}

/** Requests reaching fastify while fn runs. */
async function fastifyDuring(s: Server, fn: () => Promise<void>): Promise<string[]> {
  const from = s.reachedFastify.length;
  await fn();
  return s.reachedFastify.slice(from);
}

async function namespace(s: Server, name: string): Promise<void> {
  await s.inject.client.create(namespacesRef, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** apiserver_request_total samples, keyed by their sorted label set. */
async function requestTotals(s: Server): Promise<Map<string, number>> {
  const text = (await s.metrics.exposition()).body;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^apiserver_request_total\{(.*)\} (\d+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const labels = m[1]
      .split(',')
      .map((kv) => kv.replace(/"/g, ''))
      .sort()
      .join(',');
    out.set(labels, Number(m[2]));
  }
  return out;
}

function labelKey(l: { verb: string; group?: string; resource: string; subresource?: string; code: number }): string {
  return [`code=${l.code}`, `group=${l.group ?? ''}`, `resource=${l.resource}`, `subresource=${l.subresource ?? ''}`, `verb=${l.verb}`].sort().join(',');
}

describe('the loopback direct lane answers as inject does', () => {
  let s: Server;
  const ns = 'lane-crud';

  before(async () => {
    s = await startServer();
    await namespace(s, ns);
  });

  after(async () => {
    await s?.stop();
  });

  test('create, get, list, update, patch, status, binding and delete: same codes and bodies, and none of them reaches fastify', async () => {
    const lane = s.tookLane.length;
    const directCalls = s.direct.transport.responses.length;
    const reached = await fastifyDuring(s, async () => {
      // create: 201 and the created object
      const [cmI, cmD] = await same(s, 'create ConfigMap', (side, n) => side.client.create(cms(ns), configMap(n('a'), { app: 'web', side: side.tag })));
      assert.equal(s.inject.transport.last().status, 201);
      assert.equal(s.direct.transport.last().status, 201);
      assert.equal(cmD.metadata.name, 'a-direct');
      assert.ok(cmD.metadata.uid && cmD.metadata.resourceVersion && cmD.metadata.creationTimestamp);
      assert.notEqual(cmD.metadata.uid, cmI.metadata.uid);
      assert.equal(managerOf(cmD), 'lane-test', 'the field manager comes from the User-Agent');
      await same(s, 'create Pod', (side, n) => side.client.create(pods(ns), pod(n('p'), { app: 'web', side: side.tag })));
      assert.equal(s.direct.transport.last().status, 201);

      // get
      const [gotI, gotD] = await same(s, 'get', (side, n) => side.client.get(cms(ns), n('a')));
      assert.deepEqual(gotI, cmI);
      assert.deepEqual(gotD, cmD);

      // list with a labelSelector (each side sees only its own object)
      const [listI, listD] = await same(s, 'list', (side) => side.client.list(cms(ns), { labelSelector: `app=web,side=${side.tag}` }));
      assert.deepEqual(
        listD.items.map((o) => o.metadata.name),
        ['a-direct'],
      );
      assert.deepEqual(
        listI.items.map((o) => o.metadata.name),
        ['a-inject'],
      );
      assert.equal(listD.kind, 'ConfigMapList');

      // update (PUT)
      const [updI, updD] = await same(s, 'update', (side, n) => side.client.update(cms(ns), { ...(side.tag === 'inject' ? cmI : cmD), data: { k: 'v2' } }).then((o) => (assert.equal(o.metadata.name, n('a')), o)));
      assert.equal(s.direct.transport.last().status, 200);
      assert.deepEqual(updD.data, { k: 'v2' });
      assert.ok(Number(updD.metadata.resourceVersion) > Number(cmD.metadata.resourceVersion));
      assert.ok(Number(updI.metadata.resourceVersion) > Number(cmI.metadata.resourceVersion));

      // merge patch and strategic merge patch
      const [mpI, mpD] = await same(s, 'merge-patch', (side, n) => side.client.patch(cms(ns), n('a'), { data: { extra: 'x' }, metadata: { labels: { patched: 'merge' } } }));
      assert.deepEqual(mpD.data, { k: 'v2', extra: 'x' });
      assert.deepEqual(mpD.metadata.labels, { app: 'web', side: 'direct', patched: 'merge' });
      assert.deepEqual(mpI.metadata.labels, { app: 'web', side: 'inject', patched: 'merge' });
      const [, smpD] = await same(s, 'strategic-merge-patch', (side, n) =>
        side.client.patch(pods(ns), n('p'), { spec: { containers: [{ name: 'c', image: 'registry.example/app:2' }] } }, 'application/strategic-merge-patch+json'),
      );
      const containers = (smpD.spec as { containers: { name: string; image: string }[] }).containers;
      assert.deepEqual(
        containers.map((c) => [c.name, c.image]),
        [['c', 'registry.example/app:2']],
      );

      // status subresource: PUT (only status changes), GET
      const [, stD] = await same(s, 'status update', async (side, n) => {
        const cur = await side.client.get(pods(ns), n('p'));
        return side.client.update(pods(ns), { ...cur, status: { ...(cur.status as object), phase: 'Running', message: 'status via subresource' }, metadata: { ...cur.metadata, labels: { ignored: 'true' } } }, { subresource: 'status' });
      });
      assert.equal((stD.status as { phase?: string }).phase, 'Running');
      assert.equal(stD.metadata.labels?.ignored, undefined, 'a status update leaves the labels alone');
      await same(s, 'status get', (side, n) => side.client.get(pods(ns), n('p'), 'status'));

      // pods/binding
      await same(s, 'binding', (side, n) => side.client.postSubresource(pods(ns), n('p'), 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: n('p') }, target: { kind: 'Node', name: 'node-1' } }));
      assert.equal(s.direct.transport.last().status, 201);
      const [, boundD] = await same(s, 'get bound pod', (side, n) => side.client.get(pods(ns), n('p')));
      assert.equal((boundD.spec as { nodeName?: string }).nodeName, 'node-1');

      // delete: a bound pod is deleted gracefully, a ConfigMap at once
      const [, delPodD] = await same(s, 'delete Pod with a grace period', (side, n) => side.client.delete(pods(ns), n('p'), { gracePeriodSeconds: 15 }));
      assert.equal(s.direct.transport.last().status, 200);
      assert.equal(delPodD.metadata.deletionGracePeriodSeconds, 15);
      assert.ok(delPodD.metadata.deletionTimestamp, 'the pod is terminating');
      await same(s, 'get terminating pod', (side, n) => side.client.get(pods(ns), n('p')));
      await same(s, 'delete ConfigMap', (side, n) => side.client.delete(cms(ns), n('a')));
      assert.equal(s.direct.transport.last().status, 200);
      const gone = await rejection(s.direct.client.get(cms(ns), 'a-direct'));
      assert.equal(gone.status, 404);
    });
    const direct = s.direct.transport.responses.length - directCalls;
    assert.equal(direct, 16, "sixteen requests on the direct side");
    assert.equal(s.tookLane.length - lane, direct, `the lane took every request of the direct side: ${s.tookLane.slice(lane).join('; ')}`);
    assert.deepEqual(
      reached.filter((r) => r.includes('direct')),
      [],
      'no request of the direct side reached fastify',
    );
    assert.ok(
      reached.some((r) => r.includes('a-inject')),
      'the inject side went through fastify',
    );
  });

  // The transport names its own User-Agent when the caller names none, for both paths.
  test(
    'without a User-Agent, a write through the lane names the same field manager as through inject',
    async () => {
      const create = (t: LoopbackTransport, name: string): Promise<TransportResponse> =>
        t.request({ method: 'POST', path: collectionPath(cms(ns)), headers: { 'content-type': 'application/json' }, body: JSON.stringify(configMap(name)) });
      const manager = (r: TransportResponse): string | undefined => managerOf(JSON.parse(r.body) as KubeObject);
      const viaInject = await create(s.inject.transport.inner, 'ua-inject');
      const viaDirect = await create(s.direct.transport.inner, 'ua-direct');
      assert.equal(viaInject.status, 201);
      assert.equal(viaDirect.status, 201);
      assert.equal(manager(viaDirect), manager(viaInject));
    },
  );

  test('scale subresource of a Deployment: same answers for GET and PUT', async () => {
    const deploy = (name: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } },
      },
    });
    const deployments: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespace: ns };
    await same(s, 'create Deployment', (side, n) => side.client.create(deployments, deploy(n('d'))));
    const [, scaleD] = await same(s, 'get scale', (side, n) => side.client.get(deployments, n('d'), 'scale'));
    assert.equal(scaleD.kind, 'Scale');
    await same(s, 'put scale', (side, n) => side.client.update(deployments, { ...scaleD, metadata: { name: n('d') }, spec: { replicas: 3 } }, { subresource: 'scale' }));
    const [, dD] = await same(s, 'get scaled Deployment', (side, n) => side.client.get(deployments, n('d')));
    assert.equal((dD.spec as { replicas: number }).replicas, 3);
    assert.ok(s.tookLane.some((r) => r.includes('/deployments/d-direct/scale')));
  });

  test('errors: the same Status bodies with the same codes', async () => {
    const errNs = 'lane-errors';
    await namespace(s, errNs);
    await s.inject.client.create(cms(errNs), configMap('taken'));
    const first = await s.inject.client.create(cms(errNs), configMap('stale'));
    await s.inject.client.update(cms(errNs), { ...first, data: { k: 'newer' } });
    const statusOf = (r: TransportResponse): { code: number; reason: string; kind: string } => JSON.parse(r.body) as { code: number; reason: string; kind: string };

    const cases: [string, TransportRequest, number, string][] = [
      ['get a missing object', { method: 'GET', path: objectPath(cms(errNs), 'missing') }, 404, 'NotFound'],
      ['create an existing object', { method: 'POST', path: collectionPath(cms(errNs)), headers: { 'content-type': 'application/json' }, body: JSON.stringify(configMap('taken')) }, 409, 'AlreadyExists'],
      [
        'update with a stale resourceVersion',
        { method: 'PUT', path: objectPath(cms(errNs), 'stale'), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...first, data: { k: 'lost' } }) },
        409,
        'Conflict',
      ],
      [
        'create a Pod without containers',
        { method: 'POST', path: collectionPath(pods(errNs)), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: { containers: [] } }) },
        422,
        'Invalid',
      ],
      ['list with a bad labelSelector', { method: 'GET', path: `${collectionPath(cms(errNs))}?labelSelector=${encodeURIComponent('app in (')}` }, 400, 'BadRequest'],
      ['create with an unsupported content type', { method: 'POST', path: collectionPath(cms(errNs)), headers: { 'content-type': 'text/plain' }, body: 'kind: ConfigMap' }, 415, 'UnsupportedMediaType'],
      ['PATCH a collection', { method: 'PATCH', path: collectionPath(cms(errNs)), headers: { 'content-type': 'application/merge-patch+json' }, body: '{}' }, 405, 'MethodNotAllowed'],
      ['create without a body', { method: 'POST', path: collectionPath(cms(errNs)), headers: { 'content-type': 'application/json' } }, 400, 'BadRequest'],
      ['create with a malformed JSON body', { method: 'POST', path: collectionPath(cms(errNs)), headers: { 'content-type': 'application/json' }, body: '{"kind":' }, 400, 'BadRequest'],
      ['get an unknown resource', { method: 'GET', path: '/api/v1/namespaces/lane-errors/gizmos/g' }, 404, 'NotFound'],
      ['get a subresource the resource lacks', { method: 'GET', path: objectPath(cms(errNs), 'taken', 'scale') }, 404, 'NotFound'],
    ];
    for (const [what, req, code, reason] of cases) {
      const lane = s.tookLane.length;
      const res = await sameRaw(s, req);
      assert.equal(res.status, code, `${what}: ${res.body}`);
      const st = statusOf(res);
      assert.equal(st.kind, 'Status', what);
      assert.equal(st.code, code, what);
      assert.equal(st.reason, reason, what);
      const tookLane = s.tookLane.length > lane;
      assert.equal(tookLane, !what.includes('unknown resource'), `${what}: ${tookLane ? 'took' : 'did not take'} the lane`);
    }

    // Through the ApiClient the same errors come back as the same ApiErrors.
    const [e1, e2] = await Promise.all([rejection(s.inject.client.get(cms(errNs), 'missing')), rejection(s.direct.client.get(cms(errNs), 'missing'))]);
    assert.equal(e2.code, e1.code);
    assert.equal(e2.message, e1.message);
    assert.equal(e2.message, 'configmaps "missing" not found');
  });

  test('dryRun, fieldValidation warnings and refusals, odd content types and paths: the same answers', async () => {
    const edgeNs = 'lane-edges';
    await namespace(s, edgeNs);
    await s.inject.client.create(cms(edgeNs), configMap('present'));
    const json = { 'content-type': 'application/json' };
    const withUnknown = JSON.stringify({ ...configMap('unknown-field'), bogus: 1 });
    const cases: [TransportRequest, number][] = [
      [{ method: 'POST', path: `${collectionPath(cms(edgeNs))}?dryRun=All`, headers: json, body: JSON.stringify(configMap('dry')) }, 201],
      [{ method: 'DELETE', path: `${objectPath(cms(edgeNs), 'present')}?dryRun=All` }, 200],
      [{ method: 'POST', path: `${collectionPath(cms(edgeNs))}?fieldValidation=Warn&dryRun=All`, headers: json, body: withUnknown }, 201],
      [{ method: 'POST', path: `${collectionPath(cms(edgeNs))}?fieldValidation=Strict`, headers: json, body: withUnknown }, 400],
      [{ method: 'POST', path: `${collectionPath(cms(edgeNs))}?dryRun=All`, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(configMap('charset')) }, 201],
      [{ method: 'PATCH', path: objectPath(cms(edgeNs), 'present'), headers: { 'content-type': 'application/json-patch+json' }, body: '[{"op":"add","path":"/data/j","value":"p"}]' }, 200],
      [{ method: 'PATCH', path: objectPath(cms(edgeNs), 'present'), headers: { 'content-type': 'application/apply-patch+yaml' }, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"present"},"data":{"a":"b"}}' }, 422],
      [{ method: 'PATCH', path: `${objectPath(cms(edgeNs), 'present')}?fieldManager=edge&force=true`, headers: { 'content-type': 'application/apply-patch+yaml' }, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"present"},"data":{"a":"b"}}' }, 200],
      [{ method: 'GET', path: `${collectionPath(cms(edgeNs))}?labelSelector=&limit=1` }, 200],
      [{ method: 'GET', path: `${collectionPath(cms(edgeNs))}?fieldSelector=metadata.name%3Dpresent` }, 200],
      [{ method: 'GET', path: `${collectionPath(cms(edgeNs))}?fieldSelector=spec.bogus%3Dx` }, 400],
      [{ method: 'GET', path: `${collectionPath(cms(edgeNs))}/` }, 200],
      [{ method: 'GET', path: '/api/v1/configmaps' }, 200],
      [{ method: 'GET', path: '/api/v1/namespaces/lane-missing/configmaps/x' }, 404],
      [{ method: 'POST', path: '/api/v1/namespaces/lane-missing/configmaps', headers: json, body: JSON.stringify(configMap('x')) }, 404],
      [{ method: 'POST', path: objectPath(cms(edgeNs), 'present'), headers: json, body: '{}' }, 405],
    ];
    for (const [req, code] of cases) {
      const lane = s.tookLane.length;
      const res = await sameRaw(s, req, { maskVolatile: req.method === 'POST' });
      assert.equal(s.tookLane.length, lane + 1, `${req.method} ${req.path} took the lane`);
      assert.equal(res.status, code, `${req.method} ${req.path}: ${res.body.slice(0, 300)}`);
    }
    const warned = await s.direct.transport.request({ method: 'POST', path: `${collectionPath(cms(edgeNs))}?fieldValidation=Warn&dryRun=All`, headers: json, body: withUnknown });
    assert.equal(String(warned.headers.warning), '299 - "unknown field \\"bogus\\""');
  });

  test('objects the lane hands to the client are its own: changing them changes nothing on the server or in watches', async () => {
    const ownNs = 'lane-owned';
    await namespace(s, ownNs);
    const ref = cms(ownNs);
    const c = s.direct.client;
    const events: WatchEvent[] = [];
    const w = await s.inject.client.watch(ref, { resourceVersion: '0' }, (e) => events.push(e));
    const scribble = (o: KubeObject): void => {
      o.data = { k: 'scribbled' };
      o.metadata.labels = { scribbled: 'yes' };
      o.metadata.resourceVersion = '1';
      o.metadata.managedFields?.splice(0);
    };
    const stored = async (): Promise<KubeObject> => s.inject.client.get(ref, 'own');
    try {
      const created = await c.create(ref, configMap('own', { app: 'own' }));
      const v1 = structuredClone(created);
      scribble(created);
      assert.deepEqual(await stored(), v1, 'after changing the created object');
      const got = await c.get(ref, 'own');
      assert.deepEqual(got, v1);
      scribble(got);
      assert.deepEqual(await c.get(ref, 'own'), v1, 'after changing a got object');
      for (const params of [{}, { resourceVersion: '0' }]) {
        const listed = await c.list(ref, params);
        const before = structuredClone(listed);
        for (const item of listed.items) scribble(item);
        assert.deepEqual(await c.list(ref, params), before, `after changing listed objects (${JSON.stringify(params)})`);
      }
      const updated = await c.update(ref, { ...v1, data: { k: 'v2' } });
      const v2 = structuredClone(updated);
      scribble(updated);
      assert.deepEqual(await stored(), v2, 'after changing the updated object');
      const patched = await c.patch(ref, 'own', { data: { k: 'v3' } });
      const v3 = structuredClone(patched);
      scribble(patched);
      assert.deepEqual(await stored(), v3, 'after changing the patched object');
      const deleted = await c.delete(ref, 'own');
      scribble(deleted);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`events: ${events.map((e) => e.type).join(', ')}`)), 5000);
        const poll = (): void => {
          if (events.length >= 4) return (clearTimeout(t), resolve());
          setTimeout(poll, 10);
        };
        poll();
      });
      assert.deepEqual(
        events.map((e) => e.type),
        ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED'],
      );
      assert.deepEqual(events[0]?.object, v1, 'the ADDED event is the object as created');
      assert.deepEqual(events[1]?.object, v2);
      assert.deepEqual(events[2]?.object, v3);
      assert.deepEqual(events[3]?.object.data, { k: 'v3' }, 'the DELETED event is the last state');
    } finally {
      w.close();
      await w.done;
    }
  });

  // fastify refuses bodies over BODY_LIMIT (server.ts) before any handler runs; the lane checks the same limit.
  test('a body over the request size limit is 413 RequestEntityTooLarge through the lane as through inject', async () => {
    await namespace(s, 'lane-limit');
    const big = JSON.stringify(configMap('huge', {}, { k: 'x'.repeat(3 * 1024 * 1024 + 1) }));
    const res = await sameRaw(s, { method: 'POST', path: collectionPath(cms('lane-limit')), headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(res.status, 413);
    assert.equal((JSON.parse(res.body) as { reason: string }).reason, 'RequestEntityTooLarge');
  });

  test('Table output: the same columns and cells through the lane as through inject', async () => {
    const tblNs = 'lane-table';
    await namespace(s, tblNs);
    await s.inject.client.create(cms(tblNs), configMap('t1', { app: 'web' }, { a: '1', b: '2' }));
    await s.inject.client.create(pods(tblNs), pod('tp', { app: 'web' }));
    for (const path of [collectionPath(cms(tblNs)), objectPath(cms(tblNs), 't1'), `${collectionPath(pods(tblNs))}?labelSelector=app%3Dweb`, objectPath(pods(tblNs), 'tp')]) {
      const lane = s.tookLane.length;
      const res = await sameRaw(s, { method: 'GET', path, headers: { accept: TABLE_ACCEPT } });
      assert.equal(s.tookLane.length, lane + 1, `${path} took the lane`);
      assert.equal(res.status, 200);
      const tbl = JSON.parse(res.body) as { kind: string; apiVersion: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
      assert.equal(tbl.kind, 'Table');
      assert.equal(tbl.apiVersion, 'meta.k8s.io/v1');
      assert.equal(tbl.rows.length, 1, path);
      assert.equal(tbl.rows[0]?.cells.length, tbl.columnDefinitions.length);
      assert.equal(tbl.columnDefinitions[0]?.name, 'Name');
      assert.ok(tbl.rows[0]?.cells[0] === 't1' || tbl.rows[0]?.cells[0] === 'tp');
    }
  });

  test('requests through the lane are counted in apiserver_request_total with their verb, resource, subresource and code', async () => {
    const mNs = 'lane-metrics';
    await namespace(s, mNs);
    const before = await requestTotals(s);
    const c = s.direct.client;
    const lane = s.tookLane.length;
    const reached = await fastifyDuring(s, async () => {
      const cm = await c.create(cms(mNs), configMap('m'));
      await c.get(cms(mNs), 'm');
      await c.get(cms(mNs), 'm');
      await c.list(cms(mNs));
      await c.update(cms(mNs), { ...cm, data: { k: 'm2' } });
      await c.patch(cms(mNs), 'm', { data: { k: 'm3' } });
      await rejection(c.get(cms(mNs), 'nope'));
      await c.create(pods(mNs), pod('mp'));
      const p = await c.get(pods(mNs), 'mp');
      await c.update(pods(mNs), { ...p, status: { phase: 'Pending' } }, { subresource: 'status' });
      await c.postSubresource(pods(mNs), 'mp', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'mp' }, target: { name: 'node-1' } });
      await c.delete(cms(mNs), 'm');
    });
    assert.deepEqual(reached, [], 'none of them reached fastify');
    assert.equal(s.tookLane.length, lane + 12);
    const after = await requestTotals(s);
    const expected: [Parameters<typeof labelKey>[0], number][] = [
      [{ verb: 'POST', resource: 'configmaps', code: 201 }, 1],
      [{ verb: 'GET', resource: 'configmaps', code: 200 }, 2],
      [{ verb: 'LIST', resource: 'configmaps', code: 200 }, 1],
      [{ verb: 'PUT', resource: 'configmaps', code: 200 }, 1],
      [{ verb: 'PATCH', resource: 'configmaps', code: 200 }, 1],
      [{ verb: 'GET', resource: 'configmaps', code: 404 }, 1],
      [{ verb: 'DELETE', resource: 'configmaps', code: 200 }, 1],
      [{ verb: 'POST', resource: 'pods', code: 201 }, 1],
      [{ verb: 'GET', resource: 'pods', code: 200 }, 1],
      [{ verb: 'PUT', resource: 'pods', subresource: 'status', code: 200 }, 1],
      [{ verb: 'POST', resource: 'pods', subresource: 'binding', code: 201 }, 1],
    ];
    for (const [labels, n] of expected) {
      const k = labelKey(labels);
      assert.equal((after.get(k) ?? 0) - (before.get(k) ?? 0), n, `apiserver_request_total{${k}}`);
    }
    const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    assert.equal(total(after) - total(before), 12, 'nothing else was counted');
    const text = (await s.metrics.exposition()).body;
    assert.match(text, /^apiserver_request_duration_seconds_count\{verb="POST",group="",resource="pods",subresource="binding"\} [1-9]/m);
  });

  test('requests the lane must not take still work through the same transport: watches, /version, escaped paths', async () => {
    const fbNs = 'lane-fallback';
    await namespace(s, fbNs);
    const c = s.direct.client;
    const lane = s.tookLane.length;

    // A watch: streamed by fastify, its events reach the client.
    const events: WatchEvent[] = [];
    let got: () => void = () => undefined;
    const gotTwo = new Promise<void>((r) => (got = r));
    const w = await c.watch(cms(fbNs), { resourceVersion: '0' }, (e) => {
      events.push(e);
      if (events.length >= 2) got();
    });
    try {
      await c.create(cms(fbNs), configMap('w1'));
      await c.create(cms(fbNs), configMap('w-2'));
      await Promise.race([gotTwo, new Promise((_, reject) => setTimeout(() => reject(new Error(`events: ${JSON.stringify(events.map((e) => e.type))}`)), 5000))]);
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`),
        ['ADDED w1', 'ADDED w-2'],
      );
    } finally {
      w.close();
      await w.done;
    }
    assert.ok(
      s.reachedFastify.some((r) => r.startsWith(`GET /api/v1/namespaces/${fbNs}/configmaps?`) && r.includes('watch=true')),
      'the watch went through fastify',
    );
    assert.equal(s.tookLane.length, lane + 2, 'only the two creates took the lane');

    // A watch asked for with request() (not stream()), by query and by the legacy path: the server ends it after timeoutSeconds.
    for (const path of [`${collectionPath(cms(fbNs))}?watch=1&resourceVersion=0&timeoutSeconds=1`, `/api/v1/watch/namespaces/${fbNs}/configmaps?resourceVersion=0&timeoutSeconds=1`]) {
      const [viaInject, viaDirect] = await Promise.all([s.inject.transport.request({ method: 'GET', path }), s.direct.transport.request({ method: 'GET', path })]);
      const lines = (r: TransportResponse): string[] =>
        r.body
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => {
            const e = JSON.parse(l) as WatchEvent;
            return `${e.type} ${e.object.metadata.name ?? ''}`;
          });
      assert.equal(viaInject.status, 200, viaInject.body);
      assert.equal(viaDirect.status, 200, `${path}: ${viaDirect.body}`);
      assert.deepEqual(lines(viaDirect).sort(), ['ADDED w-2', 'ADDED w1']);
      assert.equal(viaDirect.body, viaInject.body);
    }
    assert.equal(s.tookLane.length, lane + 2, 'the lane took no watch');

    // A non-resource path.
    const reachedVersion = await fastifyDuring(s, async () => {
      const v = await sameRaw(s, { method: 'GET', path: '/version' });
      assert.equal(v.status, 200);
      assert.equal((JSON.parse(v.body) as { gitVersion: string }).gitVersion, 'v1.33.0+skiff.test');
    });
    assert.deepEqual(reachedVersion, ['GET /version', 'GET /version'], 'both sides went through fastify');

    // An escaped path: the router decodes it, the lane leaves it alone.
    const escaped = `${collectionPath(cms(fbNs))}/w%2D2`;
    const reachedEscaped = await fastifyDuring(s, async () => {
      const r = await sameRaw(s, { method: 'GET', path: escaped });
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body) as KubeObject).metadata.name, 'w-2');
    });
    assert.deepEqual(reachedEscaped, [`GET ${escaped}`, `GET ${escaped}`]);
    assert.equal(s.tookLane.length, lane + 2, 'neither /version nor the escaped path took the lane');
  });
});

describe('the loopback direct lane asks the authorizer', () => {
  let s: Server;
  const ns = 'lane-authz';
  const asked: AuthorizationAttributes[] = [];
  const summary = (a: AuthorizationAttributes): string => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.namespace}/${a.name} ${a.user.name}`;
  const denyConfigMapDeletes: Authorizer = {
    authorize: (a) => {
      asked.push(structuredClone(a));
      if (a.verb === 'delete' && a.resource === 'configmaps') return { allowed: false, reason: 'configmaps may not be deleted here' };
      return { allowed: true, reason: '' };
    },
  };

  before(async () => {
    s = await startServer(denyConfigMapDeletes);
    await namespace(s, ns);
  });

  after(async () => {
    await s?.stop();
  });

  test('a denied verb is 403 Forbidden with the same Status as inject gives the same user; allowed verbs pass', async () => {
    await s.inject.client.create(cms(ns), configMap('keep'));
    const lane = s.tookLane.length;
    const from = asked.length;
    const res = await sameRaw(s, { method: 'DELETE', path: objectPath(cms(ns), 'keep') });
    assert.equal(s.tookLane.length, lane + 1, 'the direct side took the lane');
    assert.deepEqual(asked.slice(from).map(summary), [`delete configmaps ${ns}/keep system:apiserver`, `delete configmaps ${ns}/keep system:apiserver`], 'the authorizer was asked on both sides');
    const [viaInject, viaDirect] = asked.slice(from);
    assert.ok(viaInject && viaDirect);
    assert.deepEqual({ ...viaDirect, user: viaDirect.user.name }, { ...viaInject, user: viaInject.user.name }, 'the same attributes');
    assert.equal(res.status, 403);
    const st = JSON.parse(res.body) as { kind: string; reason: string; code: number; message: string; details?: { name?: string; kind?: string } };
    assert.equal(st.kind, 'Status');
    assert.equal(st.reason, 'Forbidden');
    assert.equal(st.code, 403);
    assert.equal(st.message, `configmaps "keep" is forbidden: User "system:apiserver" cannot delete resource "configmaps" in API group "" in the namespace "${ns}": configmaps may not be deleted here`);

    const err = await rejection(s.direct.client.delete(cms(ns), 'keep'));
    assert.equal(err.status, 403);
    assert.equal(err.reason, 'Forbidden');
    // Still there, and other verbs are allowed through the lane.
    const kept = await s.direct.client.patch(cms(ns), 'keep', { data: { k: 'still here' } });
    assert.deepEqual(kept.data, { k: 'still here' });
    const totals = await requestTotals(s);
    assert.ok((totals.get(labelKey({ verb: 'DELETE', resource: 'configmaps', code: 403 })) ?? 0) >= 3, 'denials are counted (both sides)');
  });

  // main.ts hands the lane the user as the authenticator would see it (system:authenticated included).
  test('the authorizer sees the same user, groups included, through the lane as through inject', async () => {
    await s.inject.client.create(cms(ns), configMap('who'));
    const from = asked.length;
    await sameRaw(s, { method: 'GET', path: objectPath(cms(ns), 'who') });
    const [viaInject, viaDirect] = asked.slice(from);
    assert.ok(viaInject && viaDirect, 'asked on both sides');
    assert.deepEqual(viaDirect.user, viaInject.user);
  });
});
