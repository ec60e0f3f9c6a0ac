/**
 * The pure half of namespace deletion, as upstream's
 * pkg/controller/namespace/deletion (namespaced_resources_deleter.go and
 * status_condition_utils.go):
 * - what is left of one resource after its deletion pass (count, the
 *   finalizers holding items, the estimate to wait, or the error
 *   "unexpected items still remain");
 * - the graceful-termination estimate for pods;
 * - the five namespace conditions the deleter maintains, with upstream's
 *   types, reasons and messages, and how they merge into the namespace's
 *   status (lastTransitionTime moves only when a status flips).
 */
import { formatTime, type KubeObject } from '../../api/meta.js';

/** Seconds assumed for finalizers to complete (upstream finalizerEstimateSeconds). */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ResourceOutcome {
  /** `configmaps`, with its group for messages. */
  resource: string;
  group: string;
  version: string;
  finalizerEstimateSeconds: number;
  numRemaining: number;
  finalizersToNumRemaining: Map<string, number>;
  error?: string;
}

/** upstream's GroupVersionResource.String(): `/v1, Resource=pods`, `apps/v1, Resource=replicasets`. */
export function gvrString(group: string, version: string, resource: string): string {
  return `${group}/${version}, Resource=${resource}`;
}

/** The result of one resource's pass, from the items still listed after the deletes. */
export function resourceOutcome(
  gvr: { group: string; version: string; resource: string },
  namespace: string,
  remaining: readonly KubeObject[],
  estimate: number,
): ResourceOutcome {
  const base = { ...gvr, finalizerEstimateSeconds: estimate, numRemaining: remaining.length, finalizersToNumRemaining: new Map<string, number>() };
  if (remaining.length === 0) return { ...base, finalizerEstimateSeconds: 0 };
  for (const item of remaining) {
    for (const f of item.metadata.finalizers ?? []) base.finalizersToNumRemaining.set(f, (base.finalizersToNumRemaining.get(f) ?? 0) + 1);
  }
  if (estimate !== 0) return base;
  if (base.finalizersToNumRemaining.size > 0) return { ...base, finalizerEstimateSeconds: FINALIZER_ESTIMATE_SECONDS };
  return { ...base, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(gvr.group, gvr.version, gvr.resource)}` };
}

type PodLike = KubeObject & { spec?: { terminationGracePeriodSeconds?: number }; status?: { phase?: string } };

/**
 * upstream's estimateGracefulTerminationForPods: the longest grace period
 * of the pods not yet terminal, or 0 once that long has passed since the
 * namespace's deletion.
 */
export function estimatePodTermination(pods: readonly PodLike[], namespaceDeletedAt: Date, now: Date): number {
  let estimate = 0;
  for (const p of pods) {
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const grace = p.spec?.terminationGracePeriodSeconds;
    if (typeof grace === 'number' && grace > estimate) estimate = grace;
  }
  return now.getTime() - namespaceDeletedAt.getTime() >= estimate * 1000 ? 0 : estimate;
}

const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const OK: Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

export interface DeletionFailures {
  discovery?: string;
  groupVersionParsing?: string;
}

/** The failing conditions of one deletion pass (the others are set to their "ok" form by mergeConditions). */
export function failingConditions(outcomes: readonly ResourceOutcome[], failures: DeletionFailures = {}): NamespaceCondition[] {
  const out: NamespaceCondition[] = [];
  if (failures.discovery) out.push({ type: 'NamespaceDeletionDiscoveryFailure', status: 'True', reason: 'DiscoveryFailed', message: failures.discovery });
  if (failures.groupVersionParsing) {
    out.push({ type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'True', reason: 'GroupVersionParsingFailed', message: failures.groupVersionParsing });
  }
  const errors = outcomes.filter((o) => o.error !== undefined).map((o) => o.error!).sort();
  if (errors.length > 0) {
    out.push({
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(', ')}`,
    });
  }
  const remaining = outcomes.filter((o) => o.numRemaining > 0).map((o) => `${o.resource}.${o.group} has ${o.numRemaining} resource instances`).sort();
  if (remaining.length > 0) {
    out.push({ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${remaining.join(', ')}` });
  }
  const byFinalizer = new Map<string, number>();
  for (const o of outcomes) {
    if (o.numRemaining === 0) continue;
    for (const [f, n] of o.finalizersToNumRemaining) if (n > 0) byFinalizer.set(f, (byFinalizer.get(f) ?? 0) + n);
  }
  if (byFinalizer.size > 0) {
    const parts = [...byFinalizer].map(([f, n]) => `${f} in ${n} resource instances`).sort();
    out.push({
      type: 'NamespaceFinalizersRemaining',
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${parts.join(', ')}`,
    });
  }
  return out;
}

/**
 * upstream's updateConditions: every deleter condition type is present
 * afterwards, failing ones as given and the rest in their "ok" form; an
 * existing condition keeps its lastTransitionTime unless its status flips.
 */
export function mergeConditions(existing: readonly NamespaceCondition[], failing: readonly NamespaceCondition[], now: Date): { conditions: NamespaceCondition[]; changed: boolean } {
  const ts = formatTime(now);
  const conditions = existing.map((c) => ({ ...c }));
  let changed = false;
  for (const type of CONDITION_TYPES) {
    const wanted = failing.find((c) => c.type === type) ?? { type, status: 'False' as const, ...OK[type] };
    const old = conditions.find((c) => c.type === type);
    if (!old) {
      conditions.push({ type, status: wanted.status, lastTransitionTime: ts, reason: wanted.reason, message: wanted.message });
      changed = true;
    } else if (old.status !== wanted.status || old.reason !== wanted.reason || old.message !== wanted.message) {
      if (old.status !== wanted.status) old.lastTransitionTime = ts;
      old.status = wanted.status;
      old.reason = wanted.reason;
      old.message = wanted.message;
      changed = true;
    }
  }
  return { conditions, changed };
}
