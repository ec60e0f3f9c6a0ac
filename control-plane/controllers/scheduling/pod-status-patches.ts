/**
 * The status writes the scheduler makes, as upstream's updatePod and
 * preemption's prepareCandidate, built as strategic merge patches for the
 * pods/status subresource (conditions merge by `type`, so other conditions
 * are kept and `kubectl describe` shows the result):
 * - unschedulable: PodScheduled False, reason Unschedulable, the FitError
 *   message; lastTransitionTime kept while the status stays False (as
 *   podutil.UpdatePodCondition). No patch when nothing would change and no
 *   new nominatedNodeName is to be set — so retries do not rewrite it.
 * - preemption victim: DisruptionTarget True, reason PreemptionByScheduler,
 *   message "<scheduler>: preempting to accommodate a higher priority pod".
 * Also upstream's PodEligibleToPreemptOthers check on the nominated node.
 * Pure.
 */
import { formatTime, type KubeObject } from '../../api/meta.js';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

interface PodShape {
  spec?: { priority?: number; preemptionPolicy?: string };
  status?: { conditions?: Condition[]; nominatedNodeName?: string };
}

export const REASON_UNSCHEDULABLE = 'Unschedulable';
export const REASON_PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';
export const NOT_ELIGIBLE_TERMINATING = 'not eligible due to a terminating pod on the nominated node.';

function condition(pod: KubeObject, type: string): Condition | undefined {
  return (pod as PodShape).status?.conditions?.find((c) => c.type === type);
}

/**
 * The patch marking `pod` unschedulable with `message`, and setting its
 * nominatedNodeName when given ('' clears it, as upstream's
 * clearNominatedNode); undefined when the pod already says all that.
 */
export function unschedulablePatch(pod: KubeObject, message: string, now: Date, nominatedNodeName?: string): Record<string, unknown> | undefined {
  const cur = condition(pod, 'PodScheduled');
  const nnnChanged = nominatedNodeName !== undefined && ((pod as PodShape).status?.nominatedNodeName ?? '') !== nominatedNodeName;
  const same = cur?.status === 'False' && cur.reason === REASON_UNSCHEDULABLE && cur.message === message && !cur.lastProbeTime;
  if (same && !nnnChanged) return undefined;
  const lastTransitionTime = cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : formatTime(now);
  const status: Record<string, unknown> = {
    conditions: [{ type: 'PodScheduled', status: 'False', reason: REASON_UNSCHEDULABLE, message, lastProbeTime: null, lastTransitionTime }],
  };
  // null deletes the field (strategic merge patch): upstream's clearNominatedNode.
  if (nnnChanged) status.nominatedNodeName = nominatedNodeName === '' ? null : nominatedNodeName;
  return { status };
}

/** The DisruptionTarget condition upstream adds to a victim before deleting it. */
export function victimPatch(schedulerName: string, now: Date): Record<string, unknown> {
  return {
    status: {
      conditions: [
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: REASON_PREEMPTION_BY_SCHEDULER,
          message: `${schedulerName}: preempting to accommodate a higher priority pod`,
          lastTransitionTime: formatTime(now),
        },
      ],
    },
  };
}

/** Upstream's podTerminatingByPreemption. */
export function terminatingByPreemption(pod: KubeObject): boolean {
  if (!pod.metadata.deletionTimestamp) return false;
  const c = condition(pod, 'DisruptionTarget');
  return c?.status === 'True' && c.reason === REASON_PREEMPTION_BY_SCHEDULER;
}

/**
 * Upstream's PodEligibleToPreemptOthers beyond preemptionPolicy (which
 * preempt() checks): a pod whose nominated node still has lower-priority
 * pods terminating because of an earlier preemption waits for them rather
 * than preempting again. Returns the PostFilter message when not eligible.
 */
export function notEligibleToPreempt(pod: KubeObject, nominatedNodePods: Iterable<KubeObject> | undefined): string | undefined {
  if (!(pod as PodShape).status?.nominatedNodeName || !nominatedNodePods) return undefined;
  const priority = (pod as PodShape).spec?.priority ?? 0;
  for (const p of nominatedNodePods) {
    if (((p as PodShape).spec?.priority ?? 0) < priority && terminatingByPreemption(p)) return `preemption: ${NOT_ELIGIBLE_TERMINATING}`;
  }
  return undefined;
}
