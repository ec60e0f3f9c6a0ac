/**
 * The core/v1 Endpoints subsets for a Service, as upstream's endpoints
 * controller builds them: ready pods in `addresses`, the rest in
 * `notReadyAddresses`, pods serving the same ports grouped into one subset
 * (RepackSubsets), everything sorted so that an unchanged cluster yields an
 * identical object and no write. Pods being deleted are left out unless the
 * Service publishes not-ready addresses; a Service with ports skips pods
 * that resolve none of them. Upstream truncates at 1,000 addresses and
 * marks the object over capacity. Pure.
 */
import { portsKey, type EndpointPort, type PodEndpoint, type Service } from './service-endpoints.js';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

function address(ep: PodEndpoint): EndpointAddress {
  return {
    ip: ep.ip,
    ...(ep.hostname ? { hostname: ep.hostname } : {}),
    ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: ep.pod.namespace, name: ep.pod.name, uid: ep.pod.uid },
  };
}

const byIp = (a: EndpointAddress, b: EndpointAddress): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.targetRef.uid < b.targetRef.uid ? -1 : 1);

export function endpointsSubsets(svc: Service, endpoints: readonly PodEndpoint[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const hasPorts = (svc.spec?.ports ?? []).length > 0;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  let total = 0;
  let truncated = false;
  for (const ep of endpoints) {
    if (ep.terminating && !publish) continue;
    if (hasPorts && ep.ports.length === 0) continue;
    if (total >= MAX_ENDPOINTS_ADDRESSES) {
      truncated = true;
      break;
    }
    total++;
    const key = portsKey(ep.ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: [...ep.ports].sort((a, b) => portsKey([a]).localeCompare(portsKey([b]))), ready: [], notReady: [] }));
    (ep.ready ? g.ready : g.notReady).push(address(ep));
  }
  const subsets: EndpointSubset[] = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
  return { subsets, truncated };
}
