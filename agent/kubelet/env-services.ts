/**
 * The Service environment variables the kubelet injects (upstream
 * pkg/kubelet/envvars FromServices and kubelet_pods.go
 * getServiceEnvVarMap):
 * - `{SVC}_SERVICE_HOST`, `{SVC}_SERVICE_PORT` (first port),
 *   `{SVC}_SERVICE_PORT_{NAME}` per named port;
 * - docker-link style `{SVC}_PORT` (first port) and per port
 *   `{SVC}_PORT_{port}_{PROTO}`, `…_PROTO`, `…_PORT`, `…_ADDR`;
 * - SVC is the name upper-cased with `-` → `_`;
 * - only Services with a ClusterIP (not "" and not "None");
 * - the master Service (`kubernetes` in the master namespace) always, the
 *   pod namespace's Services only when enableServiceLinks; a same-named
 *   Service of the pod's namespace wins over the master one.
 * Pure.
 */
import type { KubeObject } from '../../control-plane/api/meta.js';
import { num, objs, rec, str } from '../../control-plane/api/resources/fields.js';

const MASTER_SERVICES = new Set(['kubernetes']);

export function envVarName(s: string): string {
  return s.replaceAll('-', '_').toUpperCase();
}

function clusterIP(svc: KubeObject): string | undefined {
  const ip = str(rec(svc.spec)?.clusterIP);
  return ip && ip !== 'None' ? ip : undefined;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Variables for the given Services, in upstream's order. */
export function fromServices(services: KubeObject[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    const ip = clusterIP(svc);
    if (!ip) continue;
    const prefix = envVarName(svc.metadata.name ?? '');
    const ports = objs(rec(svc.spec)?.ports);
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    const first = ports[0];
    if (first) out.push([`${prefix}_SERVICE_PORT`, String(num(first.port) ?? 0)]);
    for (const p of ports) {
      const name = str(p.name);
      if (name) out.push([`${prefix}_SERVICE_PORT_${envVarName(name)}`, String(num(p.port) ?? 0)]);
    }
    ports.forEach((p, i) => {
      const port = num(p.port) ?? 0;
      const protocol = str(p.protocol) || 'TCP';
      const url = `${protocol.toLowerCase()}://${joinHostPort(ip, port)}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      const pp = `${prefix}_PORT_${port}_${protocol.toUpperCase()}`;
      out.push([pp, url], [`${pp}_PROTO`, protocol.toLowerCase()], [`${pp}_PORT`, String(port)], [`${pp}_ADDR`, ip]);
    });
  }
  return out;
}

/** The Services a pod sees: the master Service always, its namespace's when service links are on. */
export function selectServices(
  podNamespace: string,
  enableServiceLinks: boolean,
  masterNamespace: string,
  services: KubeObject[],
): KubeObject[] {
  const byName = new Map<string, KubeObject>();
  for (const svc of services) {
    if (!clusterIP(svc)) continue;
    const name = svc.metadata.name ?? '';
    const ns = svc.metadata.namespace ?? '';
    if (ns === masterNamespace && MASTER_SERVICES.has(name)) {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (ns === podNamespace && enableServiceLinks) {
      byName.set(name, svc);
    }
  }
  return [...byName.keys()].sort().map((k) => byName.get(k) as KubeObject);
}
