/**
 * A fastify app serving the generic REST routes over a MemoryStore with a
 * handful of test kinds (not the built-in table): cluster-scoped
 * namespaces and gadgets, namespaced widgets (status, scale, an alias
 * version with conversion) and pods (status, binding, connect
 * subresources, graceful deletion).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { formatLabelSelector, type LabelSelector } from '../../control-plane/api/selectors/label-selector.js';
import { isPlainObject, type KubeObject } from '../../control-plane/api/meta.js';
import { ResourceTable, type ResourceEntry } from '../../control-plane/api/resource-table.js';
import { AdmissionChain } from '../../control-plane/apiserver/admission/admission.js';
import { defaultsPlugin } from '../../control-plane/apiserver/admission/defaults.js';
import { namespaceLifecyclePlugin } from '../../control-plane/apiserver/admission/namespace-lifecycle.js';
import { validationPlugin } from '../../control-plane/apiserver/admission/validation.js';
import type { ApiServerDeps } from '../../control-plane/apiserver/context.js';
import { sendStatusError } from '../../control-plane/apiserver/error-handler.js';
import { registerResourceRoutes, type RestOptions } from '../../control-plane/apiserver/rest/routes.js';
import { MemoryStore } from '../helpers/memory-store.js';

const spec = (o: KubeObject): Record<string, unknown> => (isPlainObject(o.spec) ? o.spec : {});
const status = (o: KubeObject): Record<string, unknown> => (isPlainObject(o.status) ? o.status : {});

export const namespaces: ResourceEntry = {
  group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false,
  storagePrefix: '/registry/namespaces/', subresources: { status: true }, specFields: ['spec'],
  defaults: (o) => {
    const st = isPlainObject(o.status) ? o.status : (o.status = {});
    st.phase ??= 'Active';
  },
  deletion: () => ({ graceful: false }),
};

function renameKey(o: Record<string, unknown>, from: string, to: string): void {
  if (from in o) {
    o[to] = o[from];
    delete o[from];
  }
}

export const widgets: ResourceEntry = {
  group: 'example.dev', version: 'v1', resource: 'widgets', singular: 'widget', kind: 'Widget', namespaced: true,
  storagePrefix: '/registry/widgets/', specFields: ['spec'],
  subresources: {
    status: true,
    scale: {
      specReplicas: (o) => Number(spec(o).replicas ?? 0),
      statusReplicas: (o) => Number(status(o).replicas ?? 0),
      selector: (o) => (isPlainObject(spec(o).selector) ? formatLabelSelector(spec(o).selector as LabelSelector) : ''),
      setReplicas: (o, n) => {
        (o.spec = spec(o)).replicas = n;
      },
    },
  },
  defaults: (o) => {
    (o.spec = spec(o)).replicas ??= 1;
  },
  validate: (o) => {
    const r = spec(o).replicas;
    return typeof r === 'number' && r < 0 ? [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: r, detail: 'must be greater than or equal to 0' }] : [];
  },
  fieldSelectors: { 'spec.color': (o) => String(spec(o).color ?? '') },
  alsoServedAs: [
    {
      group: 'example.dev', version: 'v1beta1', kind: 'Widget',
      fromStorage: (o) => {
        const c = structuredClone(o);
        renameKey((c.spec = spec(c)), 'color', 'colour');
        return c;
      },
      toStorage: (o) => {
        const c = structuredClone(o);
        renameKey((c.spec = spec(c)), 'colour', 'color');
        return c;
      },
      fieldSelectorAliases: { 'spec.colour': 'spec.color' },
    },
  ],
};

export const gadgets: ResourceEntry = {
  group: 'example.dev', version: 'v1', resource: 'gadgets', singular: 'gadget', kind: 'Gadget', namespaced: false,
  storagePrefix: '/registry/gadgets/',
};

export const pods: ResourceEntry = {
  group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true,
  storagePrefix: '/registry/pods/', specFields: ['spec'],
  subresources: { status: true, others: ['binding', 'log', 'exec', 'eviction'] },
  fieldSelectors: { 'spec.nodeName': (o) => String(spec(o).nodeName ?? ''), 'status.phase': (o) => String(status(o).phase ?? '') },
  deletion: (o, requested) => {
    const bound = typeof spec(o).nodeName === 'string' && spec(o).nodeName !== '';
    if (!bound || requested === 0) return { graceful: false };
    return { graceful: true, gracePeriodSeconds: requested ?? Number(spec(o).terminationGracePeriodSeconds ?? 30) };
  },
};

export interface TestServer {
  app: FastifyInstance;
  store: MemoryStore;
  deps: ApiServerDeps;
  metrics: { opened: number; closed: number };
  /** Advances the fake clock. */
  tick(ms: number): void;
  close(): Promise<void>;
}

export async function startServer(options: RestOptions = {}, listen = false): Promise<TestServer> {
  const table = new ResourceTable();
  for (const e of [namespaces, pods, widgets, gadgets]) table.register(e);
  const store = new MemoryStore();
  let now = Date.parse('2026-11-28T06:00:00Z');
  let uid = 0;
  let suffix = 0;
  const metrics = { opened: 0, closed: 0 };
  const deps: ApiServerDeps = {
    table,
    store,
    clock: { now: () => new Date(now) },
    newUid: () => `uid-${++uid}`,
    randomSuffix: (n) => String(++suffix).padStart(n, 'x').slice(-n),
    admission: new AdmissionChain([defaultsPlugin()], [validationPlugin(), namespaceLifecyclePlugin({ store, table })]),
    metrics: { watchOpened: () => void metrics.opened++, watchClosed: () => void metrics.closed++ },
    gitVersion: 'v1.33.0+skiff.test',
  };
  const app = Fastify({ bodyLimit: 3 * 1024 * 1024 });
  app.addHook('onRequest', async (request) => {
    request.user = { name: 'admin', groups: ['system:masters'] };
  });
  app.setErrorHandler((err, request, reply) => sendStatusError(err, request, reply));
  registerResourceRoutes(app, deps, options);
  if (listen) await app.listen({ port: 0, host: '127.0.0.1' });
  else await app.ready();
  for (const ns of ['default', 'other']) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/namespaces', payload: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    if (r.statusCode !== 201) throw new Error(`namespace ${ns}: ${r.body}`);
  }
  return { app, store, deps, metrics, tick: (ms) => void (now += ms), close: async () => { await app.close(); await store.close(); } };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** One request through app.inject; objects are sent as JSON unless a string/Buffer is given. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const r = await app.inject({ method, url, payload, headers: payload === undefined ? {} : { 'content-type': contentType } });
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(r.body) as Record<string, unknown>;
  } catch {
    parsed = { raw: r.body };
  }
  return { status: r.statusCode, body: parsed, headers: r.headers };
}

export function widget(name: string, extra: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'example.dev/v1', kind: 'Widget', metadata: { name, ...(labels ? { labels } : {}) }, spec: { color: 'red', ...extra } };
}

export function meta(b: Record<string, unknown>): Record<string, unknown> {
  return (b.metadata ?? {}) as Record<string, unknown>;
}
