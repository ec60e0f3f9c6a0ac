/**
 * Pod QoS class (upstream pkg/apis/core/helper/qos ComputePodQOS) and the
 * pod-level resource totals the pod cgroup is limited by. Pure.
 *
 * QoS: only cpu and memory count. No positive request or limit anywhere →
 * BestEffort; every container (init included) limits both cpu and memory
 * and the summed requests equal the summed limits → Guaranteed; otherwise
 * Burstable.
 */
import { tryParseQuantity, quantityNano } from '../../control-plane/api/quantity.js';
import { podContainers, podInitContainers } from './cri-labels.js';
import type { ContainerSpec, Pod } from './pod-deps.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

function resources(c: ContainerSpec, kind: 'requests' | 'limits'): Record<string, unknown> {
  const r = c.resources as { requests?: Record<string, unknown>; limits?: Record<string, unknown> } | undefined;
  return r?.[kind] ?? {};
}

/** A resource quantity in nano-units; undefined when absent or unparsable. */
export function nanoOf(c: ContainerSpec, kind: 'requests' | 'limits', name: string): bigint | undefined {
  const v = resources(c, kind)[name];
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const q = tryParseQuantity(v);
  return q ? quantityNano(q) : undefined;
}

export function computeQos(pod: Pod): QosClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...podContainers(pod), ...podInitContainers(pod)]) {
    for (const name of QOS_RESOURCES) {
      // API defaulting copies a limit into a missing request.
      const r = nanoOf(c, 'requests', name) ?? nanoOf(c, 'limits', name);
      if (r !== undefined && r > 0n) requests.set(name, (requests.get(name) ?? 0n) + r);
    }
    const found = new Set<string>();
    for (const name of QOS_RESOURCES) {
      const l = nanoOf(c, 'limits', name);
      if (l !== undefined && l > 0n) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + l);
      }
    }
    if (!(found.has('cpu') && found.has('memory'))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, r] of requests) {
      if (limits.get(name) !== r) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/**
 * The pod-level limit of a resource when every container sets one: the
 * larger of the regular containers' sum and the largest init container
 * (sidecars add to both), in nano-units; undefined when any lacks it.
 */
export function podLimitNano(pod: Pod, name: 'cpu' | 'memory'): bigint | undefined {
  let sum = 0n;
  let sidecars = 0n;
  let initMax = 0n;
  for (const c of podInitContainers(pod)) {
    const l = nanoOf(c, 'limits', name);
    if (l === undefined) return undefined;
    if (c.restartPolicy === 'Always') sidecars += l;
    else if (sidecars + l > initMax) initMax = sidecars + l;
  }
  for (const c of podContainers(pod)) {
    const l = nanoOf(c, 'limits', name);
    if (l === undefined) return undefined;
    sum += l;
  }
  sum += sidecars;
  return sum > initMax ? sum : initMax;
}

/** Summed cpu requests in millicores (for cpu shares). */
export function podCpuRequestMilli(pod: Pod): bigint {
  let sum = 0n;
  for (const c of podContainers(pod)) {
    const r = nanoOf(c, 'requests', 'cpu') ?? nanoOf(c, 'limits', 'cpu') ?? 0n;
    sum += r / 1_000_000n;
  }
  return sum;
}
