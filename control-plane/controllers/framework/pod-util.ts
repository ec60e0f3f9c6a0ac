/**
 * Pod predicates every workload controller shares, with upstream's
 * meanings (k8s.io/kubernetes/pkg/api/v1/pod and controller_utils):
 * - active: not terminated (phase neither Succeeded nor Failed) and not
 *   being deleted;
 * - ready: the Ready condition is True;
 * - available: ready for at least minReadySeconds, judged by the Ready
 *   condition's lastTransitionTime against the injected now.
 * Pure.
 */
import type { KubeObject } from '../../api/meta.js';
import type { PodCondition } from '../../api/conditions.js';

export type { PodCondition } from '../../api/conditions.js';

export type Pod = KubeObject & {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: { phase?: string; conditions?: PodCondition[]; [k: string]: unknown };
};

export function podPhase(pod: Pod): string {
  return pod.status?.phase ?? 'Pending';
}

export function isPodTerminated(pod: Pod): boolean {
  const p = podPhase(pod);
  return p === 'Succeeded' || p === 'Failed';
}

export function isPodActive(pod: Pod): boolean {
  return !isPodTerminated(pod) && !pod.metadata.deletionTimestamp;
}

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/** Milliseconds until a ready pod becomes available, or undefined if it is not ready or already available. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number | undefined {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True' || minReadySeconds <= 0 || !c.lastTransitionTime) return undefined;
  const left = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - now.getTime();
  return left > 0 ? left : undefined;
}
