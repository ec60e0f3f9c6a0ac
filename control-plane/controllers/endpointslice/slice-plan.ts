/**
 * How a Service's endpoints are spread over EndpointSlices (upstream's
 * endpointslice reconciler, simplified but with its guarantees):
 * - at most `maxPerSlice` (100) endpoints per slice, and every endpoint
 *   of a slice serves the same ports;
 * - churn is kept low: an endpoint stays in the slice that already holds
 *   it; new endpoints fill existing slices with room before a new slice is
 *   created; slices left empty are deleted;
 * - a Service without endpoints keeps one empty placeholder slice, as
 *   upstream does, so that consumers see "no endpoints" rather than "not
 *   yet reconciled".
 * Pure: the controller turns the plan into creates, updates and deletes.
 */
import { semanticEqual } from '../framework/semantic-equal.js';
import { portsKey, type EndpointPort, type PodEndpoint } from '../endpoints/service-endpoints.js';

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface ExistingSlice {
  name: string;
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

export interface PlannedSlice {
  /** Absent for a slice to create. */
  name?: string;
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

export interface SlicePlan {
  /** Slices to create or whose content changes (existing ones carry their name). */
  write: PlannedSlice[];
  /** Names of slices to delete. */
  delete: string[];
}

export const MAX_ENDPOINTS_PER_SLICE = 100;

export function sliceEndpoint(ep: PodEndpoint): SliceEndpoint {
  return {
    addresses: [ep.ip],
    conditions: { ready: ep.ready, serving: ep.serving, terminating: ep.terminating },
    ...(ep.hostname ? { hostname: ep.hostname } : {}),
    ...(ep.nodeName ? { nodeName: ep.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: ep.pod.namespace, name: ep.pod.name, uid: ep.pod.uid },
  };
}

const sortPorts = (ports: readonly EndpointPort[]): EndpointPort[] => [...ports].sort((a, b) => portsKey([a]).localeCompare(portsKey([b])));
const byPod = (a: SliceEndpoint, b: SliceEndpoint): number => (a.targetRef.name < b.targetRef.name ? -1 : a.targetRef.name > b.targetRef.name ? 1 : 0);

export function planSlices(desired: readonly PodEndpoint[], existing: readonly ExistingSlice[], maxPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  // No endpoints at all: keep (or create) one empty placeholder.
  if (desired.length === 0) {
    const placeholder = existing.find((s) => s.endpoints.length === 0 && s.ports.length === 0);
    const others = existing.filter((s) => s !== placeholder).map((s) => s.name);
    return { write: placeholder ? [] : [{ ports: [], endpoints: [] }], delete: others };
  }

  // Desired endpoints by port set, then by pod uid.
  const want = new Map<string, { ports: EndpointPort[]; eps: Map<string, SliceEndpoint> }>();
  for (const ep of desired) {
    const key = portsKey(ep.ports);
    let g = want.get(key);
    if (!g) want.set(key, (g = { ports: sortPorts(ep.ports), eps: new Map() }));
    g.eps.set(ep.pod.uid, sliceEndpoint(ep));
  }

  const write: PlannedSlice[] = [];
  const del: string[] = [];
  const kept: { name: string; endpoints: SliceEndpoint[]; changed: boolean; key: string }[] = [];
  for (const s of [...existing].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const key = portsKey(s.ports);
    const g = want.get(key);
    if (!g) {
      del.push(s.name);
      continue;
    }
    const endpoints: SliceEndpoint[] = [];
    let changed = !semanticEqual(sortPorts(s.ports), g.ports);
    for (const e of s.endpoints) {
      const w = g.eps.get(e.targetRef.uid);
      if (!w || endpoints.length >= maxPerSlice) {
        changed = true;
        continue;
      }
      g.eps.delete(e.targetRef.uid);
      if (!semanticEqual(w, e)) changed = true;
      endpoints.push(w);
    }
    kept.push({ name: s.name, endpoints, changed, key });
  }

  // Fill slices with room, then create new ones.
  for (const [key, g] of want) {
    const rest = [...g.eps.values()].sort(byPod);
    for (const k of kept) {
      if (k.key !== key) continue;
      while (rest.length && k.endpoints.length < maxPerSlice) {
        k.endpoints.push(rest.shift()!);
        k.changed = true;
      }
    }
    while (rest.length) write.push({ ports: g.ports, endpoints: rest.splice(0, maxPerSlice) });
  }
  for (const k of kept) {
    if (k.endpoints.length === 0) del.push(k.name);
    else if (k.changed) write.push({ name: k.name, ports: want.get(k.key)!.ports, endpoints: k.endpoints.sort(byPod) });
  }
  return { write, delete: del };
}
