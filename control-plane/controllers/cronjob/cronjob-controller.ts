/**
 * The CronJob controller (upstream's pkg/controller/cronjob ControllerV2):
 * creates a Job for each scheduled time of a CronJob and keeps its status.
 * Thin loop: syncCronJob (cronjob-sync.ts) decides; this file resolves
 * active Jobs missing from the cache with a live read, deletes replaced
 * and surplus finished Jobs (propagation Background), creates the Job,
 * writes the status and requeues precisely at the next scheduled time with
 * {requeueAfterMs} (time comes only from the injected clock).
 *
 * A Job that already exists under the scheduled name and is ours (we
 * crashed after creating it) counts as created. After its own status
 * write the controller reads the CronJob live until the cache catches up,
 * so it never schedules the same time twice from a stale status.
 */
import { errorMessage, isApiError } from '../../api/errors.js';
import { formatTime } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { controllerRefOf } from '../framework/controller-ref.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { semanticEqual } from '../framework/semantic-equal.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import type { Job } from '../job/job-pods.js';
import { jobRef, syncCronJob, type CronJob, type CronJobStatus } from './cronjob-sync.js';

const COMPONENT = 'cronjob-controller';
export const JOB_CRONJOB_INDEX = 'cronjob/controller-uid';

function jobCronJobIndex(job: Job): string[] {
  const ref = controllerRefOf(job);
  return ref?.kind === 'CronJob' ? [ref.uid] : [];
}

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  private ctx!: ControllerContext;
  private cronJobs!: Informer<CronJob>;
  private jobs!: Informer<Job>;
  private queue!: WorkQueue;
  private recorder!: EventRecorder;
  private readonly written = new Map<string, string>();

  /** defaultTimeZone: the zone of schedules without spec.timeZone (upstream: the controller's local zone). */
  constructor(private readonly defaultTimeZone = 'UTC') {}

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder(COMPONENT);
    this.cronJobs = ctx.informers.informer<CronJob>(refs.cronJobs);
    this.jobs = ctx.informers.informer<Job>(refs.jobs);
    this.jobs.addIndex(JOB_CRONJOB_INDEX, jobCronJobIndex);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 3, onError: (k, e) => ctx.log(`cronjob ${k}: ${errorMessage(e)}`) });
    this.cronJobs.addHandler({
      add: (cj) => this.queue.add(objectKey(cj)),
      update: (_o, n) => this.queue.add(objectKey(n)),
      delete: (cj) => this.written.delete(objectKey(cj)),
    });
    const jobChanged = (j: Job): void => {
      const ref = controllerRefOf(j);
      if (ref?.kind !== 'CronJob') return;
      const cj = this.cronJobs.getByName(j.metadata.namespace, ref.name);
      if (cj?.metadata.uid === ref.uid) this.queue.add(objectKey(cj));
    };
    this.jobs.addHandler({ add: jobChanged, update: (_o, n) => jobChanged(n), delete: jobChanged });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private async current(key: string): Promise<CronJob | undefined> {
    const cached = this.cronJobs.get(key);
    const mine = this.written.get(key);
    if (!cached || mine === undefined || cached.metadata.resourceVersion === mine) {
      this.written.delete(key);
      return cached;
    }
    try {
      const fresh = await this.ctx.client.get<CronJob>(inNamespace(refs.cronJobs, cached.metadata.namespace), cached.metadata.name ?? '');
      if (fresh.metadata.resourceVersion === cached.metadata.resourceVersion) this.written.delete(key);
      return fresh.metadata.uid === cached.metadata.uid ? fresh : undefined;
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** UIDs of status.active Jobs the apiserver no longer has (a live read, as upstream, against a slow cache). */
  private async goneActive(cj: CronJob, jobs: Job[]): Promise<Set<string>> {
    const known = new Set(jobs.map((j) => j.metadata.uid));
    const gone = new Set<string>();
    for (const r of cj.status?.active ?? []) {
      if (known.has(r.uid)) continue;
      try {
        const j = await this.ctx.client.get<Job>(inNamespace(refs.jobs, r.namespace ?? cj.metadata.namespace), r.name ?? '');
        if (j.metadata.uid !== r.uid) gone.add(r.uid ?? '');
      } catch (err) {
        if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') gone.add(r.uid ?? '');
        else throw err;
      }
    }
    return gone;
  }

  private async sync(key: string): Promise<WorkResult | void> {
    const cj = await this.current(key);
    if (!cj) return;
    const jobs = this.jobs.byIndex(JOB_CRONJOB_INDEX, cj.metadata.uid ?? '');
    const plan = syncCronJob({ cronJob: cj, jobs, goneActive: await this.goneActive(cj, jobs), now: this.ctx.clock.now(), defaultTimeZone: this.defaultTimeZone });
    for (const e of plan.events) this.recorder.record(cj, e.type, e.reason, e.message);
    const status = plan.status;
    let firstError: unknown;

    let replaced = true;
    for (const j of plan.replace) if (!(await this.deleteJob(cj, j, status))) replaced = false;
    if (plan.create && !replaced) firstError = new Error(`could not replace the active jobs of ${key}`);
    else if (plan.create) firstError = await this.createJob(cj, plan.create.job, plan.create.scheduledTime, status);
    for (const j of plan.cleanup) await this.deleteJob(cj, j, status);

    if (!semanticEqual(status, cj.status ?? {})) {
      const written = await this.ctx.client.update<CronJob>(inNamespace(refs.cronJobs, cj.metadata.namespace), { ...cj, status }, { subresource: 'status' });
      if (written.metadata.resourceVersion) this.written.set(key, written.metadata.resourceVersion);
    }
    if (firstError) throw firstError;
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  private async createJob(cj: CronJob, job: Job, scheduled: number, status: CronJobStatus): Promise<unknown> {
    const ref = inNamespace(refs.jobs, cj.metadata.namespace);
    let created: Job;
    try {
      created = await this.ctx.client.create<Job>(ref, job);
      this.recorder.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name ?? ''}`);
    } catch (err) {
      if (!(isApiError(err) && err.code === 'SKIFF_ALREADY_EXISTS')) {
        this.recorder.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(err)}`);
        return err;
      }
      // Ours from before a crash: count it as created; someone else's: leave it be.
      created = await this.ctx.client.get<Job>(ref, job.metadata.name ?? '');
      if (controllerRefOf(created)?.uid !== cj.metadata.uid) return err;
    }
    const finished = created.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const active = status.active ?? [];
    if (!finished && !active.some((r) => r.uid === created.metadata.uid)) status.active = [...active, jobRef(created)];
    status.lastScheduleTime = formatTime(new Date(scheduled));
    return undefined;
  }

  private async deleteJob(cj: CronJob, job: Job, status: CronJobStatus): Promise<boolean> {
    try {
      await this.ctx.client.delete(inNamespace(refs.jobs, job.metadata.namespace), job.metadata.name ?? '', { propagationPolicy: 'Background' });
    } catch (err) {
      if (!(isApiError(err) && err.code === 'SKIFF_NOT_FOUND')) {
        this.recorder.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(err)}`);
        return false;
      }
    }
    const rest = (status.active ?? []).filter((r) => r.uid !== job.metadata.uid);
    if (rest.length > 0) status.active = rest;
    else delete status.active;
    this.recorder.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name ?? ''}`);
    return true;
  }
}
