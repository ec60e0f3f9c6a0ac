import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { NO_BACKOFF, type BackoffRecord } from './job-backoff.js';
import { JOB_TRACKING_FINALIZER, podForJob, type Job, type JobSpec, type JobStatus } from './job-pods.js';
import { flushUncounted } from './job-status.js';
import { syncJob, type JobSyncPlan } from './job-sync.js';

const NOW = new Date('2026-11-28T10:00:00Z');
const at = (s: number): Date => new Date(NOW.getTime() + s * 1000);

function job(spec: JobSpec, status: JobStatus = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } }, ...spec },
    status,
  };
}

let seq = 0;
function pod(phase: string, opts: { index?: number; finalizer?: boolean; deleting?: boolean; ready?: boolean; finishedAt?: string } = {}): Pod {
  seq++;
  return {
    metadata: {
      name: `pi-${seq}`,
      uid: `pod-${seq}`,
      creationTimestamp: '2026-11-28T09:59:00Z',
      finalizers: opts.finalizer === false ? [] : [JOB_TRACKING_FINALIZER],
      annotations: opts.index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(opts.index) },
      ...(opts.deleting ? { deletionTimestamp: '2026-11-28T09:59:30Z' } : {}),
    },
    spec: { nodeName: 'sim-0' },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }],
      containerStatuses: opts.finishedAt ? [{ state: { terminated: { finishedAt: opts.finishedAt } } }] : [],
    },
  };
}

function sync(j: Job, pods: Pod[], extra: { now?: Date; backoff?: BackoffRecord; satisfied?: boolean; pending?: string[] } = {}): JobSyncPlan {
  return syncJob({
    job: j,
    pods,
    now: extra.now ?? NOW,
    backoff: extra.backoff ?? NO_BACKOFF,
    expectationsSatisfied: extra.satisfied ?? true,
    finalizerRemovalsPending: new Set(extra.pending ?? []),
  });
}

describe('job sync', () => {
  it('starts min(parallelism, completions) pods and records the start time', () => {
    const p = sync(job({ completions: 3, parallelism: 2 }), []);
    assert.equal(p.createCount, 2);
    assert.equal(p.status.active, 2);
    assert.equal(p.status.startTime, '2026-11-28T10:00:00Z');
    assert.equal(sync(job({ completions: 3, parallelism: 5 }), []).createCount, 3);
  });

  it('creates nothing while earlier creations are unobserved', () => {
    const p = sync(job({ completions: 3, parallelism: 2 }), [], { satisfied: false });
    assert.equal(p.createCount, 0);
  });

  it('records finished pods as uncounted before their finalizers go, then counts them', () => {
    const done = pod('Succeeded');
    const running = pod('Running', { ready: true });
    const p = sync(job({ completions: 3, parallelism: 2 }, { startTime: '2026-11-28T09:59:00Z' }), [done, running]);
    assert.deepEqual(p.status.uncountedTerminatedPods, { succeeded: [done.metadata.uid] });
    assert.deepEqual(p.removeFinalizers.map((x) => x.metadata.name), [done.metadata.name]);
    assert.equal(p.createCount, 1, 'one more to reach 3 with 1 running and 1 succeeded');
    assert.equal(p.status.ready, 1);
    const f = flushUncounted(p.status, [done.metadata.uid!], p.finishedCondition, NOW, 3);
    assert.equal(f.status.succeeded, 1);
    assert.deepEqual(f.status.uncountedTerminatedPods, {});
  });

  it('never counts a pod twice: not once its finalizer is gone, not while its removal is pending', () => {
    const counted = pod('Succeeded', { finalizer: false });
    const removing = pod('Succeeded');
    const j = job({ completions: 3, parallelism: 1 }, { succeeded: 2, startTime: '2026-11-28T09:59:00Z' });
    const p = sync(j, [counted, removing], { pending: [removing.metadata.uid!] });
    assert.deepEqual(p.status.uncountedTerminatedPods, {});
    assert.equal(p.removeFinalizers.length, 0);
    assert.equal(p.createCount, 1);
  });

  it('counts uncounted pods whose finalizer is already gone (recovery after a crash)', () => {
    const j = job({ completions: 2 }, { succeeded: 1, uncountedTerminatedPods: { succeeded: ['gone-uid'] }, startTime: '2026-11-28T09:59:00Z' });
    const p = sync(j, []);
    assert.deepEqual(p.doneUids, ['gone-uid']);
    assert.equal(p.createCount, 0, 'two succeeded already');
    assert.equal(p.status.conditions?.[0]?.type, 'SuccessCriteriaMet');
    const f = flushUncounted(p.status, p.doneUids, p.finishedCondition, NOW);
    assert.equal(f.status.succeeded, 2);
    assert.equal(f.status.conditions?.[1]?.type, 'Complete');
  });

  it('meets the success criteria once enough pods succeeded, and completes once every pod is counted', () => {
    const j = job({ completions: 2, parallelism: 2 }, { succeeded: 1, startTime: '2026-11-28T09:59:00Z' });
    const last = pod('Succeeded');
    const p = sync(j, [last]);
    assert.equal(p.finishedCondition?.type, 'Complete');
    const interim = p.status.conditions?.find((c) => c.type === 'SuccessCriteriaMet');
    assert.deepEqual([interim?.status, interim?.reason, interim?.message], ['True', 'CompletionsReached', 'Reached expected number of succeeded pods']);
    // The finalizer removal failed: the pod stays uncounted, so no Complete yet.
    const f1 = flushUncounted(p.status, [], p.finishedCondition, NOW, 2);
    assert.equal(f1.status.conditions?.some((c) => c.type === 'Complete'), false, 'interim only');
    const p2 = sync(job({ completions: 2, parallelism: 2 }, f1.status), [{ ...last, metadata: { ...last.metadata, finalizers: [] } }], { now: at(1) });
    assert.equal(p2.finishedCondition?.type, 'Complete');
    assert.equal(p2.status.conditions?.filter((c) => c.type === 'SuccessCriteriaMet').length, 1);
    const f2 = flushUncounted(p2.status, p2.doneUids, p2.finishedCondition, at(1), 2);
    assert.equal(f2.status.conditions?.find((c) => c.type === 'Complete')?.status, 'True');
    assert.equal(f2.status.completionTime, '2026-11-28T10:00:01Z');
    assert.equal(f2.status.succeeded, 2);
    assert.deepEqual(f2.events, [{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
  });

  it('without completions, completes after the first success once nothing is active', () => {
    const j = job({ completions: null, parallelism: 2 }, { startTime: '2026-11-28T09:59:00Z' });
    const running = pod('Running');
    const p = sync(j, [pod('Succeeded'), running]);
    assert.equal(p.createCount, 0, 'keeps what runs, starts nothing new');
    assert.equal(p.finishedCondition, undefined);
    assert.equal(sync(j, [pod('Succeeded')]).finishedCondition?.type, 'Complete');
  });

  it('holds replacements of failed pods back by the exponential backoff', () => {
    const failed = pod('Failed', { finishedAt: '2026-11-28T09:59:55Z' });
    const j = job({ completions: 1 }, { startTime: '2026-11-28T09:59:00Z' });
    const p = sync(j, [failed]);
    assert.deepEqual(p.status.uncountedTerminatedPods, { failed: [failed.metadata.uid] });
    assert.deepEqual(p.backoff, { failuresAfterLastSuccess: 1, lastFailureTime: Date.parse('2026-11-28T09:59:55Z') });
    assert.equal(p.createCount, 0);
    assert.equal(p.requeueAfterMs, 5_000);
    const later = sync(job({ completions: 1 }, { failed: 1, startTime: '2026-11-28T09:59:00Z' }), [], { backoff: p.backoff, now: at(6) });
    assert.equal(later.createCount, 1);
  });

  it('fails with BackoffLimitExceeded when failures pass the backoff limit, deleting active pods first', () => {
    const running = pod('Running');
    const j = job({ completions: 2, parallelism: 2, backoffLimit: 0 }, { startTime: '2026-11-28T09:59:00Z' });
    const failedPod = pod('Failed');
    const p = sync(j, [failedPod, running]);
    assert.equal(p.finishedCondition?.type, 'Failed');
    const target = p.status.conditions?.find((c) => c.type === 'FailureTarget');
    assert.deepEqual([target?.status, target?.reason], ['True', 'BackoffLimitExceeded']);
    assert.deepEqual(p.deletePods.map((x) => x.metadata.name), [running.metadata.name]);
    assert.equal(p.deleteRemovesFinalizers, false, 'deleted pods of a failing Job count as failed');
    assert.equal(p.createCount, 0);
    assert.deepEqual(p.status.uncountedTerminatedPods?.failed?.sort(), [failedPod.metadata.uid, running.metadata.uid].sort());
    assert.equal(p.status.terminating, 1);
    // Still terminating: no terminal condition yet.
    const next = sync(job(j.spec!, { ...p.status, uncountedTerminatedPods: {}, failed: 2, terminating: 1 }), [{ ...running, metadata: { ...running.metadata, finalizers: [], deletionTimestamp: '2026-11-28T10:00:00Z' } }]);
    assert.equal(next.finishedCondition?.type, 'Failed');
    assert.equal(flushUncounted(next.status, [], next.finishedCondition, NOW).status.conditions?.some((c) => c.type === 'Failed'), false);
    const gone = sync(job(j.spec!, { ...p.status, uncountedTerminatedPods: {}, failed: 2, terminating: 1 }), []);
    const f = flushUncounted(gone.status, [], gone.finishedCondition, NOW);
    const failedCond = f.status.conditions?.find((c) => c.type === 'Failed');
    assert.deepEqual([failedCond?.reason, failedCond?.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
    assert.equal(f.status.completionTime, undefined);
    assert.deepEqual(f.events, [{ type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]);
  });

  it('requeues at the active deadline and fails with DeadlineExceeded past it', () => {
    const j = job({ activeDeadlineSeconds: 30 }, { startTime: '2026-11-28T09:59:50Z' });
    const running = pod('Running');
    assert.equal(sync(j, [running]).requeueAfterMs, 20_000);
    const p = sync(j, [running], { now: at(25) });
    assert.deepEqual([p.finishedCondition?.type, p.finishedCondition?.reason, p.finishedCondition?.message], ['Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline']);
    assert.equal(p.status.conditions?.[0]?.type, 'FailureTarget');
    assert.equal(p.deletePods.length, 1);
  });

  it('runs Indexed jobs with the lowest pending indexes and records completed ones compactly', () => {
    const j = job({ completionMode: 'Indexed', completions: 5, parallelism: 2 }, { completedIndexes: '0', succeeded: 1, startTime: '2026-11-28T09:59:00Z' });
    const done = pod('Succeeded', { index: 2 });
    const running = pod('Running', { index: 1 });
    const p = sync(j, [done, running]);
    assert.equal(p.status.completedIndexes, '0,2');
    assert.equal(p.status.succeeded, 2);
    assert.deepEqual(p.createIndexes, [3]);
    assert.equal(p.status.uncountedTerminatedPods?.succeeded, undefined, 'indexes, not UIDs, record Indexed successes');
  });

  it('deletes Indexed pods whose index is duplicated or already completed', () => {
    const j = job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }, { completedIndexes: '2', succeeded: 1, startTime: '2026-11-28T09:59:00Z' });
    const a = pod('Running', { index: 0 });
    const dup = pod('Running', { index: 0 });
    dup.metadata.creationTimestamp = '2026-11-28T09:59:30Z';
    const finishedIx = pod('Running', { index: 2 });
    const p = sync(j, [a, dup, finishedIx]);
    assert.deepEqual(p.deletePods.map((x) => x.metadata.name).sort(), [dup.metadata.name, finishedIx.metadata.name].sort());
    assert.equal(p.createCount, 0, 'deletions and creations never share a sync');
    assert.equal(p.deleteRemovesFinalizers, true, 'surplus pods are released, not counted as failed');
  });

  it('suspends by deleting active pods and resumes with a fresh start time', () => {
    const running = pod('Running');
    const p = sync(job({ suspend: true }, { startTime: '2026-11-28T09:00:00Z' }), [running]);
    assert.deepEqual(p.deletePods, [running]);
    assert.equal(p.deleteRemovesFinalizers, true, 'pods of a suspended Job do not count as failed');
    assert.deepEqual(p.status.uncountedTerminatedPods, {});
    const c = p.status.conditions?.find((x) => x.type === 'Suspended');
    assert.deepEqual([c?.status, c?.reason, c?.message], ['True', 'JobSuspended', 'Job suspended']);
    assert.deepEqual(p.events, [{ type: 'Normal', reason: 'Suspended', message: 'Job suspended' }]);
    const r = sync(job({ suspend: false }, p.status), [], { now: at(60) });
    assert.equal(r.status.conditions?.find((x) => x.type === 'Suspended')?.status, 'False');
    assert.equal(r.status.startTime, '2026-11-28T10:01:00Z');
    assert.equal(r.createCount, 1);
    assert.deepEqual(r.events, [{ type: 'Normal', reason: 'Resumed', message: 'Job resumed' }]);
  });

  it('does not declare a Job failed while its earlier creations are unobserved', () => {
    const p = sync(job({ completions: 1, backoffLimit: 0 }, { startTime: '2026-11-28T09:59:00Z' }), [pod('Failed')], { satisfied: false });
    assert.equal(p.finishedCondition, undefined);
    assert.equal(p.status.conditions?.some((c) => c.type === 'FailureTarget') ?? false, false);
  });

  it('leaves a Job managed by another controller alone', () => {
    const p = sync(job({ completions: 2, managedBy: 'example.com/queue' }), [pod('Succeeded')]);
    assert.equal(p.createCount, 0);
    assert.equal(p.removeFinalizers.length, 0);
    assert.deepEqual(p.status, {});
  });

  it('records at most 500 finished pods per sync and holds the terminal condition until all are', () => {
    const pods = Array.from({ length: 510 }, () => pod('Succeeded'));
    const p = sync(job({ completions: 510, parallelism: 10 }, { startTime: '2026-11-28T09:59:00Z' }), pods);
    assert.equal(p.status.uncountedTerminatedPods?.succeeded?.length, 500);
    assert.equal(p.removeFinalizers.length, 500);
    assert.equal(p.moreToRecord, true);
  });

  it('never turns a failing Job into a succeeding one while waiting for the cache', () => {
    const failing = job({ completions: 1 }, { succeeded: 1, startTime: '2026-11-28T09:59:00Z', conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'm' }] });
    const p = sync(failing, [], { satisfied: false });
    assert.equal(p.finishedCondition, undefined);
    assert.deepEqual(p.status.conditions?.map((c) => c.type), ['FailureTarget']);
  });

  it('counts a deleted, unfinished pod as failed', () => {
    const p = sync(job({ completions: 1 }, { startTime: '2026-11-28T09:59:00Z' }), [pod('Running', { deleting: true })]);
    assert.equal(p.status.uncountedTerminatedPods?.failed?.length, 1);
    assert.equal(p.status.terminating, 1);
  });

  it('only releases finalizers once the Job is finished', () => {
    const j = job({}, { conditions: [{ type: 'Complete', status: 'True' }] });
    const p = sync(j, [pod('Succeeded'), pod('Succeeded', { finalizer: false })]);
    assert.equal(p.removeFinalizers.length, 1);
    assert.equal(p.createCount, 0);
    assert.deepEqual(p.status, j.status);
  });
});

describe('job pods', () => {
  it('builds Indexed pods with index annotation, label, hostname, env, finalizer and controller ref', () => {
    const j = job({ completionMode: 'Indexed', completions: 3, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    const p = podForJob(j, 2);
    assert.equal(p.metadata.generateName, 'pi-2-');
    assert.equal(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], '2');
    assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '2');
    assert.equal(p.metadata.labels?.app, 'x');
    assert.equal((p.spec as { hostname?: string }).hostname, 'pi-2');
    assert.deepEqual(p.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true, blockOwnerDeletion: true }]);
    const env = (p.spec as { containers: { env: { name: string }[] }[] }).containers[0]!.env;
    assert.equal(env[0]!.name, 'JOB_COMPLETION_INDEX');
    assert.equal(podForJob(job({}), undefined).metadata.generateName, 'pi-');
    assert.equal(j.spec?.template?.spec?.hostname, undefined, 'the template is not mutated');
  });
});
