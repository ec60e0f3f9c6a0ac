/**
 * The PodDisruptionBudget rules of the eviction subresource, as upstream's
 * EvictionREST (pkg/registry/core/pod/storage/eviction.go). Pure: callers
 * read and write the objects.
 *
 * - canIgnoreBudget: Succeeded, Failed and Pending pods, and pods already
 *   being deleted, are evicted without looking at budgets.
 * - matchingBudgets: budgets in the pod's namespace whose selector matches
 *   the pod's labels; an empty or missing selector matches nothing.
 * - checkAndDecrement: 429 while the budget's status is stale
 *   (observedGeneration < generation) or allows no disruption, 403 when it
 *   is negative or too many evictions are unconfirmed; otherwise the
 *   budget with disruptionsAllowed - 1 and disruptedPods[pod] = now.
 */
import { ApiError, forbidden, tooManyRequests } from '../../api/errors.js';
import { formatTime, isPlainObject, type KubeObject } from '../../api/meta.js';
import { isEmptySelector, selectorMatches } from '../../api/resources/label-selector.js';

/** Upstream's MaxDisruptedPodSize. */
export const MAX_DISRUPTED_PODS = 2000;
export const BUDGET_VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";
const BUDGET_GR = { group: 'policy', resource: 'poddisruptionbudget' };

function statusOf(obj: KubeObject): Record<string, unknown> {
  return isPlainObject(obj.status) ? obj.status : {};
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function phase(pod: KubeObject): string {
  const p = statusOf(pod).phase;
  return typeof p === 'string' ? p : '';
}

export function canIgnoreBudget(pod: KubeObject): boolean {
  const p = phase(pod);
  return p === 'Succeeded' || p === 'Failed' || p === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

/** Whether a direct delete must pin the pod's resourceVersion (to not race a pod becoming ready). */
export function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const p = phase(pod);
  return !(p === 'Succeeded' || p === 'Failed' || pod.metadata.deletionTimestamp);
}

export function isPodReady(pod: KubeObject): boolean {
  const conds = statusOf(pod).conditions;
  if (!Array.isArray(conds)) return false;
  return conds.some((c) => isPlainObject(c) && c.type === 'Ready' && c.status === 'True');
}

export function matchingBudgets(pod: KubeObject, budgets: KubeObject[]): KubeObject[] {
  return budgets.filter((b) => {
    if (b.metadata.namespace !== pod.metadata.namespace) return false;
    const spec = isPlainObject(b.spec) ? b.spec : {};
    if (spec.selector === undefined || spec.selector === null || isEmptySelector(spec.selector)) return false;
    try {
      return selectorMatches(spec.selector, pod.metadata.labels);
    } catch {
      // An invalid selector matches nothing, as upstream.
      return false;
    }
  });
}

/**
 * Upstream's shortcut: an unready pod does not count as healthy, so while
 * the budget is otherwise satisfied it is evicted without a decrement.
 */
export function unreadyPodFitsBudget(pod: KubeObject, budget: KubeObject): boolean {
  const s = statusOf(budget);
  const desired = num(s.desiredHealthy);
  return !isPodReady(pod) && num(s.currentHealthy) >= desired && desired > 0;
}

/** The 429 asking the client to come back: the budget has not been processed yet. */
export function budgetPendingError(name: string): ApiError {
  return withCause(tooManyRequests(BUDGET_VIOLATION, 10), `The disruption budget ${name} is still being processed by the server.`);
}

function withCause(e: ApiError, message: string): ApiError {
  const details = { ...(e.details ?? {}), causes: [{ reason: 'DisruptionBudget', message }] };
  // upstream omits a zero retryAfterSeconds (omitempty).
  if (details.retryAfterSeconds === 0) delete details.retryAfterSeconds;
  return new ApiError(e.code, e.message, details);
}

/** Checks the budget and answers the status to write back, or throws. */
export function checkAndDecrement(budget: KubeObject, podName: string, now: Date, dryRun: boolean): KubeObject {
  const name = budget.metadata.name ?? '';
  const s = statusOf(budget);
  if (num(s.observedGeneration) < num(budget.metadata.generation)) throw budgetPendingError(name);
  const allowed = num(s.disruptionsAllowed);
  if (allowed < 0) throw forbidden(BUDGET_GR, name, 'pdb disruptions allowed is negative');
  const disrupted = isPlainObject(s.disruptedPods) ? s.disruptedPods : {};
  if (Object.keys(disrupted).length > MAX_DISRUPTED_PODS) {
    throw forbidden(BUDGET_GR, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw withCause(tooManyRequests(BUDGET_VIOLATION, 0), `The disruption budget ${name} needs ${num(s.desiredHealthy)} healthy pods and has ${num(s.currentHealthy)} currently`);
  }
  const next = structuredClone(budget);
  const ns = (next.status = { ...statusOf(next) });
  ns.disruptionsAllowed = allowed - 1;
  if (allowed - 1 === 0) setDisruptionAllowedFalse(ns, now);
  if (!dryRun) ns.disruptedPods = { ...disrupted, [podName]: formatTime(now) };
  return next;
}

/** upstream's UpdateDisruptionAllowedCondition once no disruption is left. */
function setDisruptionAllowedFalse(status: Record<string, unknown>, now: Date): void {
  const conds = Array.isArray(status.conditions) ? status.conditions.filter(isPlainObject).map((c) => ({ ...c })) : [];
  const observedGeneration = num(status.observedGeneration);
  const existing = conds.find((c) => c.type === 'DisruptionAllowed');
  const want = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration };
  if (existing) {
    if (existing.status !== 'False') existing.lastTransitionTime = formatTime(now);
    Object.assign(existing, want);
  } else {
    conds.push({ ...want, lastTransitionTime: formatTime(now) });
  }
  status.conditions = conds;
}
