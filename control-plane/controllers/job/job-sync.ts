/**
 * One Job sync, decided purely (upstream's syncJob, 1.32 semantics):
 *
 * 1. Counting with finalizers. Pods carry the job-tracking finalizer until
 *    their outcome is in the status. A finished pod that still has it is
 *    recorded first — its UID into status.uncountedTerminatedPods
 *    (NonIndexed successes, all failures) or its index into
 *    completedIndexes (Indexed successes) — in the status written BEFORE
 *    the finalizers are removed; flushUncounted (job-status.ts) moves the UIDs whose
 *    finalizer is gone into succeeded/failed. A crash at any point neither
 *    loses nor double-counts a pod. Pods without the finalizer (or whose
 *    removal this controller already issued) are counted already.
 * 2. Failure: failed > backoffLimit (or, for restartPolicy OnFailure,
 *    container restarts reaching it) → FailureTarget BackoffLimitExceeded;
 *    active longer than activeDeadlineSeconds → FailureTarget
 *    DeadlineExceeded. Success: succeeded ≥ completions (or, without
 *    completions, any success) with nothing active → SuccessCriteriaMet
 *    CompletionsReached. The interim condition is written with the
 *    finished pods; the terminal Failed / Complete (+ completionTime)
 *    follows once no pod is uncounted or terminating (flushUncounted, in
 *    the same sync or a later one).
 * 3. Pods: a finishing Job deletes its active pods, which then count as
 *    failed; a suspended one deletes them too, releasing their finalizers
 *    first so they do not count (Suspended condition, events
 *    Suspended/Resumed, startTime reset on resume); otherwise active = min(parallelism, completions − succeeded),
 *    deleting the surplus (and, for Indexed, duplicate or finished
 *    indexes) OR creating the missing pods — never both in one sync — with
 *    creations held back by the failure backoff; at most 500 per sync.
 * The result is a plan the controller carries out.
 */
import { formatTime } from '../../api/meta.js';
import { isPodActive, isPodReady, podPhase, type Pod } from '../framework/pod-util.js';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './completed-indexes.js';
import { nextBackoffRecord, NO_BACKOFF, remainingBackoffMs, type BackoffRecord } from './job-backoff.js';
import {
  completionIndex,
  hasTrackingFinalizer,
  isIndexedJob,
  isPodFailed,
  isPodTerminating,
  podsForRemoval,
  type Job,
  type JobStatus,
} from './job-pods.js';
import { ensureCondition, findCondition, isJobFinished, type FinishedCondition, type JobEvent } from './job-status.js';

export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
/** At most this many pods are uncounted at once (keeps the status small, as upstream's MaxUncountedPods). */
export const MAX_UNCOUNTED_PODS = 500;
/** spec.managedBy of Jobs this controller manages (others belong to an external controller). */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobSyncInput {
  job: Job;
  /** Pods the Job controls. */
  pods: Pod[];
  now: Date;
  backoff: BackoffRecord;
  /** Earlier creations/deletions have been observed in the pod cache. */
  expectationsSatisfied: boolean;
  /** UIDs whose finalizer removal this controller already issued. */
  finalizerRemovalsPending: ReadonlySet<string>;
}

export interface JobSyncPlan {
  /** The status to write before removing finalizers (equal to the old one: nothing to write). */
  status: JobStatus;
  deletePods: Pod[];
  /** NonIndexed: how many pods to create; Indexed: which indexes. */
  createCount: number;
  createIndexes?: number[];
  /** Whether deletePods lose their tracking finalizer first (surplus, suspend: not counted as failures). */
  deleteRemovesFinalizers: boolean;
  /** Pods whose tracking finalizer may go once `status` is written. */
  removeFinalizers: Pod[];
  /** Finished pods were left unrecorded (MAX_UNCOUNTED_PODS): no terminal condition this sync. */
  moreToRecord: boolean;
  /** Uncounted UIDs that are done already (pod gone or finalizer removed). */
  doneUids: string[];
  finishedCondition?: FinishedCondition;
  backoff: BackoffRecord;
  events: JobEvent[];
  requeueAfterMs?: number;
}

const SUCCESS_REASON = 'CompletionsReached';
const SUCCESS_MESSAGE = 'Reached expected number of succeeded pods';

function restartsPastLimit(job: Job, pods: Pod[], backoffLimit: number): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    const phase = podPhase(p);
    if (phase !== 'Running' && phase !== 'Pending') continue;
    const st = p.status as { containerStatuses?: { restartCount?: number }[]; initContainerStatuses?: { restartCount?: number }[] };
    for (const c of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

export function syncJob(inp: JobSyncInput): JobSyncPlan {
  const { job, pods, now } = inp;
  const spec = job.spec ?? {};
  const nowStr = formatTime(now);
  const status: JobStatus = structuredClone(job.status ?? {});
  const plan: JobSyncPlan = { status, deletePods: [], deleteRemovesFinalizers: false, createCount: 0, removeFinalizers: [], moreToRecord: false, doneUids: [], backoff: inp.backoff, events: [] };
  const pending = inp.finalizerRemovalsPending;
  const tracked = (p: Pod): boolean => hasTrackingFinalizer(p) && !pending.has(p.metadata.uid ?? '');

  if (spec.managedBy !== undefined && spec.managedBy !== JOB_CONTROLLER_NAME) return plan;
  if (isJobFinished(job)) {
    // Finished: nothing to manage; let go of whatever still holds the finalizer.
    plan.removeFinalizers = pods.filter(tracked);
    plan.backoff = NO_BACKOFF;
    return plan;
  }

  const indexed = isIndexedJob(job);
  const completions = typeof spec.completions === 'number' ? spec.completions : undefined;
  const parallelism = spec.parallelism ?? 1;
  const backoffLimit = spec.backoffLimit ?? 6;
  const suspended = spec.suspend === true;
  const uncSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
  const uncFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
  const prevIndexes = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();
  const validIndex = (p: Pod): boolean => {
    const ix = completionIndex(p);
    return ix !== undefined && ix < (completions ?? 0);
  };

  // Uncounted UIDs whose pod no longer holds the finalizer are done.
  const holding = new Set(pods.filter(tracked).map((p) => p.metadata.uid ?? ''));
  plan.doneUids = [...uncSucceeded, ...uncFailed].filter((u) => !holding.has(u));

  // Newly finished pods, for the counts and the backoff record.
  const newSucceeded: Pod[] = [];
  const newFailed: Pod[] = [];
  const newIndexes = new Set(prevIndexes);
  for (const p of pods) {
    if (!tracked(p)) continue;
    const uid = p.metadata.uid ?? '';
    const failed = isPodFailed(p, job);
    if (podPhase(p) === 'Succeeded' && !failed) {
      if (indexed) {
        const ix = completionIndex(p);
        if (ix !== undefined && ix < (completions ?? 0) && !newIndexes.has(ix)) {
          newIndexes.add(ix);
          newSucceeded.push(p);
        }
      } else if (!uncSucceeded.has(uid)) newSucceeded.push(p);
    } else if (failed && !uncFailed.has(uid) && (!indexed || validIndex(p))) newFailed.push(p);
  }
  const succeeded = indexed ? newIndexes.size : (status.succeeded ?? 0) + uncSucceeded.size + newSucceeded.length;
  const failed = (status.failed ?? 0) + uncFailed.size + newFailed.length;
  plan.backoff = nextBackoffRecord(inp.backoff, newSucceeded, newFailed);

  const active = pods.filter(isPodActive);
  let activeCount = active.length;
  let ready = active.filter(isPodReady).length;
  let terminating = pods.filter(isPodTerminating).length;

  if (!status.startTime && !suspended) status.startTime = nowStr;

  // Terminal and interim conditions.
  let finished: FinishedCondition | undefined;
  const failureTarget = findCondition(status, 'FailureTarget');
  const successMet = findCondition(status, 'SuccessCriteriaMet');
  const ads = typeof spec.activeDeadlineSeconds === 'number' ? spec.activeDeadlineSeconds : undefined;
  const startMs = status.startTime ? Date.parse(status.startTime) : undefined;
  if (failureTarget) finished = { type: 'Failed', reason: failureTarget.reason ?? '', message: failureTarget.message ?? '' };
  else if (successMet) finished = { type: 'Complete', reason: successMet.reason ?? SUCCESS_REASON, message: successMet.message ?? SUCCESS_MESSAGE };
  else if (failed > backoffLimit || restartsPastLimit(job, pods, backoffLimit)) {
    finished = { type: 'FailureTarget', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  } else if (ads !== undefined && startMs !== undefined && !suspended) {
    const left = ads * 1000 - (now.getTime() - startMs);
    if (left <= 0) finished = { type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    else plan.requeueAfterMs = left;
  }

  const deleteActive = (victims: Pod[], removeFinalizers: boolean): void => {
    plan.deletePods = victims.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    plan.deleteRemovesFinalizers = removeFinalizers;
    activeCount -= plan.deletePods.length;
    ready -= plan.deletePods.filter(isPodReady).length;
    terminating += plan.deletePods.length;
  };

  let managed = false;
  const finishing = finished !== undefined;
  if (finishing) {
    // Finishing: delete what runs, keeping finalizers so those pods count as failed.
    deleteActive(active, false);
    // Pods created by an earlier sync may not be in the cache yet: not finished after all.
    if (!inp.expectationsSatisfied) finished = undefined;
  } else if (inp.expectationsSatisfied && !job.metadata.deletionTimestamp) {
    managed = true;
    if (suspended) deleteActive(active, true);
    else manage();
  }

  function manage(): void {
    let want: number;
    if (completions === undefined) want = succeeded > 0 ? activeCount : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - succeeded));
    const surplus: Pod[] = [];
    let keep = active;
    if (indexed) {
      // Pods with a bad, finished or duplicated index go first.
      const seen = new Set<number>();
      keep = [];
      for (const p of [...active].sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''))) {
        const ix = completionIndex(p);
        if (ix === undefined || ix >= (completions ?? 0) || newIndexes.has(ix) || seen.has(ix)) surplus.push(p);
        else {
          seen.add(ix);
          keep.push(p);
        }
      }
    }
    const extra = podsForRemoval(keep, keep.length - want);
    const victims = [...surplus, ...extra];
    if (victims.length > 0) {
      deleteActive(victims, true);
      return;
    }
    const waitFor = spec.podReplacementPolicy === 'Failed' ? terminating : 0;
    let diff = Math.min(want - waitFor - activeCount, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (diff <= 0) return;
    const wait = remainingBackoffMs(plan.backoff, now.getTime());
    if (wait > 0) {
      plan.requeueAfterMs = plan.requeueAfterMs === undefined ? wait : Math.min(plan.requeueAfterMs, wait);
      return;
    }
    if (indexed) {
      const taken = new Set(keep.map((p) => completionIndex(p)!));
      plan.createIndexes = firstPendingIndexes(completions ?? 0, newIndexes, taken, diff);
      diff = plan.createIndexes.length;
    }
    plan.createCount = diff;
    activeCount += diff;
  }

  if (!finishing) {
    const complete = completions === undefined ? succeeded > 0 && activeCount === 0 : succeeded >= completions && activeCount === 0;
    if (complete) finished = { type: 'SuccessCriteriaMet', reason: SUCCESS_REASON, message: SUCCESS_MESSAGE };
    else if (managed && suspended) {
      if (ensureCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowStr)) {
        plan.events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
      }
    } else if (managed) {
      if (ensureCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowStr)) {
        plan.events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
        status.startTime = nowStr;
      }
    }
  }
  // Every unfinished pod of a failing Job (not of a succeeding one) counts as failed.
  const failing = finished !== undefined && finished.type !== 'SuccessCriteriaMet' && finished.type !== 'Complete';

  // Record finished pods before their finalizers go.
  for (const p of pods) {
    if (!tracked(p)) continue;
    const uid = p.metadata.uid ?? '';
    const podFailed = isPodFailed(p, job);
    const done = podPhase(p) === 'Succeeded' || podFailed;
    if (!done && !finished && !job.metadata.deletionTimestamp) continue;
    plan.removeFinalizers.push(p);
    if (podPhase(p) === 'Succeeded' && !podFailed) {
      if (!indexed) uncSucceeded.add(uid);
    } else if ((podFailed || failing) && (!indexed || validIndex(p))) uncFailed.add(uid);
    if (uncSucceeded.size + uncFailed.size + newIndexes.size - prevIndexes.size >= MAX_UNCOUNTED_PODS) {
      plan.moreToRecord = true;
      break;
    }
  }
  status.uncountedTerminatedPods = {};
  if (uncSucceeded.size > 0) status.uncountedTerminatedPods.succeeded = [...uncSucceeded];
  if (uncFailed.size > 0) status.uncountedTerminatedPods.failed = [...uncFailed];
  if (indexed) {
    status.completedIndexes = formatIndexes(newIndexes);
    status.succeeded = newIndexes.size;
  }
  if (finished && (finished.type === 'FailureTarget' || finished.type === 'SuccessCriteriaMet')) {
    // The interim condition goes in before the finalizers go; the terminal one once all is counted.
    if (!findCondition(status, finished.type)) ensureCondition(status, finished.type, 'True', finished.reason, finished.message, nowStr);
    finished = { type: finished.type === 'FailureTarget' ? 'Failed' : 'Complete', reason: finished.reason, message: finished.message };
  }
  plan.finishedCondition = finished;
  status.active = activeCount;
  status.ready = ready;
  status.terminating = terminating;
  return plan;
}
