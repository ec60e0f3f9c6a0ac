/**
 * The Job controller (upstream's pkg/controller/job): runs a Job's pods to
 * completion and reports progress in its status. Thin loop: syncJob and
 * flushUncounted (job-sync.ts) decide; this file reads the caches, carries
 * the plan out, and keeps the bookkeeping that makes a lagging cache safe:
 * - expectations (shared with the ReplicaSet controller) stop a sync from
 *   creating pods again before the cache has seen the previous ones;
 * - finalizer removals it issued are remembered until the cache shows
 *   them, so a stale pod still carrying the finalizer is not recounted;
 * - after its own status write it reads the Job fresh from the apiserver
 *   until the cache has caught up, so it never counts from a stale status;
 * - the pod-failure backoff record lives here, per Job.
 * Writes follow upstream's order: record finished pods in the status,
 * then remove their finalizers, then count them. Pods whose Job is gone
 * lose the finalizer through the same queue (keys `pod:<ns>/<name>`).
 */
import { errorMessage, isApiError } from '../../api/errors.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { controllerRefOf, STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs, splitKey } from '../framework/refs.js';
import { semanticEqual } from '../framework/semantic-equal.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import { Expectations } from '../replicaset/expectations.js';
import { boundedAll, MAX_IN_FLIGHT, slowStartBatch } from '../replicaset/slow-start.js';
import { NO_BACKOFF, type BackoffRecord } from './job-backoff.js';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER, podForJob, type Job, type JobStatus } from './job-pods.js';
import { flushUncounted, isJobFinished, type JobEvent } from './job-status.js';
import { syncJob } from './job-sync.js';

export const POD_JOB_INDEX = 'job/controller-uid';
const COMPONENT = 'job-controller';
const ORPHAN_PREFIX = 'pod:';

function podJobIndex(pod: Pod): string[] {
  const ref = controllerRefOf(pod);
  return ref?.kind === 'Job' ? [ref.uid] : [];
}

/** Upstream omits zero active/succeeded/failed (omitempty) and keeps ready/terminating. */
function normalizeStatus(s: JobStatus): JobStatus {
  const out = { ...s };
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!out[k]) delete out[k];
  return out;
}

export class JobController implements Controller {
  readonly name = 'job';
  private ctx!: ControllerContext;
  private jobs!: Informer<Job>;
  private pods!: Informer<Pod>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private expectations!: Expectations;
  private readonly backoff = new Map<string, BackoffRecord>();
  /** job key → pod UIDs whose finalizer removal was issued and not yet observed. */
  private readonly removals = new Map<string, Set<string>>();
  /** job key → resourceVersion of our last status write, until the cache shows it. */
  private readonly written = new Map<string, string>();

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder(COMPONENT);
    this.expectations = new Expectations(() => ctx.clock.now().getTime());
    this.jobs = ctx.informers.informer<Job>(refs.jobs);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.pods.addIndex(POD_JOB_INDEX, podJobIndex);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 5, onError: (k, e) => ctx.log(`job ${k}: ${errorMessage(e)}`) });
    this.jobs.addHandler({
      add: (j) => this.queue.add(objectKey(j)),
      update: (_o, n) => this.queue.add(objectKey(n)),
      delete: (j) => {
        const key = objectKey(j);
        this.expectations.forget(key);
        this.backoff.delete(key);
        this.removals.delete(key);
        this.written.delete(key);
        for (const p of this.pods.byIndex(POD_JOB_INDEX, j.metadata.uid ?? '')) if (hasTrackingFinalizer(p)) this.queue.add(ORPHAN_PREFIX + objectKey(p));
      },
    });
    this.pods.addHandler({
      add: (p) => this.podEvent(p, 'add'),
      update: (o, n) => {
        if (o.metadata.resourceVersion === n.metadata.resourceVersion) return;
        this.podEvent(n, !o.metadata.deletionTimestamp && n.metadata.deletionTimestamp ? 'deleting' : 'update');
      },
      delete: (p) => this.podEvent(p, 'delete'),
    });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private jobOf(pod: Pod): Job | undefined {
    const ref = controllerRefOf(pod);
    if (ref?.kind !== 'Job') return undefined;
    const job = this.jobs.getByName(pod.metadata.namespace, ref.name);
    return job?.metadata.uid === ref.uid ? job : undefined;
  }

  private podEvent(pod: Pod, kind: 'add' | 'update' | 'deleting' | 'delete'): void {
    if (controllerRefOf(pod)?.kind !== 'Job') return;
    const job = this.jobOf(pod);
    if (!job) {
      if (kind !== 'delete' && hasTrackingFinalizer(pod)) this.queue.add(ORPHAN_PREFIX + objectKey(pod));
      return;
    }
    const key = objectKey(job);
    if (kind === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(key);
    if (kind === 'deleting' || kind === 'delete' || (kind === 'add' && pod.metadata.deletionTimestamp)) this.expectations.deletionObserved(key, objectKey(pod));
    if (kind === 'delete' || !hasTrackingFinalizer(pod)) this.removals.get(key)?.delete(pod.metadata.uid ?? '');
    this.queue.add(key);
  }

  private jobsRef(ns: string | undefined): ReturnType<typeof inNamespace> {
    return inNamespace(refs.jobs, ns);
  }

  /** The Job to sync: the cached one, or a live read while the cache lags our own write. */
  private async current(key: string): Promise<Job | undefined> {
    const cached = this.jobs.get(key);
    const mine = this.written.get(key);
    if (!cached || mine === undefined || cached.metadata.resourceVersion === mine) {
      this.written.delete(key);
      return cached;
    }
    try {
      const fresh = await this.ctx.client.get<Job>(this.jobsRef(cached.metadata.namespace), cached.metadata.name ?? '');
      if (fresh.metadata.resourceVersion === cached.metadata.resourceVersion) this.written.delete(key);
      return fresh.metadata.uid === cached.metadata.uid ? fresh : undefined;
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return undefined;
      throw err;
    }
  }

  private async sync(key: string): Promise<WorkResult | void> {
    if (key.startsWith(ORPHAN_PREFIX)) return this.releaseOrphan(key.slice(ORPHAN_PREFIX.length));
    const job = await this.current(key);
    if (!job) return;
    const pods = this.pods.byIndex(POD_JOB_INDEX, job.metadata.uid ?? '');
    const pending = this.removals.get(key) ?? new Set<string>();
    const now = this.ctx.clock.now();
    const plan = syncJob({
      job,
      pods,
      now,
      backoff: this.backoff.get(key) ?? NO_BACKOFF,
      expectationsSatisfied: this.expectations.satisfied(key),
      finalizerRemovalsPending: pending,
    });
    if (plan.backoff === NO_BACKOFF) this.backoff.delete(key);
    else this.backoff.set(key, plan.backoff);

    let firstError: unknown;
    if (plan.deletePods.length > 0) firstError ??= await this.deletePods(key, job, plan.deletePods, plan.deleteRemovesFinalizers);
    const wanted = plan.createIndexes ?? Array.from({ length: plan.createCount }, () => undefined);
    if (wanted.length > 0) {
      const { failed, error } = await this.createPods(key, job, wanted);
      plan.status.active = (plan.status.active ?? 0) - failed;
      firstError ??= error;
    }

    let cur = job;
    if (!isJobFinished(job)) cur = await this.writeStatus(key, job, plan.status);
    this.recordAll(job, plan.events);

    const done = new Set(plan.doneUids);
    if (plan.removeFinalizers.length > 0) {
      const removed = await this.removeFinalizers(plan.removeFinalizers);
      const set = this.pendingRemovals(key);
      for (const uid of removed) {
        done.add(uid);
        set.add(uid);
      }
    }
    if (!isJobFinished(job)) {
      const completions = typeof job.spec?.completions === 'number' ? job.spec.completions : undefined;
      const flushed = flushUncounted(cur.status ?? {}, done, plan.moreToRecord ? undefined : plan.finishedCondition, now, completions);
      await this.writeStatus(key, cur, flushed.status);
      this.recordAll(job, flushed.events);
    }
    if (firstError) throw firstError;
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs + 50 };
  }

  private pendingRemovals(key: string): Set<string> {
    let set = this.removals.get(key);
    if (!set) this.removals.set(key, (set = new Set()));
    return set;
  }

  private recordAll(job: Job, events: JobEvent[]): void {
    for (const e of events) this.recorder.record(job, e.type, e.reason, e.message);
  }

  private async writeStatus(key: string, job: Job, status: JobStatus): Promise<Job> {
    const next = normalizeStatus(status);
    if (semanticEqual(normalizeStatus(job.status ?? {}), next)) return job;
    const written = await this.ctx.client.update<Job>(this.jobsRef(job.metadata.namespace), { ...job, status: next }, { subresource: 'status' });
    if (written.metadata.resourceVersion) this.written.set(key, written.metadata.resourceVersion);
    return written;
  }

  private async createPods(key: string, job: Job, indexes: (number | undefined)[]): Promise<{ failed: number; error?: unknown }> {
    const ref = inNamespace(refs.pods, job.metadata.namespace);
    this.expectations.expectCreations(key, indexes.length);
    const res = await slowStartBatch(indexes.length, 1, MAX_IN_FLIGHT, async (i) => {
      try {
        const pod = await this.ctx.client.create<Pod>(ref, podForJob(job, indexes[i]));
        this.recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
      } catch (err) {
        this.recorder.record(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
        throw err;
      }
    });
    const failed = indexes.length - res.successes;
    for (let i = 0; i < failed; i++) this.expectations.creationObserved(key);
    return { failed, error: res.errors[0] };
  }

  /** Deletes pods; with releaseFirst (surplus, suspend) their finalizer goes first, so they never count. */
  private async deletePods(key: string, job: Job, pods: Pod[], releaseFirst: boolean): Promise<unknown> {
    const ref = inNamespace(refs.pods, job.metadata.namespace);
    this.expectations.expectDeletions(key, pods.map(objectKey));
    const res = await boundedAll(pods.length, MAX_IN_FLIGHT, async (i) => {
      const pod = pods[i]!;
      try {
        if (releaseFirst && hasTrackingFinalizer(pod)) {
          await this.removeFinalizer(pod);
          this.pendingRemovals(key).add(pod.metadata.uid ?? '');
        }
        await this.ctx.client.delete(ref, pod.metadata.name ?? '');
        this.recorder.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
      } catch (err) {
        this.expectations.deletionObserved(key, objectKey(pod));
        if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
        this.recorder.record(job, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
        throw err;
      }
    });
    return res.errors[0];
  }

  /** Removes the tracking finalizer; returns the UIDs now free of it (gone pods included). */
  private async removeFinalizers(pods: Pod[]): Promise<string[]> {
    const done: string[] = [];
    const res = await boundedAll(pods.length, MAX_IN_FLIGHT, async (i) => {
      const pod = pods[i]!;
      if (await this.removeFinalizer(pod)) done.push(pod.metadata.uid ?? '');
    });
    if (res.errors.length > 0) throw res.errors[0];
    return done;
  }

  private async removeFinalizer(pod: Pod): Promise<boolean> {
    const patch = { metadata: { uid: pod.metadata.uid, '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };
    try {
      await this.ctx.client.patch(inNamespace(refs.pods, pod.metadata.namespace), pod.metadata.name ?? '', patch, STRATEGIC_MERGE_PATCH);
      return true;
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return true;
      // A uid precondition failure: another pod of that name; ours is gone.
      if (isApiError(err) && err.code === 'SKIFF_CONFLICT') return true;
      throw err;
    }
  }

  /** A pod whose Job is gone (or was replaced) keeps no tracking finalizer. */
  private async releaseOrphan(podKey: string): Promise<void> {
    const pod = this.pods.get(podKey);
    if (!pod || !hasTrackingFinalizer(pod) || this.jobOf(pod)) return;
    const ref = controllerRefOf(pod);
    if (ref) {
      try {
        const { namespace } = splitKey(podKey);
        const live = await this.ctx.client.get<Job>(this.jobsRef(namespace), ref.name);
        if (live.metadata.uid === ref.uid) return;
      } catch (err) {
        if (!(isApiError(err) && err.code === 'SKIFF_NOT_FOUND')) throw err;
      }
    }
    await this.removeFinalizer(pod);
  }
}
