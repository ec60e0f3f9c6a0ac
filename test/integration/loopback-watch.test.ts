/**
 * In-process watches through the LoopbackTransport: the server hands their
 * lines to a loopback sink instead of light-my-request's emulated body.
 * A real apiserver (buildServer over TLS, the built-in table, admission,
 * the REST routes, a MemoryStore) serves an ApiClient over the loopback
 * transport exactly as main.ts wires the scheduler and controllers; a
 * network client on the same server must never reach a sink.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { ApiClient, type ResourceRef, type Watch, type WatchEvent, type WatchParams } from '../../control-plane/api/client/api-client.js';
import { ApiError } from '../../control-plane/api/errors.js';
import { systemClock, type KubeObject } from '../../control-plane/api/meta.js';
import type { ResourceTable } from '../../control-plane/api/resource-table.js';
import { newBuiltinTable } from '../../control-plane/api/resources/index.js';
import { newAuthenticator } from '../../control-plane/apiserver/auth/authenticator.js';
import { LoopbackTransport } from '../../control-plane/apiserver/loopback-transport.js';
import { ServerMetrics } from '../../control-plane/apiserver/metrics/api-metrics.js';
import { registerResourceRoutes } from '../../control-plane/apiserver/rest/routes.js';
import { buildServer } from '../../control-plane/apiserver/server.js';
import { LOOPBACK_STREAM_HEADER, registerLoopbackSink } from '../../control-plane/apiserver/watch/loopback-sinks.js';
import { encodeForStorage } from '../../control-plane/apiserver/rest/codec.js';
import { ensureClusterPki, type ClusterPki } from '../../control-plane/pki/cluster-pki.js';
import { MemoryStore } from '../helpers/memory-store.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { testApiDeps } from '../helpers/test-api-deps.js';

const LOOPBACK_TOKEN = 'loopback-test-token';
const namespacesRef: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
const cms = (namespace: string): ResourceRef => ({ group: '', version: 'v1', resource: 'configmaps', namespace });

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

/** Events of one watch, with a wait for the n-th. */
interface Collected {
  events: WatchEvent[];
  watch: Watch;
  until(n: number): Promise<WatchEvent[]>;
}

async function collect(client: ApiClient, ref: ResourceRef, params: WatchParams): Promise<Collected> {
  const events: WatchEvent[] = [];
  const waiters: { n: number; done: () => void }[] = [];
  const watch = await client.watch(ref, params, (e) => {
    events.push(e);
    for (const w of waiters.splice(0)) if (events.length >= w.n) w.done();
    else waiters.push(w);
  });
  return {
    events,
    watch,
    until: (n) =>
      new Promise((resolve, reject) => {
        if (events.length >= n) return resolve(events);
        const t = setTimeout(() => reject(new Error(`only ${events.length} of ${n} events: ${JSON.stringify(summary(events))}`)), 5000);
        waiters.push({ n, done: () => (clearTimeout(t), resolve(events)) });
      }),
  };
}

const summary = (evs: WatchEvent[]): string[] => evs.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`);
const rvs = (evs: WatchEvent[]): number[] => evs.map((e) => Number(e.object.metadata.resourceVersion));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function assertIncreasing(xs: number[]): void {
  for (let i = 1; i < xs.length; i++) assert.ok((xs[i] ?? 0) > (xs[i - 1] ?? 0), `resourceVersions increase: ${xs.join(', ')}`);
}

/** Rejects if p has not settled within ms: a watch call must never hang. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: not settled in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

describe('watches through the loopback transport', () => {
  let dir: TempDir;
  let pki: ClusterPki;
  let store: MemoryStore;
  let table: ResourceTable;
  let metrics: ServerMetrics;
  let app: FastifyInstance;
  let transport: LoopbackTransport;
  let client: ApiClient;
  let port = 0;

  const openWatches = async (): Promise<number> => {
    const m = await metrics.registry.getSingleMetric('apiserver_longrunning_requests')?.get();
    return (m?.values ?? []).filter((v) => v.labels.resource === 'configmaps').reduce((n, v) => n + v.value, 0);
  };

  const namespace = async (name: string): Promise<void> => {
    await client.create(namespacesRef, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  };

  before(async () => {
    dir = tempDir();
    pki = await ensureClusterPki(dir.path, { dns: ['localhost'], ips: ['127.0.0.1'] }, systemClock);
    table = newBuiltinTable();
    store = new MemoryStore();
    metrics = new ServerMetrics();
    app = buildServer(
      testApiDeps(table, store, metrics),
      {
        tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, ca: pki.caCertPem },
        authenticator: newAuthenticator(new Map([[LOOPBACK_TOKEN, { name: 'system:apiserver', groups: ['system:masters'] }]])),
        metrics,
        routes: (a, d) => registerResourceRoutes(a, d),
      },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    port = addr !== null && typeof addr === 'object' ? addr.port : 0;
    transport = new LoopbackTransport(app, LOOPBACK_TOKEN);
    client = new ApiClient(transport);
  });

  after(async () => {
    try {
      transport?.close();
      await app?.close();
      await store?.close();
    } finally {
      dir?.remove();
    }
  });

  test('from resourceVersion 0: ADDED for existing objects, then every change in order with increasing resourceVersions', async () => {
    await namespace('w-order');
    const a = await client.create(cms('w-order'), configMap('a'));
    const b = await client.create(cms('w-order'), configMap('b'));
    const w = await collect(client, cms('w-order'), { resourceVersion: '0' });
    try {
      const initial = (await w.until(2)).slice();
      assert.deepEqual(summary(initial).sort(), ['ADDED a', 'ADDED b']);
      for (const e of initial) assert.deepEqual(e.object, e.object.metadata.name === 'a' ? a : b);

      const c = await client.create(cms('w-order'), configMap('c'));
      const a2 = await client.update(cms('w-order'), { ...a, data: { k: 'v2' } });
      await client.delete(cms('w-order'), 'b');
      const [added, modified, deleted] = (await w.until(5)).slice(2);
      assert.ok(added && modified && deleted);
      assert.deepEqual(summary([added, modified, deleted]), ['ADDED c', 'MODIFIED a', 'DELETED b']);
      assertIncreasing(rvs([added, modified, deleted]));
      assert.ok(Number(added.object.metadata.resourceVersion) > Math.max(...rvs(initial)), 'changes come after the initial state');
      assert.deepEqual(added.object, c, 'ADDED carries the object as created');
      assert.deepEqual(modified.object, a2, 'MODIFIED carries the object as updated');
      assert.equal(modified.object.apiVersion, 'v1');
      assert.equal(modified.object.kind, 'ConfigMap');
      assert.deepEqual(deleted.object.data, b.data, 'DELETED carries the last state');
      assert.ok(Number(deleted.object.metadata.resourceVersion) > Number(a2.metadata.resourceVersion), 'DELETED at the deletion revision');
      await sleep(100);
      assert.equal(w.events.length, 5, `nothing more: ${JSON.stringify(summary(w.events))}`);
    } finally {
      w.watch.close();
      await w.watch.done;
    }
  });

  test('a watch from a resourceVersion gets only later changes', async () => {
    await namespace('w-from');
    const x = await client.create(cms('w-from'), configMap('x'));
    const w = await collect(client, cms('w-from'), { resourceVersion: x.metadata.resourceVersion });
    try {
      await client.update(cms('w-from'), { ...x, data: { k: 'later' } });
      const evs = await w.until(1);
      assert.deepEqual(summary(evs), ['MODIFIED x']);
      assert.deepEqual(evs[0]?.object.data, { k: 'later' });
    } finally {
      w.watch.close();
      await w.watch.done;
    }
  });

  test('with a labelSelector: objects entering are ADDED, objects leaving are DELETED with their previous state', async () => {
    await namespace('w-sel');
    const w = await collect(client, cms('w-sel'), { resourceVersion: '0', labelSelector: 'app=web' });
    try {
      const x = await client.create(cms('w-sel'), configMap('x', { app: 'web' }));
      const y = await client.create(cms('w-sel'), configMap('y', { app: 'db' }));
      const xOut = await client.update(cms('w-sel'), { ...x, metadata: { ...x.metadata, labels: { app: 'db' } } });
      await client.update(cms('w-sel'), { ...y, metadata: { ...y.metadata, labels: { app: 'web' } } });
      await client.delete(cms('w-sel'), 'y');
      const evs = await w.until(4);
      assert.deepEqual(summary(evs), ['ADDED x', 'DELETED x', 'ADDED y', 'DELETED y']);
      assertIncreasing(rvs(evs));
      assert.deepEqual(evs[1]?.object.metadata.labels, { app: 'web' }, 'the DELETED object is the state that matched');
      assert.equal(evs[1]?.object.metadata.resourceVersion, xOut.metadata.resourceVersion, 'at the revision of the change');
      assert.deepEqual(evs[2]?.object.metadata.labels, { app: 'web' });
      await sleep(100);
      assert.equal(w.events.length, 4, `nothing more: ${JSON.stringify(summary(w.events))}`);
    } finally {
      w.watch.close();
      await w.watch.done;
    }
  });

  test('after close() no event is delivered, done resolves and the server-side watch ends', async () => {
    await namespace('w-close');
    const before = await openWatches();
    const w = await collect(client, cms('w-close'), { resourceVersion: '0' });
    assert.equal(await openWatches(), before + 1);
    await client.create(cms('w-close'), configMap('first'));
    await w.until(1);
    w.watch.close();
    await within(w.watch.done, 2000, 'done after close()');
    await client.create(cms('w-close'), configMap('second'));
    await client.delete(cms('w-close'), 'first');
    await sleep(200);
    assert.deepEqual(summary(w.events), ['ADDED first']);
    assert.equal(await openWatches(), before, 'the server closed its end');
  });

  test('close() right after a write still delivers nothing more', async () => {
    await namespace('w-close2');
    const w = await collect(client, cms('w-close2'), { resourceVersion: '0' });
    const writes = [client.create(cms('w-close2'), configMap('p')), client.create(cms('w-close2'), configMap('q'))];
    await Promise.all(writes);
    w.watch.close();
    const seen = w.events.length;
    await within(w.watch.done, 2000, 'done after close()');
    await client.create(cms('w-close2'), configMap('r'));
    await sleep(200);
    assert.equal(w.events.length, seen, `no event after close(): ${JSON.stringify(summary(w.events))}`);
  });

  test('close() from inside an event handler: the rest of the batch is not delivered', async () => {
    await namespace('w-close3');
    const seen: string[] = [];
    const w = await collect(client, cms('w-close3'), { resourceVersion: '0' });
    const closing = await client.watch(cms('w-close3'), { resourceVersion: '0' }, (e) => {
      seen.push(`${e.type} ${e.object.metadata.name ?? ''}`);
      closing.close();
    });
    // One store batch: the watch cache fans the three events out in one turn.
    const entry = table.resolve('', 'v1', 'configmaps')?.entry;
    assert.ok(entry);
    const put = (name: string): Promise<unknown> =>
      store.create(`/registry/configmaps/w-close3/${name}`, encodeForStorage(entry, { ...configMap(name), metadata: { name, namespace: 'w-close3', uid: `uid-${name}` } }));
    await Promise.all([put('b1'), put('b2'), put('b3')]);
    assert.deepEqual(summary(await w.until(3)), ['ADDED b1', 'ADDED b2', 'ADDED b3'], 'the batch reached the other watcher');
    await within(closing.done, 2000, 'done after close()');
    await sleep(100);
    w.watch.close();
    await w.watch.done;
    assert.deepEqual(seen, ['ADDED b1'], 'only the event being handled when close() was called');
  });

  test('a watch the server ends (timeoutSeconds) delivers its events, then done resolves', async () => {
    await namespace('w-timeout');
    await client.create(cms('w-timeout'), configMap('t'));
    const w = await collect(client, cms('w-timeout'), { resourceVersion: '0', timeoutSeconds: 1 });
    await within(w.watch.done, 5000, 'done after the server timeout');
    assert.deepEqual(summary(w.events), ['ADDED t']);
  });

  test('a bad watch (invalid labelSelector) rejects with the 400 Status, it does not hang', async () => {
    const before = await openWatches();
    const err = await within(
      client.watch(cms('default'), { labelSelector: 'app in (' }, () => assert.fail('no event for a refused watch')).then(
        (w) => {
          w.close();
          return undefined;
        },
        (e: unknown) => e,
      ),
      5000,
      'a refused watch',
    );
    assert.ok(err instanceof ApiError, `an ApiError, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.ok(err.message.length > 0);
    assert.equal(await openWatches(), before);
  });

  test('a network client naming a live sink gets its lines on the HTTP body; the sink gets nothing', async () => {
    await namespace('w-net');
    const sunk: string[] = [];
    const sink = registerLoopbackSink((text) => sunk.push(text));
    let req: ClientRequest | undefined;
    try {
      const lines: string[] = [];
      let got: () => void = () => undefined;
      const gotTwo = new Promise<void>((r) => (got = r));
      const status = await new Promise<number>((resolve, reject) => {
        req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/namespaces/w-net/configmaps?watch=true&resourceVersion=0',
            ca: pki.caCertPem,
            servername: 'localhost',
            cert: pki.adminCertPem,
            key: pki.adminKeyPem,
            headers: { [LOOPBACK_STREAM_HEADER]: sink.id },
          },
          (res) => {
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              buf += c;
              let i;
              while ((i = buf.indexOf('\n')) >= 0) {
                lines.push(buf.slice(0, i));
                buf = buf.slice(i + 1);
              }
              if (lines.length >= 2) got();
            });
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
      await client.create(cms('w-net'), configMap('n1'));
      await client.create(cms('w-net'), configMap('n2'));
      await within(gotTwo, 5000, 'two lines on the HTTPS body');
      assert.deepEqual(
        lines.map((l) => {
          const e = JSON.parse(l) as WatchEvent;
          return `${e.type} ${e.object.metadata.name ?? ''}`;
        }),
        ['ADDED n1', 'ADDED n2'],
      );
      assert.deepEqual(sunk, []);
    } finally {
      req?.destroy();
      sink.remove();
    }
  });

  // Last: compaction affects every later watch from an old revision.
  test('a watch from a compacted revision gets the 410 Expired ERROR event through the sink, then ends', async () => {
    await namespace('w-expired');
    await client.create(cms('w-expired'), configMap('e'));
    const current = await store.currentRevision();
    await store.compact(current);
    const w = await collect(client, cms('w-expired'), { resourceVersion: '1' });
    await within(w.watch.done, 5000, 'done after the ERROR event');
    assert.equal(w.events.length, 1, JSON.stringify(w.events));
    const e = w.events[0];
    assert.equal(e?.type, 'ERROR');
    const st = e?.object as unknown as { kind: string; code: number; reason: string; message: string };
    assert.equal(st.kind, 'Status');
    assert.equal(st.code, 410);
    assert.equal(st.reason, 'Expired');
    assert.equal(st.message, `too old resource version: 1 (${current})`);
  });
});
