/**
 * Cluster bootstrap, run at every start before the server reports ready:
 * the namespaces every cluster has (default, kube-system, kube-public,
 * kube-node-lease) and the `kubernetes` Service in `default` with its
 * Endpoints (and EndpointSlice when that resource is served) pointing at
 * this server.
 *
 * Contract: idempotent. Objects are written through the REST API (an
 * ApiCaller, in-process in production), so defaulting, validation and
 * service-IP allocation apply exactly as to any client. Missing objects
 * are created; the Service's port and the endpoints are updated when they
 * no longer match this server; anything else users changed is left alone.
 * A 409 AlreadyExists from a concurrent creator counts as success.
 */
import { isPlainObject, type KubeObject } from '../api/meta.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** Sends one request to the API as a fully privileged client. */
export interface ApiCaller {
  call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiResponse>;
}

export interface BootstrapOptions {
  /** The kubernetes Service's ClusterIP: the first address of the service CIDR. */
  serviceIp: string;
  /** Where in-cluster clients reach this server. */
  endpointIp: string;
  port: number;
  /** Whether the API serves a group/version/resource (EndpointSlice is optional). */
  serves(group: string, version: string, resource: string): boolean;
}

export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapError';
  }
}

function messageOf(body: unknown): string {
  return isPlainObject(body) && typeof body['message'] === 'string' ? body['message'] : JSON.stringify(body);
}

async function expectOk(api: ApiCaller, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ApiResponse> {
  const res = await api.call(method, path, body);
  if (res.status >= 200 && res.status < 300) return res;
  if (method === 'POST' && res.status === 409) return res;
  throw new BootstrapError(`${method} ${path} failed (${res.status}): ${messageOf(res.body)}`);
}

/** GETs an object; undefined on 404. */
async function read(api: ApiCaller, path: string): Promise<KubeObject | undefined> {
  const res = await api.call('GET', path);
  if (res.status === 404) return undefined;
  if (res.status !== 200 || !isPlainObject(res.body)) throw new BootstrapError(`GET ${path} failed (${res.status}): ${messageOf(res.body)}`);
  return res.body as KubeObject;
}

/** Creates the object at collection/name unless it exists; returns the stored object when it already did. */
async function ensure(api: ApiCaller, collection: string, obj: KubeObject): Promise<KubeObject | undefined> {
  const existing = await read(api, `${collection}/${obj.metadata.name ?? ''}`);
  if (existing) return existing;
  await expectOk(api, 'POST', collection, obj);
  return undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function bootstrapCluster(api: ApiCaller, opts: BootstrapOptions): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(api, '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
    });
  }

  const port = { name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port };
  const svcPath = '/api/v1/namespaces/default/services';
  const svc = await ensure(api, svcPath, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: opts.serviceIp, clusterIPs: [opts.serviceIp], ports: [port], sessionAffinity: 'None' },
  });
  if (svc && isPlainObject(svc['spec'])) {
    const spec = svc['spec'];
    const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
    const https = ports.find((p: unknown) => isPlainObject(p) && p['name'] === 'https');
    if (!isPlainObject(https) || https['port'] !== 443 || https['targetPort'] !== opts.port) {
      spec['ports'] = [port, ...ports.filter((p: unknown) => !(isPlainObject(p) && p['name'] === 'https'))];
      await expectOk(api, 'PUT', `${svcPath}/kubernetes`, svc);
    }
  }

  const subsets = [{ addresses: [{ ip: opts.endpointIp }], ports: [{ name: 'https', port: opts.port, protocol: 'TCP' }] }];
  const epPath = '/api/v1/namespaces/default/endpoints';
  const ep = await ensure(api, epPath, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets,
  });
  if (ep && !sameJson(ep['subsets'], subsets)) {
    ep['subsets'] = subsets;
    await expectOk(api, 'PUT', `${epPath}/kubernetes`, ep);
  }

  if (!opts.serves('discovery.k8s.io', 'v1', 'endpointslices')) return;
  const slicePath = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
  const endpoints = [{ addresses: [opts.endpointIp], conditions: { ready: true } }];
  const slicePorts = [{ name: 'https', port: opts.port, protocol: 'TCP' }];
  const slice = await ensure(api, slicePath, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints,
    ports: slicePorts,
  });
  if (slice && (!sameJson(slice['endpoints'], endpoints) || !sameJson(slice['ports'], slicePorts))) {
    slice['endpoints'] = endpoints;
    slice['ports'] = slicePorts;
    await expectOk(api, 'PUT', `${slicePath}/kubernetes`, slice);
  }
}
