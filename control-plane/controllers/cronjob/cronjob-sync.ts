/**
 * One CronJob sync, decided purely (upstream's ControllerV2.syncCronJob and
 * cleanupFinishedJobs, pkg/controller/cronjob):
 * 1. Reconcile status.active with the Jobs it controls: finished ones leave
 *    (SawCompletedJob "Saw completed job: <name>, condition: <type>"),
 *    vanished ones leave (SawCompletedJob "Saw completed job: <name>"),
 *    unknown running ones are reported (UnexpectedJob);
 *    lastSuccessfulTime follows the newest completionTime of Complete Jobs.
 * 2. Unless being deleted, suspended, in an unknown timeZone
 *    (UnknownTimeZone) or unparseable (UnparseableSchedule; a TZ= in the
 *    schedule warns UnsupportedSchedule): find the most recent unmet
 *    schedule time; past startingDeadlineSeconds it is skipped
 *    (MissSchedule); once processed (lastScheduleTime or an active Job of
 *    that name) nothing happens; with concurrencyPolicy Forbid and an
 *    active Job it waits (JobAlreadyActive); with Replace the active Jobs
 *    are deleted first; then the Job `<cronjob>-<minutes since epoch>` is
 *    created with the cronjob-scheduled-timestamp annotation.
 * 3. Requeue at the next schedule time (+100 ms).
 * 4. Finished Jobs beyond successful/failedJobsHistoryLimit are deleted,
 *    oldest start time first.
 * The controller resolves active references missing from its cache with
 * a live read (goneActive) and carries out the plan.
 */
import type { KubeObject } from '../../api/meta.js';
import type { Job, JobStatus } from '../job/job-pods.js';
import { CronParseError, parseCronSchedule, type CronSchedule } from './cron-schedule.js';
import { nextScheduleDelayMs, nextScheduleTime, TOO_MANY_MISSED } from './schedule-times.js';
import { formatRfc3339, isValidTimeZone } from './time-zone.js';
import type { ObjectReference } from '../../api/resources/events.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export type { ObjectReference };

export interface CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export type CronJob = KubeObject & {
  spec?: {
    schedule?: string;
    timeZone?: string | null;
    startingDeadlineSeconds?: number | null;
    concurrencyPolicy?: string;
    suspend?: boolean;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Job['spec'] };
    successfulJobsHistoryLimit?: number | null;
    failedJobsHistoryLimit?: number | null;
  };
  status?: CronJobStatus;
};

export interface CronEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobSyncInput {
  cronJob: CronJob;
  /** Jobs this CronJob controls (by controller reference). */
  jobs: Job[];
  /** UIDs of status.active entries confirmed gone from the apiserver. */
  goneActive: ReadonlySet<string>;
  now: Date;
  /** The zone of a schedule without spec.timeZone (upstream: the controller's local zone). */
  defaultTimeZone?: string;
}

export interface CronJobSyncPlan {
  status: CronJobStatus;
  events: CronEvent[];
  /** Active Jobs to delete first (concurrencyPolicy Replace). */
  replace: Job[];
  /** The Job to create, and its scheduled time. */
  create?: { job: Job; scheduledTime: number };
  /** Finished Jobs beyond the history limits. */
  cleanup: Job[];
  requeueAfterMs?: number;
}

function finishedType(j: Job): string | undefined {
  return j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const tpl = cj.spec?.jobTemplate ?? {};
  const tz = cj.spec?.timeZone || 'UTC';
  const annotations = { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRfc3339(scheduledMs, tz) };
  const labels = { ...(tpl.metadata?.labels ?? {}) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata.name ?? '', scheduledMs),
      namespace: cj.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name ?? '', uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(tpl.spec ?? {}),
  };
}

export function jobRef(j: Job): ObjectReference {
  return { kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion };
}

/** Finished Jobs beyond the history limits, oldest start time first (no start time last, then by name). */
export function jobsBeyondHistory(cj: CronJob, jobs: Job[]): Job[] {
  const byStart = (a: Job, b: Job): number => {
    const sa = (a.status as JobStatus | undefined)?.startTime;
    const sb = (b.status as JobStatus | undefined)?.startTime;
    if (!sa && sb) return 1;
    if (sa && !sb) return -1;
    if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  };
  const out: Job[] = [];
  const limits: [string, number | null | undefined][] = [
    ['Complete', cj.spec?.successfulJobsHistoryLimit],
    ['Failed', cj.spec?.failedJobsHistoryLimit],
  ];
  for (const [type, limit] of limits) {
    if (typeof limit !== 'number') continue;
    const list = jobs.filter((j) => !j.metadata.deletionTimestamp && finishedType(j) === type).sort(byStart);
    out.push(...list.slice(0, Math.max(0, list.length - limit)));
  }
  return out;
}

export function syncCronJob(inp: CronJobSyncInput): CronJobSyncPlan {
  const { cronJob: cj, now } = inp;
  const status: CronJobStatus = structuredClone(cj.status ?? {});
  const plan: CronJobSyncPlan = { status, events: [], replace: [], cleanup: [] };
  const ev = (type: CronEvent['type'], reason: string, message: string): void => void plan.events.push({ type, reason, message });
  let active = status.active ?? [];
  const inActive = (uid: string | undefined): boolean => active.some((r) => r.uid === uid);
  const removeActive = (uid: string | undefined): void => void (active = active.filter((r) => r.uid !== uid));

  const childUids = new Set<string>();
  for (const j of inp.jobs) {
    childUids.add(j.metadata.uid ?? '');
    const found = inActive(j.metadata.uid);
    const fin = finishedType(j);
    if (!found && !fin) ev('Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name ?? ''}`);
    else if (found && fin) {
      removeActive(j.metadata.uid);
      ev('Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name ?? ''}, condition: ${fin}`);
    } else if (fin === 'Complete') {
      const ct = (j.status as JobStatus | undefined)?.completionTime;
      if (ct && (!status.lastSuccessfulTime || Date.parse(ct) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = ct;
    }
  }
  for (const r of [...active]) {
    if (childUids.has(r.uid ?? '') || !inp.goneActive.has(r.uid ?? '')) continue;
    ev('Normal', 'SawCompletedJob', `Saw completed job: ${r.name ?? ''}`);
    removeActive(r.uid);
  }
  const finish = (): CronJobSyncPlan => {
    if (active.length > 0) status.active = active;
    else delete status.active;
    plan.cleanup = jobsBeyondHistory(cj, inp.jobs).filter((j) => !plan.replace.includes(j));
    return plan;
  };

  const spec = cj.spec ?? {};
  if (cj.metadata.deletionTimestamp) return finish();
  const tz = spec.timeZone ?? undefined;
  if (tz !== undefined && tz !== 'UTC' && !isValidTimeZone(tz)) {
    ev('Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
    return finish();
  }
  if (spec.suspend) return finish();

  const raw = spec.schedule ?? '';
  let schedule: CronSchedule;
  try {
    let formatted = raw;
    if (raw.includes('TZ')) {
      ev('Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule ${JSON.stringify(raw)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    } else if (tz !== undefined) formatted = `TZ=${tz} ${raw}`;
    schedule = parseCronSchedule(formatted, inp.defaultTimeZone ?? 'UTC');
  } catch (e) {
    ev('Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(raw)} : ${e instanceof CronParseError ? e.message : String(e)}`);
    return finish();
  }

  const times = {
    lastScheduleTime: status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : undefined,
    creationTime: Date.parse(cj.metadata.creationTimestamp ?? '') || now.getTime(),
    startingDeadlineSeconds: typeof spec.startingDeadlineSeconds === 'number' ? spec.startingDeadlineSeconds : undefined,
    now: now.getTime(),
  };
  const requeue = (lastScheduleTime = times.lastScheduleTime): CronJobSyncPlan => {
    const t = nextScheduleDelayMs({ ...times, lastScheduleTime }, schedule);
    if (t !== undefined) plan.requeueAfterMs = Math.max(0, t);
    return finish();
  };
  const next = nextScheduleTime(times, schedule);
  if (next.missed > TOO_MANY_MISSED) {
    ev('Warning', 'TooManyMissedTimes', `too many missed start times: ${next.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
  }
  if (next.error) {
    ev('Warning', 'InvalidSchedule', `invalid schedule: ${raw} : ${next.error}`);
    return finish();
  }
  const scheduled = next.mostRecent;
  if (scheduled === undefined) return requeue();
  if (times.startingDeadlineSeconds !== undefined && scheduled + times.startingDeadlineSeconds * 1000 < times.now) {
    ev('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return requeue();
  }
  const name = jobNameFor(cj.metadata.name ?? '', scheduled);
  if (active.some((r) => r.name === name) || times.lastScheduleTime === scheduled) return requeue();
  if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
    ev('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return requeue();
  }
  if (spec.concurrencyPolicy === 'Replace') {
    for (const r of active) {
      const j = inp.jobs.find((x) => x.metadata.uid === r.uid);
      if (j) plan.replace.push(j);
    }
  }
  plan.create = { job: jobFromTemplate(cj, scheduled), scheduledTime: scheduled };
  // Once created, the controller sets lastScheduleTime and adds the Job to active; the requeue counts from this time.
  return requeue(scheduled);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
