/**
 * A PodDisruptionBudget's status, as upstream's disruption controller
 * computes it (pkg/controller/disruption):
 * - minAvailable as a number: expectedPods is the number of matching pods
 *   and desiredHealthy is that number;
 * - maxUnavailable, or minAvailable as a percentage: expectedPods is the
 *   summed scale of the pods' controllers (a ReplicaSet owned by a
 *   Deployment counts as the Deployment), desiredHealthy is expectedPods
 *   minus maxUnavailable (percentages round up) or minAvailable% of it
 *   (rounded up); a matching pod without a controller makes the sync fail;
 * - currentHealthy counts Ready pods that are not being deleted and not in
 *   disruptedPods (evicted, deletion not yet observed);
 * - disruptionsAllowed = currentHealthy - desiredHealthy, floored at 0, and
 *   0 when no pods are expected;
 * - disruptedPods entries older than 2 minutes (upstream DeletionTimeout)
 *   or whose pod is gone are dropped;
 * - condition DisruptionAllowed: True/SufficientPods, False/InsufficientPods,
 *   or False/SyncFailed with the reason.
 * Pure: the controller supplies pods, controller scales and the clock.
 */
import type { KubeObject } from '../../api/meta.js';
import { formatTime } from '../../api/meta.js';
import { isPodReady, type Pod } from '../framework/pod-util.js';

export type IntOrPercent = number | string;

export interface PdbSpec {
  minAvailable?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
}

export interface PdbCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions: PdbCondition[];
}

export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** Scale of the controller owning pod (by its controller ref), or undefined if it has none we know. */
export type ControllerScale = (pod: Pod) => { uid: string; replicas: number } | undefined;

function percent(v: IntOrPercent): number | undefined {
  if (typeof v === 'string' && /^\d+%$/.test(v)) return Number(v.slice(0, -1));
  return undefined;
}

function intValue(v: IntOrPercent, total: number): number {
  const p = percent(v);
  if (p !== undefined) return Math.ceil((p * total) / 100);
  return typeof v === 'number' ? v : Number(v);
}

function expected(spec: PdbSpec, pods: readonly Pod[], scaleOf: ControllerScale): { expectedPods: number; desiredHealthy: number } {
  if (spec.maxUnavailable === undefined && spec.minAvailable !== undefined && percent(spec.minAvailable) === undefined) {
    return { expectedPods: pods.length, desiredHealthy: intValue(spec.minAvailable, pods.length) };
  }
  const controllers = new Map<string, number>();
  for (const p of pods) {
    const s = scaleOf(p);
    if (!s) throw new Error(`found no controllers for pod "${p.metadata.name ?? ''}"`);
    controllers.set(s.uid, s.replicas);
  }
  const expectedPods = [...controllers.values()].reduce((a, b) => a + b, 0);
  if (spec.maxUnavailable !== undefined) {
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - intValue(spec.maxUnavailable, expectedPods)) };
  }
  return { expectedPods, desiredHealthy: intValue(spec.minAvailable ?? 0, expectedPods) };
}

function condition(prev: PdbCondition[] | undefined, next: Omit<PdbCondition, 'lastTransitionTime'>, now: Date): PdbCondition {
  const old = prev?.find((c) => c.type === next.type);
  return { ...next, lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : formatTime(now) };
}

export function pdbStatus(pdb: KubeObject & { spec?: PdbSpec; status?: Partial<PdbStatus> }, pods: readonly Pod[], scaleOf: ControllerScale, now: Date): PdbStatus {
  const generation = pdb.metadata.generation;
  const prevConditions = pdb.status?.conditions;
  const disrupted: Record<string, string> = {};
  const live = new Set(pods.map((p) => p.metadata.name ?? ''));
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = pods.find((p) => p.metadata.name === name);
    if (!live.has(name) || pod?.metadata.deletionTimestamp) continue;
    if (Date.parse(at) + DELETION_TIMEOUT_MS > now.getTime()) disrupted[name] = at;
  }
  const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disrupted[p.metadata.name ?? ''] && isPodReady(p)).length;
  const base = { observedGeneration: generation, ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}) };
  let exp: { expectedPods: number; desiredHealthy: number };
  try {
    exp = expected(pdb.spec ?? {}, pods, scaleOf);
  } catch (err) {
    return {
      ...base,
      disruptionsAllowed: 0,
      currentHealthy,
      desiredHealthy: pdb.status?.desiredHealthy ?? 0,
      expectedPods: pdb.status?.expectedPods ?? 0,
      conditions: [condition(prevConditions, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: (err as Error).message, observedGeneration: generation }, now)],
    };
  }
  let allowed = currentHealthy - exp.desiredHealthy;
  if (exp.expectedPods <= 0 || allowed <= 0) allowed = 0;
  const cond = allowed > 0 ? { status: 'True' as const, reason: 'SufficientPods' } : { status: 'False' as const, reason: 'InsufficientPods' };
  return {
    ...base,
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy: exp.desiredHealthy,
    expectedPods: exp.expectedPods,
    conditions: [condition(prevConditions, { type: 'DisruptionAllowed', ...cond, message: '', observedGeneration: generation }, now)],
  };
}
