import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../job/job-pods.js';
import { parseCronSchedule } from './cron-schedule.js';
import { jobFromTemplate, jobNameFor, jobsBeyondHistory, rfc1123z, syncCronJob, type CronJob, type CronJobSyncPlan } from './cronjob-sync.js';
import { mostRecentScheduleTime, nextScheduleDelayMs, nextScheduleTime } from './schedule-times.js';

const T = (s: string): number => Date.parse(s);

function cronJob(spec: NonNullable<CronJob['spec']>, status: CronJob['status'] = {}, created = '2026-11-28T09:00:30Z'): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: created },
    spec: {
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never' } } } },
      ...spec,
    },
    status,
  };
}

function child(name: string, finished?: 'Complete' | 'Failed', extra: { startTime?: string; completionTime?: string } = {}): Job {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    status: { ...extra, conditions: finished ? [{ type: finished, status: 'True' }] : [] },
  };
}

function sync(cj: CronJob, now: string, jobs: Job[] = [], gone: string[] = []): CronJobSyncPlan {
  return syncCronJob({ cronJob: cj, jobs, goneActive: new Set(gone), now: new Date(now) });
}

describe('cron schedule times', () => {
  const everyMinute = parseCronSchedule('* * * * *');

  it('finds nothing before the first activation and the only one when just one passed', () => {
    assert.deepEqual(mostRecentScheduleTime(T('2026-11-28T10:00:10Z'), T('2026-11-28T10:00:50Z'), everyMinute), { earliest: T('2026-11-28T10:00:10Z'), missed: 0 });
    assert.equal(mostRecentScheduleTime(T('2026-11-28T10:00:10Z'), T('2026-11-28T10:01:05Z'), everyMinute).mostRecent, T('2026-11-28T10:01:00Z'));
  });

  it('picks the most recent of many missed times and estimates how many were missed', () => {
    const r = mostRecentScheduleTime(T('2026-11-28T10:00:00Z'), T('2026-11-28T12:30:30Z'), everyMinute);
    assert.equal(r.mostRecent, T('2026-11-28T12:30:00Z'));
    assert.equal(r.missed, 150);
    const weekdays = parseCronSchedule('0 9 * * 1-5');
    // From Monday 30 Nov to Monday 7 Dec 08:00: the last run due was Friday 4 Dec.
    assert.equal(mostRecentScheduleTime(T('2026-11-30T08:00:00Z'), T('2026-12-07T08:00:00Z'), weekdays).mostRecent, T('2026-12-04T09:00:00Z'));
  });

  it('counts from now minus startingDeadlineSeconds when that is later than the last schedule', () => {
    const r = nextScheduleTime({ lastScheduleTime: T('2026-11-28T08:00:00Z'), creationTime: 0, startingDeadlineSeconds: 120, now: T('2026-11-28T10:00:30Z') }, everyMinute);
    assert.equal(r.mostRecent, T('2026-11-28T10:00:00Z'));
    assert.equal(r.missed, 2);
  });

  it('reports a schedule that never fires twice as an error-free nothing and 31 February as nothing', () => {
    assert.equal(mostRecentScheduleTime(0, T('2026-11-28T10:00:00Z'), parseCronSchedule('0 0 31 2 *')).mostRecent, undefined);
  });

  it('requeues 100 ms after the next activation', () => {
    const d = nextScheduleDelayMs({ lastScheduleTime: T('2026-11-28T10:00:00Z'), creationTime: 0, now: T('2026-11-28T10:00:20Z') }, everyMinute);
    assert.equal(d, 40_100);
  });
});

describe('cronjob sync', () => {
  it('creates the Job for the most recent unmet time, named by minutes since the epoch', () => {
    const p = sync(cronJob({ schedule: '* * * * *' }), '2026-11-28T09:01:05Z');
    const scheduled = T('2026-11-28T09:01:00Z');
    assert.equal(p.create?.scheduledTime, scheduled);
    assert.equal(p.create?.job.metadata.name, `tick-${scheduled / 60_000}`);
    assert.equal(p.create?.job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-11-28T09:01:00Z');
    assert.equal(p.create?.job.metadata.labels?.app, 'tick');
    assert.deepEqual(p.create?.job.metadata.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true });
    assert.equal(p.requeueAfterMs, 55_100);
  });

  it('waits for the next time when nothing is due, and does not repeat a time already scheduled', () => {
    const p = sync(cronJob({ schedule: '*/5 * * * *' }), '2026-11-28T09:02:00Z');
    assert.equal(p.create, undefined);
    assert.equal(p.requeueAfterMs, 3 * 60_000 + 100);
    const done = sync(cronJob({ schedule: '* * * * *' }, { lastScheduleTime: '2026-11-28T09:01:00Z' }), '2026-11-28T09:01:30Z');
    assert.equal(done.create, undefined);
  });

  it('stamps the scheduled time in spec.timeZone and evaluates the schedule there', () => {
    const p = sync(cronJob({ schedule: '0 10 * * *', timeZone: 'Europe/Berlin' }, {}, '2026-11-28T08:00:00Z'), '2026-11-28T09:00:05Z');
    assert.equal(p.create?.scheduledTime, T('2026-11-28T09:00:00Z'));
    assert.equal(p.create?.job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-11-28T10:00:00+01:00');
  });

  it('refuses an unknown time zone, an unparseable schedule, and warns about TZ= in the schedule', () => {
    const tz = sync(cronJob({ schedule: '* * * * *', timeZone: 'Mars/Base' }), '2026-11-28T09:05:00Z');
    assert.equal(tz.create, undefined);
    assert.deepEqual(tz.events.map((e) => e.reason), ['UnknownTimeZone']);
    const bad = sync(cronJob({ schedule: '61 * * * *' }), '2026-11-28T09:05:00Z');
    assert.equal(bad.events[0]?.reason, 'UnparseableSchedule');
    assert.match(bad.events[0]?.message ?? '', /^unparseable schedule: "61 \* \* \* \*" : end of range \(61\) above maximum \(59\): 61$/);
    const prefixed = sync(cronJob({ schedule: 'TZ=UTC * * * * *' }), '2026-11-28T09:05:00Z');
    assert.equal(prefixed.events[0]?.reason, 'UnsupportedSchedule');
    assert.ok(prefixed.create, 'still runs');
  });

  it('does nothing while suspended or being deleted', () => {
    assert.equal(sync(cronJob({ schedule: '* * * * *', suspend: true }), '2026-11-28T09:05:00Z').create, undefined);
    const deleting = cronJob({ schedule: '* * * * *' });
    deleting.metadata.deletionTimestamp = '2026-11-28T09:04:00Z';
    assert.equal(sync(deleting, '2026-11-28T09:05:00Z').create, undefined);
  });

  it('skips a time missed by more than startingDeadlineSeconds', () => {
    const cj = cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 10 }, {}, '2026-11-28T08:30:00Z');
    const late = sync(cj, '2026-11-28T09:00:30Z');
    assert.equal(late.create, undefined, 'the deadline window holds no activation');
    const p = sync(cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, {}, '2026-11-28T08:30:00Z'), '2026-11-28T09:00:30Z');
    assert.ok(p.create);
  });

  it('warns when more than 100 start times were missed', () => {
    const p = sync(cronJob({ schedule: '* * * * *' }, {}, '2026-11-28T06:00:00Z'), '2026-11-28T09:00:30Z');
    assert.equal(p.events[0]?.reason, 'TooManyMissedTimes');
    assert.match(p.events[0]?.message ?? '', /^too many missed start times: 180\. Set or decrease \.spec\.startingDeadlineSeconds or check clock skew$/);
    assert.equal(p.create?.scheduledTime, T('2026-11-28T09:00:00Z'), 'runs the most recent time only');
  });

  it('with Forbid waits while a Job is active; with Replace deletes it first; with Allow runs alongside', () => {
    const running = child('tick-1');
    const status = { active: [{ kind: 'Job', name: 'tick-1', namespace: 'default', uid: 'uid-tick-1', apiVersion: 'batch/v1' }], lastScheduleTime: '2026-11-28T09:00:00Z' };
    const forbid = sync(cronJob({ schedule: '* * * * *', concurrencyPolicy: 'Forbid' }, status), '2026-11-28T09:01:02Z', [running]);
    assert.equal(forbid.create, undefined);
    assert.deepEqual(forbid.events, [{ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' }]);
    assert.equal(forbid.requeueAfterMs, 58_100);
    const replace = sync(cronJob({ schedule: '* * * * *', concurrencyPolicy: 'Replace' }, status), '2026-11-28T09:01:02Z', [running]);
    assert.deepEqual(replace.replace, [running]);
    assert.ok(replace.create);
    const allow = sync(cronJob({ schedule: '* * * * *' }, status), '2026-11-28T09:01:02Z', [running]);
    assert.deepEqual(allow.replace, []);
    assert.ok(allow.create);
  });

  it('drops finished and vanished Jobs from active and tracks the last successful time', () => {
    const status = {
      active: [
        { kind: 'Job', name: 'tick-1', uid: 'uid-tick-1' },
        { kind: 'Job', name: 'tick-2', uid: 'uid-tick-2' },
      ],
      lastScheduleTime: '2026-11-28T09:01:00Z',
    };
    const p = sync(cronJob({ schedule: '0 0 1 1 *' }, status), '2026-11-28T09:01:30Z', [child('tick-1', 'Complete', { completionTime: '2026-11-28T09:01:20Z' }), child('tick-0', 'Complete', { completionTime: '2026-11-28T09:00:20Z' })], ['uid-tick-2']);
    assert.equal(p.status.active, undefined);
    assert.deepEqual(p.events.map((e) => e.message), ['Saw completed job: tick-1, condition: Complete', 'Saw completed job: tick-2']);
    assert.equal(p.status.lastSuccessfulTime, '2026-11-28T09:00:20Z', 'tick-1 counts on the next sync, as upstream');
  });

  it('reports a running Job it does not know', () => {
    const p = sync(cronJob({ schedule: '0 0 1 1 *' }), '2026-11-28T09:01:30Z', [child('stray')]);
    assert.deepEqual(p.events, [{ type: 'Warning', reason: 'UnexpectedJob', message: 'Saw a job that the controller did not create or forgot: stray' }]);
  });

  it('deletes finished Jobs beyond the history limits, oldest first', () => {
    const cj = cronJob({ schedule: '0 0 1 1 *', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
    const jobs = [
      child('a', 'Complete', { startTime: '2026-11-28T09:00:00Z' }),
      child('b', 'Complete', { startTime: '2026-11-28T09:02:00Z' }),
      child('c', 'Complete', { startTime: '2026-11-28T09:01:00Z' }),
      child('f', 'Failed', { startTime: '2026-11-28T09:00:00Z' }),
      child('r'),
    ];
    assert.deepEqual(jobsBeyondHistory(cj, jobs).map((j) => j.metadata.name), ['a', 'c', 'f']);
    assert.deepEqual(sync(cj, '2026-11-28T09:05:00Z', jobs).cleanup.map((j) => j.metadata.name), ['a', 'c', 'f']);
  });

  it('names and stamps Jobs as upstream and formats RFC 1123Z', () => {
    assert.equal(jobNameFor('tick', T('2026-11-28T09:01:00Z')), 'tick-29930941');
    assert.equal(jobFromTemplate(cronJob({ schedule: '* * * * *' }), T('2026-11-28T09:01:00Z')).spec?.template?.spec?.restartPolicy, 'Never');
    assert.equal(rfc1123z(T('2026-11-28T09:01:00Z')), 'Sat, 28 Nov 2026 09:01:00 +0000');
  });
});
