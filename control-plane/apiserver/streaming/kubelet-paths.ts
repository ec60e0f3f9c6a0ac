/**
 * Where a connect request goes on a node agent, computed the way upstream's
 * pod and node registries do it (pkg/registry/core/pod/strategy.go,
 * pkg/kubelet/client). Pure.
 *
 * - exec/attach: `/exec/<ns>/<pod>/<container>?command=…&input=1&output=1&error=1&tty=1`
 *   (upstream rewrites the options: `container` moves into the path and the
 *   stream flags become the kubelet's `input`/`output`/`error`/`tty` = 1);
 * - portforward: `/portForward/<ns>/<pod>[?port=80,443]`;
 * - log: `/containerLogs/<ns>/<pod>/<container>?follow=true&previous=true&timestamps=true&sinceSeconds=…&sinceTime=…&tailLines=…&limitBytes=…`;
 * - nodes/N/proxy/<path>: `/<path>` with the query kept verbatim.
 *
 * Validation failures are catalogue errors with upstream's messages.
 */
import { badRequest, internal } from '../../api/errors.js';
import { invalid, type FieldError } from '../../api/field-errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';

export type PodConnectKind = 'exec' | 'attach' | 'portforward' | 'log';

/** The kubelet's default port when a node does not publish one. */
export const DEFAULT_KUBELET_PORT = 10250;

/** Address types tried in order: the brief's InternalIP first, then the host name. */
const ADDRESS_PREFERENCE = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];

function queryTrue(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && ['true', '1', 't'].includes(v.toLowerCase());
}

/** Names of every container of a pod (init, regular and ephemeral), as upstream's VisitContainers. */
export function podContainerNames(pod: KubeObject): string[] {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const names: string[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) if (isPlainObject(c) && typeof c.name === 'string') names.push(c.name);
  }
  return names;
}

/** upstream's validateContainer: the named container must exist; none named picks the only one. */
export function chooseContainer(pod: KubeObject, container: string): string {
  const name = pod.metadata.name ?? '';
  if (container !== '') {
    if (!podContainerNames(pod).includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    return container;
  }
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const regular = Array.isArray(spec.containers) ? spec.containers : [];
  if (regular.length === 1) {
    const only = regular[0];
    if (isPlainObject(only) && typeof only.name === 'string') return only.name;
  }
  if (regular.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${podContainerNames(pod).join(' ')}]`);
}

function nonNegativeInt(q: URLSearchParams, name: string, min: number, errs: FieldError[]): string | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  if (Number(v) < min) {
    errs.push({ type: 'FieldValueInvalid', field: name, value: Number(v), detail: min === 0 ? 'must be greater than or equal to 0' : 'must be greater than 0' });
  }
  return String(Number(v));
}

/** The kubelet query of a log request, validated as upstream's ValidatePodLogOptions. */
export function logQuery(podName: string, q: URLSearchParams): string {
  const errs: FieldError[] = [];
  const out = new URLSearchParams();
  if (queryTrue(q, 'follow')) out.append('follow', 'true');
  if (queryTrue(q, 'previous')) out.append('previous', 'true');
  if (queryTrue(q, 'timestamps')) out.append('timestamps', 'true');
  const since = nonNegativeInt(q, 'sinceSeconds', 1, errs);
  const sinceTime = q.get('sinceTime');
  if (since !== undefined && sinceTime) errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (since !== undefined) out.append('sinceSeconds', since);
  if (sinceTime) {
    const t = new Date(sinceTime);
    if (Number.isNaN(t.getTime())) throw badRequest(`invalid value for sinceTime: ${JSON.stringify(sinceTime)}`);
    out.append('sinceTime', t.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  const tail = nonNegativeInt(q, 'tailLines', 0, errs);
  if (tail !== undefined) out.append('tailLines', tail);
  const limit = nonNegativeInt(q, 'limitBytes', 1, errs);
  if (limit !== undefined) out.append('limitBytes', limit);
  if (errs.length > 0) throw invalid('PodLogOptions', podName, errs);
  return out.toString();
}

function streamQuery(kind: 'exec' | 'attach', q: URLSearchParams): string {
  const out = new URLSearchParams();
  if (queryTrue(q, 'stdin')) out.append('input', '1');
  if (queryTrue(q, 'stdout')) out.append('output', '1');
  if (queryTrue(q, 'stderr')) out.append('error', '1');
  if (queryTrue(q, 'tty')) out.append('tty', '1');
  if (kind === 'exec') for (const c of q.getAll('command')) out.append('command', c);
  return out.toString();
}

function portQuery(q: URLSearchParams): string {
  const ports = q.getAll('ports').flatMap((p) => p.split(',')).filter((p) => p !== '');
  for (const p of ports) {
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw badRequest(`invalid port ${JSON.stringify(p)}`);
  }
  return ports.length === 0 ? '' : new URLSearchParams({ port: ports.join(',') }).toString();
}

function withQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}

/**
 * The agent path (with query) for a pod connect request. `pod` must be
 * bound; the container is validated (and defaulted) except for portforward.
 */
export function podAgentPath(kind: PodConnectKind, pod: KubeObject, q: URLSearchParams): string {
  const ns = encodeURIComponent(pod.metadata.namespace ?? '');
  const name = pod.metadata.name ?? '';
  const enc = encodeURIComponent(name);
  if (kind === 'portforward') return withQuery(`/portForward/${ns}/${enc}`, portQuery(q));
  const container = encodeURIComponent(chooseContainer(pod, q.get('container') ?? ''));
  if (kind === 'log') return withQuery(`/containerLogs/${ns}/${enc}/${container}`, logQuery(name, q));
  return withQuery(`/${kind}/${ns}/${enc}/${container}`, streamQuery(kind, q));
}

/** The node's agent endpoint: preferred address and published kubelet port. */
export function nodeAgentEndpoint(node: KubeObject): { host: string; port: number } {
  const status = isPlainObject(node.status) ? node.status : {};
  const addresses = Array.isArray(status.addresses) ? status.addresses.filter(isPlainObject) : [];
  let host: string | undefined;
  for (const type of ADDRESS_PREFERENCE) {
    const a = addresses.find((x) => x.type === type && typeof x.address === 'string' && x.address !== '');
    if (a) {
      host = a.address as string;
      break;
    }
  }
  if (host === undefined) {
    const known = addresses.map((a) => `{${String(a.type)} ${String(a.address)}}`).join(' ');
    throw internal(`no preferred addresses found; known addresses: [${known}]`);
  }
  const endpoints = isPlainObject(status.daemonEndpoints) ? status.daemonEndpoints : {};
  const kubelet = isPlainObject(endpoints.kubeletEndpoint) ? endpoints.kubeletEndpoint : {};
  const port = typeof kubelet.Port === 'number' && kubelet.Port > 0 ? kubelet.Port : DEFAULT_KUBELET_PORT;
  return { host, port };
}
