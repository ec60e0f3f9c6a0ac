/**
 * The probe and handler actions as the kubelet reads them from a container
 * spec (exec, httpGet, tcpSocket, grpc, sleep), and the target resolution
 * shared by probes and lifecycle hooks, as upstream's
 * pkg/probe/util.go ResolveContainerPort and pkg/probe/http/request.go:
 * - a port is a number, a named container port, or a number written as a
 *   string; outside 1–65535 it is `invalid port number: N`;
 * - the host defaults to the pod IP, the scheme to HTTP; a path without a
 *   leading slash gets one;
 * - headers keep every value; User-Agent defaults to
 *   `kube-<purpose>/<major>.<minor>`, Accept to `*∕*` (an empty Accept
 *   removes it), a Host header overrides the request's host.
 * Specs stay loosely typed in Skiff, so every reader here checks types.
 */
import type { ContainerSpec } from '../pod-deps.js';

export interface HttpHeader {
  name: string;
  value: string;
}
export interface HttpGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: string;
  httpHeaders?: HttpHeader[];
}
export interface TcpSocketAction {
  port: number | string;
  host?: string;
}
export interface ExecAction {
  command: string[];
}
export interface GrpcAction {
  port: number;
  service?: string;
}

/** One probe with the API defaults applied (timeout 1 s, period 10 s, success 1, failure 3). */
export interface ProbeSpec {
  exec?: ExecAction;
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  grpc?: GrpcAction;
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
}

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';

const specField: Record<ProbeType, string> = { Liveness: 'livenessProbe', Readiness: 'readinessProbe', Startup: 'startupProbe' };

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function posInt(v: unknown, dflt: number, min: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min ? Math.floor(v) : dflt;
}

export function readExec(v: unknown): ExecAction | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const command = Array.isArray(o.command) ? o.command.filter((c): c is string => typeof c === 'string') : [];
  return { command };
}

function readPort(v: unknown): number | string {
  return typeof v === 'number' || typeof v === 'string' ? v : '';
}

export function readHttpGet(v: unknown): HttpGetAction | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const headers = Array.isArray(o.httpHeaders)
    ? o.httpHeaders.map(obj).filter((h): h is Record<string, unknown> => !!h).map((h) => ({ name: str(h.name) ?? '', value: str(h.value) ?? '' }))
    : [];
  return { path: str(o.path), port: readPort(o.port), host: str(o.host), scheme: str(o.scheme), httpHeaders: headers };
}

export function readTcpSocket(v: unknown): TcpSocketAction | undefined {
  const o = obj(v);
  if (!o) return undefined;
  return { port: readPort(o.port), host: str(o.host) };
}

/** The container's probe of a type, defaults applied; undefined when it has none. */
export function probeSpecOf(container: ContainerSpec, type: ProbeType): ProbeSpec | undefined {
  const p = obj(container[specField[type]]);
  if (!p) return undefined;
  const grpc = obj(p.grpc);
  return {
    exec: readExec(p.exec),
    httpGet: readHttpGet(p.httpGet),
    tcpSocket: readTcpSocket(p.tcpSocket),
    grpc: grpc ? { port: posInt(grpc.port, 0, 0), service: str(grpc.service) } : undefined,
    initialDelaySeconds: posInt(p.initialDelaySeconds, 0, 0),
    timeoutSeconds: posInt(p.timeoutSeconds, 1, 1),
    periodSeconds: posInt(p.periodSeconds, 10, 1),
    successThreshold: posInt(p.successThreshold, 1, 1),
    failureThreshold: posInt(p.failureThreshold, 3, 1),
    terminationGracePeriodSeconds: typeof p.terminationGracePeriodSeconds === 'number' ? p.terminationGracePeriodSeconds : undefined,
  };
}

/** upstream probe.ResolveContainerPort. Throws with upstream's message. */
export function resolveContainerPort(port: number | string, container: ContainerSpec): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else {
    const ports = Array.isArray(container.ports) ? container.ports.map(obj) : [];
    const named = ports.find((p) => p && p.name === port);
    if (named && typeof named.containerPort === 'number') n = named.containerPort;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

/** host:port as Go's net.JoinHostPort writes it (IPv6 in brackets). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Canonical MIME header key, as Go's textproto (`content-type` → `Content-Type`). */
export function canonicalHeaderKey(k: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) return k;
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

export interface HttpRequestSpec {
  url: string;
  /** Canonical header names to every value, in order. */
  headers: Map<string, string[]>;
}

/** upstream NewRequestForHTTPGetAction; purpose is `probe` or `lifecycle`. Throws on a bad port. */
export function httpRequestFor(action: HttpGetAction, container: ContainerSpec, podIP: string, purpose: string, kubeVersion: string): HttpRequestSpec {
  const scheme = (action.scheme ?? '').toLowerCase() || 'http';
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const path = action.path ?? '';
  const url = `${scheme}://${joinHostPort(host, port)}${path !== '' && !path.startsWith('/') ? '/' : ''}${path}`;
  const headers = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const k = canonicalHeaderKey(h.name);
    headers.set(k, [...(headers.get(k) ?? []), h.value]);
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [`kube-${purpose}/${majorMinor(kubeVersion)}`]);
  if (!headers.has('Accept')) headers.set('Accept', ['*/*']);
  else if ((headers.get('Accept')?.[0] ?? '') === '') headers.delete('Accept');
  return { url, headers };
}

/** `v1.33.0+skiff.0.1.0` → `1.33`. */
export function majorMinor(version: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${m[2]}` : version;
}
