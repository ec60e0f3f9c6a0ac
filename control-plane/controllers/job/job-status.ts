/**
 * Job status conditions and the final step of counting, as upstream:
 * - ensureCondition is ensureJobConditionStatus: a changed condition is
 *   replaced whole (both times now); a False one is never added;
 * - a Job is finished once Complete or Failed is True;
 * - flushUncounted runs after finalizer removal: it moves the UIDs whose
 *   finalizer is gone from uncountedTerminatedPods into succeeded/failed
 *   and, with nothing uncounted or terminating, enacts the terminal
 *   condition (trackJobStatusAndRemoveFinalizers / enactJobFinished /
 *   recordJobFinished). Pure.
 */
import { formatTime } from '../../api/meta.js';
import type { Job, JobCondition, JobStatus } from './job-pods.js';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface FinishedCondition {
  type: 'FailureTarget' | 'SuccessCriteriaMet' | 'Failed' | 'Complete';
  reason: string;
  message: string;
}

export function findCondition(status: JobStatus | undefined, type: string): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

export function isJobFinished(job: Job): boolean {
  return findCondition(job.status, 'Complete') !== undefined || findCondition(job.status, 'Failed') !== undefined;
}

/** Upstream's ensureJobConditionStatus: adds or updates a condition; a False one is never added. */
export function ensureCondition(status: JobStatus, type: string, value: 'True' | 'False', reason: string, message: string, now: string): boolean {
  const conds = (status.conditions ??= []);
  const fresh: JobCondition = { type, status: value, lastProbeTime: now, lastTransitionTime: now, reason, message };
  const i = conds.findIndex((x) => x.type === type);
  if (i < 0) {
    if (value === 'False') return false;
    conds.push(fresh);
    return true;
  }
  const c = conds[i]!;
  if (c.status === value && c.reason === reason && c.message === message) return false;
  conds[i] = fresh;
  return true;
}

/**
 * After the finalizers of `doneUids` are gone: moves them from uncounted
 * into succeeded/failed and, once nothing is uncounted or terminating,
 * enacts the terminal condition (Complete with completionTime, or Failed)
 * with upstream's events (Completed "Job completed", or the failure
 * reason and message as a Warning).
 */
export function flushUncounted(status: JobStatus, doneUids: Iterable<string>, finished: FinishedCondition | undefined, now: Date, completions?: number): { status: JobStatus; events: JobEvent[] } {
  const out = structuredClone(status);
  const events: JobEvent[] = [];
  const done = new Set(doneUids);
  const unc = out.uncountedTerminatedPods ?? {};
  const keepS = (unc.succeeded ?? []).filter((u) => !done.has(u));
  const keepF = (unc.failed ?? []).filter((u) => !done.has(u));
  out.succeeded = (out.succeeded ?? 0) + (unc.succeeded?.length ?? 0) - keepS.length;
  out.failed = (out.failed ?? 0) + (unc.failed?.length ?? 0) - keepF.length;
  out.uncountedTerminatedPods = {};
  if (keepS.length > 0) out.uncountedTerminatedPods.succeeded = keepS;
  if (keepF.length > 0) out.uncountedTerminatedPods.failed = keepF;
  if (!out.succeeded) delete out.succeeded;
  if (!out.failed) delete out.failed;
  const terminal = finished && (finished.type === 'Complete' || finished.type === 'Failed');
  if (terminal && keepS.length + keepF.length === 0 && (out.terminating ?? 0) === 0) {
    const nowStr = formatTime(now);
    ensureCondition(out, finished.type, 'True', finished.reason, finished.message, nowStr);
    if (finished.type === 'Complete') {
      out.completionTime = nowStr;
      if (completions !== undefined && (out.succeeded ?? 0) > completions) {
        events.push({ type: 'Warning', reason: 'TooManySucceededPods', message: 'Too many succeeded pods running after completion count reached' });
      }
      events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
    } else {
      events.push({ type: 'Warning', reason: finished.reason, message: finished.message });
    }
  }
  return { status: out, events };
}
