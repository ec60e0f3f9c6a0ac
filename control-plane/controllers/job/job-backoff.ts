/**
 * The delay before a Job replaces failed pods, as upstream's backoff
 * record (pkg/controller/job/backoff_utils.go):
 * - the record holds the failures since the last success and the time of
 *   the last failure; it is updated with the pods newly finished in a sync
 *   (a success resets it, keeping only failures that finished after the
 *   latest success);
 * - the delay is 10 s doubled per further failure, capped at
 *   MaxJobPodFailureBackOff — 10 minutes in upstream's code (the docs'
 *   "capped at six minutes" is the last step below the cap, 320 s) — and
 *   counts from the last failure's finish time;
 * - a pod's finish time is the latest container finishedAt, else the time
 *   its Ready condition turned False, else its deletionTimestamp, else its
 *   creationTimestamp.
 * Pure; the controller keeps one record per Job in memory.
 */
import type { Pod } from '../framework/pod-util.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** Epoch ms of the latest counted failure. */
  lastFailureTime?: number;
}

export const NO_BACKOFF: BackoffRecord = { failuresAfterLastSuccess: 0 };

interface ContainerStatus {
  state?: { terminated?: { finishedAt?: string } };
}

export function podFinishedTime(pod: Pod): number {
  const st = pod.status as { containerStatuses?: ContainerStatus[] } | undefined;
  let latest: number | undefined;
  for (const c of st?.containerStatuses ?? []) {
    const f = c.state?.terminated?.finishedAt;
    const t = f ? Date.parse(f) : NaN;
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp);
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

export function nextBackoffRecord(prev: BackoffRecord, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return prev;
    return { failuresAfterLastSuccess: prev.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return after.length === 0 ? { failuresAfterLastSuccess: 0 } : { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] };
}

/** Milliseconds to wait before creating replacement pods (0: none). */
export function remainingBackoffMs(rec: BackoffRecord, nowMs: number, baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  let d = baseMs;
  for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
    d *= 2;
    if (d >= maxMs) {
      d = maxMs;
      break;
    }
  }
  const elapsed = nowMs - rec.lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}
