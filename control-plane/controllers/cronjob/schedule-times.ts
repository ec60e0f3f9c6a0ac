/**
 * Which scheduled times a CronJob has missed, as upstream's
 * mostRecentScheduleTime / nextScheduleTime / nextScheduleTimeDuration
 * (pkg/controller/cronjob/utils.go):
 * - the earliest time considered is status.lastScheduleTime, else the
 *   CronJob's creationTimestamp, but never before now −
 *   startingDeadlineSeconds when that is set;
 * - the result is the MOST RECENT unmet time ≤ now (older missed times are
 *   skipped, never run in a burst) and an estimate of how many were
 *   missed (upstream warns TooManyMissedTimes above 100);
 * - a schedule whose consecutive times are under a second apart (e.g.
 *   31 February) is an error;
 * - the requeue delay is the time until the next activation after the
 *   most recent one (or after the earliest time), plus 100 ms against
 *   clock skew.
 * Pure; times are epoch milliseconds.
 */
import type { CronSchedule } from './cron-schedule.js';

export const NEXT_SCHEDULE_DELTA_MS = 100;
export const TOO_MANY_MISSED = 100;

export interface RecentSchedule {
  earliest: number;
  /** The most recent unmet activation ≤ now, if any. */
  mostRecent?: number;
  missed: number;
  error?: string;
}

export function mostRecentScheduleTime(earliest: number, now: number, schedule: CronSchedule): RecentSchedule {
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 0 };
  const t2 = schedule.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 1 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 0, error: 'time difference between two schedules is less than 1 second' };
  const elapsed = Math.floor((now - t1) / 1000);
  const missed = Math.floor(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missed - 2) * between * 1000;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  if (mostRecent === undefined) {
    // An irregular schedule (weekdays only, say) made the estimate overshoot: walk from t1.
    for (let t: number | undefined = t1; t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  }
  return { earliest, mostRecent, missed };
}

export interface ScheduleTimesInput {
  lastScheduleTime?: number;
  creationTime: number;
  startingDeadlineSeconds?: number;
  now: number;
}

/** The unmet activation to act on now (if any), with the missed count and any schedule error. */
export function nextScheduleTime(inp: ScheduleTimesInput, schedule: CronSchedule): RecentSchedule {
  let earliest = inp.lastScheduleTime ?? inp.creationTime;
  if (inp.startingDeadlineSeconds !== undefined) {
    const deadline = inp.now - inp.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  return mostRecentScheduleTime(earliest, inp.now, schedule);
}

/** Milliseconds until the controller should look again, or undefined if the schedule never fires again. */
export function nextScheduleDelayMs(inp: ScheduleTimesInput, schedule: CronSchedule): number | undefined {
  const r = mostRecentScheduleTime(inp.lastScheduleTime ?? inp.creationTime, inp.now, schedule);
  const from = r.error ? inp.now : (r.mostRecent ?? r.earliest);
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - inp.now;
}
