/**
 * The TTL-after-finished controller (upstream's pkg/controller/
 * ttlafterfinished): deletes a finished Job once spec.ttlSecondsAfterFinished
 * seconds have passed since it finished, with propagationPolicy Foreground
 * (its pods go first, through the garbage collector) and a UID
 * precondition, so a Job recreated under the same name is never deleted.
 *
 * "Finished" is a Complete or Failed condition with status True; the
 * finish time is that condition's lastTransitionTime. Before deleting, the
 * Job is read fresh from the apiserver and checked again (its TTL may have
 * been changed meanwhile). Otherwise the key is requeued precisely at the
 * expiry with {requeueAfterMs}. ttlExpiry is the pure decision.
 */
import { errorMessage, isApiError } from '../../api/errors.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, objectKey, refs, splitKey } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import type { Job } from './job-pods.js';

/** When the Job expires (epoch ms), or undefined if it never does (no TTL, unfinished, being deleted). */
export function ttlExpiry(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata.deletionTimestamp) return undefined;
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  const finishedAt = Date.parse(c.lastTransitionTime ?? '');
  if (Number.isNaN(finishedAt)) return undefined;
  return finishedAt + ttl * 1000;
}

export class TtlAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  private ctx!: ControllerContext;
  private jobs!: Informer<Job>;
  private queue!: WorkQueue;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.jobs = ctx.informers.informer<Job>(refs.jobs);
    this.queue = new WorkQueue((k) => this.sync(k), { name: this.name, workers: 2, onError: (k, e) => ctx.log(`ttl-after-finished ${k}: ${errorMessage(e)}`) });
    const enqueue = (j: Job): void => {
      if (ttlExpiry(j) !== undefined) this.queue.add(objectKey(j));
    };
    this.jobs.addHandler({ add: enqueue, update: (_o, n) => enqueue(n) });
  }

  run(): void {
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private async sync(key: string): Promise<WorkResult | void> {
    const cached = this.jobs.get(key);
    if (!cached) return;
    const now = this.ctx.clock.now().getTime();
    let at = ttlExpiry(cached);
    if (at === undefined) return;
    if (at > now) return { requeueAfterMs: at - now };
    const { namespace, name } = splitKey(key);
    const ref = inNamespace(refs.jobs, namespace);
    let fresh: Job;
    try {
      fresh = await this.ctx.client.get<Job>(ref, name);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
      throw err;
    }
    at = ttlExpiry(fresh);
    if (at === undefined) return;
    if (at > now) return { requeueAfterMs: at - now };
    try {
      await this.ctx.client.delete(ref, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
    } catch (err) {
      if (isApiError(err) && (err.code === 'SKIFF_NOT_FOUND' || err.code === 'SKIFF_CONFLICT')) return;
      throw err;
    }
  }
}
