/**
 * A pod's effective resource requests, computed as upstream's
 * resourcehelper.PodRequests:
 *
 *   max(sum of app containers + restartable (sidecar) init containers,
 *       max over init containers of (its request + sidecars started before it))
 *   + pod overhead
 *
 * Units: cpu in millicores, memory and ephemeral-storage in bytes, other
 * (extended) resources in whole units. `nonZero` applies the scheduler's
 * scoring defaults (100m cpu, 200Mi memory) to containers that request
 * none, as upstream does for scoring only. Pure.
 */
import { quantityMilli, quantityNano, tryParseQuantity } from '../api/quantity.js';
import type { Container, PodView, ResourceMap } from './types.js';

/** A resource vector; absent keys are zero. */
export type Resources = Record<string, number>;

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** The value of one quantity in the resource's scheduler unit (milli for cpu). */
export function resourceAmount(resource: string, value: string | number | undefined): number {
  if (value === undefined) return 0;
  const q = tryParseQuantity(value);
  if (!q) return 0;
  if (resource === 'cpu') return Number(quantityMilli(q));
  // Value(): whole units, rounded up.
  const nano = quantityNano(q);
  const whole = nano / 1_000_000_000n;
  return Number(nano > 0n && nano % 1_000_000_000n !== 0n ? whole + 1n : whole);
}

/** Converts a ResourceList (allocatable, overhead…) into a vector. */
export function toResources(list: ResourceMap | undefined): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = resourceAmount(k, v);
  return out;
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const out = toResources(c.resources?.requests);
  if (nonZero) {
    if (!out.cpu) out.cpu = DEFAULT_MILLI_CPU_REQUEST;
    if (!out.memory) out.memory = DEFAULT_MEMORY_REQUEST;
  }
  return out;
}

export function addInto(target: Resources, add: Resources, sign = 1): void {
  for (const [k, v] of Object.entries(add)) target[k] = (target[k] ?? 0) + sign * v;
}

function maxInto(target: Resources, other: Resources): void {
  for (const [k, v] of Object.entries(other)) if (v > (target[k] ?? 0)) target[k] = v;
}

export interface RequestOptions {
  /** Apply the scoring defaults to containers without cpu/memory requests. */
  nonZero?: boolean;
}

/** The pod's effective requests (see the module comment). */
export function podRequests(pod: PodView, opts: RequestOptions = {}): Resources {
  const nonZero = opts.nonZero ?? false;
  const spec = pod.spec ?? {};
  const reqs: Resources = {};
  for (const c of spec.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: Resources = {};
  const initMax: Resources = {};
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running next to the app containers and later inits.
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      const during: Resources = { ...r };
      addInto(during, sidecars);
      maxInto(initMax, during);
    }
  }
  maxInto(reqs, initMax);
  addInto(reqs, toResources(spec.overhead));
  return reqs;
}
