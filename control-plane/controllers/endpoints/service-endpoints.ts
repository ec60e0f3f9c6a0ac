/**
 * Which pods back a Service, and on which ports: the pure part shared by
 * the Endpoints and EndpointSlice controllers (upstream's
 * pkg/controller/endpoint and endpointslice reconcilers).
 *
 * Rules, as upstream:
 * - only Services with a selector are managed (a selector-less Service's
 *   endpoints belong to whoever wrote them, like `kubernetes`);
 * - a pod counts once it has a podIP and is not terminal; a pod being
 *   deleted counts only as not-ready/terminating, and is dropped from
 *   Endpoints unless the Service publishes not-ready addresses;
 * - ready is the pod's Ready condition (or always, with
 *   publishNotReadyAddresses);
 * - a named targetPort resolves per pod against its containers' ports
 *   (same name and protocol); a pod lacking it has no endpoint for that
 *   port; a numeric or absent targetPort is the number (or `port`).
 * Pure.
 */
import type { KubeObject } from '../../api/meta.js';
import { isPodReady, isPodTerminated, type Pod } from '../framework/pod-util.js';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  appProtocol?: string;
}

export type Service = KubeObject & {
  spec?: { selector?: Record<string, string>; ports?: ServicePort[]; publishNotReadyAddresses?: boolean; clusterIP?: string; type?: string };
};

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One pod's endpoint: where it is, its state, and the ports it serves. */
export interface PodEndpoint {
  ip: string;
  nodeName?: string;
  hostname?: string;
  pod: { namespace: string; name: string; uid: string };
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  ports: EndpointPort[];
}

interface ContainerPortView {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export function selectsPods(svc: Service): boolean {
  const sel = svc.spec?.selector;
  return sel !== undefined && sel !== null && Object.keys(sel).length > 0;
}

export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

function resolvePort(pod: Pod, sp: ServicePort): number | undefined {
  const protocol = sp.protocol ?? 'TCP';
  const tp = sp.targetPort;
  if (tp === undefined || tp === '' || tp === 0) return sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const containers = ((pod.spec as { containers?: { ports?: ContainerPortView[] }[] } | undefined)?.containers ?? []);
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === tp && (p.protocol ?? 'TCP') === protocol && p.containerPort) return p.containerPort;
    }
  }
  return undefined;
}

/** The endpoint a pod contributes to svc, or undefined if it contributes none. */
export function podEndpoint(svc: Service, pod: Pod): PodEndpoint | undefined {
  const status = pod.status as { podIP?: string } | undefined;
  const ip = status?.podIP;
  if (!ip || isPodTerminated(pod)) return undefined;
  const terminating = !!pod.metadata.deletionTimestamp;
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const podReady = isPodReady(pod);
  const ports: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolvePort(pod, sp);
    if (port === undefined) continue;
    ports.push({
      ...(sp.name ? { name: sp.name } : {}),
      port,
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  const spec = pod.spec as { hostname?: string; subdomain?: string; nodeName?: string } | undefined;
  const hostname = spec?.hostname && spec.subdomain === svc.metadata.name ? spec.hostname : undefined;
  return {
    ip,
    ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
    ...(hostname ? { hostname } : {}),
    pod: { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    ready: publish || (podReady && !terminating),
    serving: publish || podReady,
    terminating,
    ports,
  };
}

/** Every endpoint of svc among pods (of its namespace), in a stable order (by pod name). */
export function serviceEndpoints(svc: Service, pods: readonly Pod[]): PodEndpoint[] {
  if (!selectsPods(svc)) return [];
  const sel = svc.spec!.selector!;
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !selectorMatches(sel, pod.metadata.labels)) continue;
    const ep = podEndpoint(svc, pod);
    if (ep) out.push(ep);
  }
  return out.sort((a, b) => (a.pod.name < b.pod.name ? -1 : a.pod.name > b.pod.name ? 1 : 0));
}

/** A stable key for a set of ports, to group endpoints that serve the same ports. */
export function portsKey(ports: readonly EndpointPort[]): string {
  return ports
    .map((p) => `${p.name ?? ''}/${p.protocol}/${p.port}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}
