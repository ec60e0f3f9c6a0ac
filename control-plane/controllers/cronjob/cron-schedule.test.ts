import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronParseError, parseCronSchedule, parseGoDuration } from './cron-schedule.js';

const utc = (s: string): number => Date.parse(s);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** The first n activations after `from`. */
function times(schedule: string, from: string, n: number): (string | undefined)[] {
  const s = parseCronSchedule(schedule);
  const out: (string | undefined)[] = [];
  let t: number | undefined = utc(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = s.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('cron schedule parsing and next times', () => {
  it('fires every minute strictly after the given time', () => {
    assert.deepEqual(times('* * * * *', '2026-11-28T10:00:30Z', 2), ['2026-11-28T10:01:00Z', '2026-11-28T10:02:00Z']);
    assert.deepEqual(times('* * * * *', '2026-11-28T10:01:00Z', 1), ['2026-11-28T10:02:00Z']);
  });

  it('understands ranges, steps, lists and n/step as n to the maximum', () => {
    assert.deepEqual(times('*/20 9-10 * * *', '2026-11-28T10:30:00Z', 3), ['2026-11-28T10:40:00Z', '2026-11-29T09:00:00Z', '2026-11-29T09:20:00Z']);
    assert.deepEqual(times('5/20 * * * *', '2026-11-28T10:00:00Z', 3), ['2026-11-28T10:05:00Z', '2026-11-28T10:25:00Z', '2026-11-28T10:45:00Z']);
    assert.deepEqual(times('0 0 1,15 * *', '2026-11-28T00:00:00Z', 2), ['2026-12-01T00:00:00Z', '2026-12-15T00:00:00Z']);
  });

  it('accepts month and weekday names in any case', () => {
    assert.deepEqual(times('0 12 1 feb,JUL *', '2026-11-28T00:00:00Z', 2), ['2027-02-01T12:00:00Z', '2027-07-01T12:00:00Z']);
    // 2026-11-28 is a Saturday.
    assert.deepEqual(times('0 8 * * MON-wed', '2026-11-28T00:00:00Z', 3), ['2026-11-30T08:00:00Z', '2026-12-01T08:00:00Z', '2026-12-02T08:00:00Z']);
  });

  it('ORs day of month and day of week when both are restricted, ANDs when either is a star', () => {
    // The 13th or any Friday: Friday 4 December comes before the 13th.
    assert.deepEqual(times('0 0 13 * FRI', '2026-11-28T00:00:00Z', 2), ['2026-12-04T00:00:00Z', '2026-12-11T00:00:00Z']);
    assert.deepEqual(times('0 0 * * FRI', '2026-11-28T00:00:00Z', 1), ['2026-12-04T00:00:00Z']);
    // ? is a star too.
    assert.deepEqual(times('0 0 ? * 0', '2026-11-28T00:00:00Z', 1), ['2026-11-29T00:00:00Z']);
  });

  it('knows the descriptors', () => {
    const from = '2026-11-28T10:15:00Z';
    assert.deepEqual(times('@hourly', from, 1), ['2026-11-28T11:00:00Z']);
    assert.deepEqual(times('@daily', from, 1), ['2026-11-29T00:00:00Z']);
    assert.deepEqual(times('@midnight', from, 1), ['2026-11-29T00:00:00Z']);
    assert.deepEqual(times('@weekly', from, 1), ['2026-11-29T00:00:00Z']);
    assert.deepEqual(times('@monthly', from, 1), ['2026-12-01T00:00:00Z']);
    assert.deepEqual(times('@yearly', from, 1), ['2027-01-01T00:00:00Z']);
    assert.deepEqual(times('@annually', from, 1), ['2027-01-01T00:00:00Z']);
  });

  it('treats @every as a constant delay in whole seconds, as ParseStandard does', () => {
    const s = parseCronSchedule('@every 1m30s');
    assert.equal(iso(s.next(utc('2026-11-28T10:00:00Z') + 500)), '2026-11-28T10:01:30Z');
    assert.equal(iso(parseCronSchedule('@every 100ms').next(utc('2026-11-28T10:00:00Z'))), '2026-11-28T10:00:01Z');
    assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
    assert.throws(() => parseCronSchedule('@every soon'), /failed to parse duration @every soon/);
  });

  it('returns nothing for a date that never exists', () => {
    assert.deepEqual(times('0 0 30 2 *', '2026-11-28T00:00:00Z', 1), [undefined]);
  });

  it('rejects malformed schedules with the cron library messages', () => {
    const bad: [string, RegExp][] = [
      ['* * * *', /expected exactly 5 fields, found 4: \[\* \* \* \*\]/],
      ['60 * * * *', /end of range \(60\) above maximum \(59\): 60/],
      ['0 0 0 * *', /beginning of range \(0\) below minimum \(1\): 0/],
      ['0 0 * * 7', /end of range \(7\) above maximum \(6\): 7/],
      ['5-1 * * * *', /beginning of range \(5\) beyond end of range \(1\): 5-1/],
      ['1-2-3 * * * *', /too many hyphens: 1-2-3/],
      ['*/0 * * * *', /step of range should be a positive number/],
      ['x * * * *', /failed to parse int from x/],
      ['@fortnightly', /unrecognized descriptor: @fortnightly/],
      ['', /empty spec string/],
      ['TZ=Mars/Base * * * * *', /provided bad location Mars\/Base/],
    ];
    for (const [spec, msg] of bad) assert.throws(() => parseCronSchedule(spec), (e: unknown) => e instanceof CronParseError && msg.test(e.message), spec);
  });

  it('evaluates in the zone of a TZ= prefix or the default zone', () => {
    assert.deepEqual(times('TZ=America/New_York 0 9 * * *', '2026-11-28T00:00:00Z', 1), ['2026-11-28T14:00:00Z']);
    assert.deepEqual(times('CRON_TZ=America/New_York 0 9 * * *', '2026-07-01T00:00:00Z', 1), ['2026-07-01T13:00:00Z']);
    const s = parseCronSchedule('0 9 * * *', 'Asia/Kolkata');
    assert.equal(iso(s.next(utc('2026-11-28T00:00:00Z'))), '2026-11-28T03:30:00Z');
  });

  it('skips a time that spring-forward removes and fires twice in the hour fall-back repeats', () => {
    // New York springs forward on 2026-03-08 at 02:00: 02:30 does not exist that day.
    assert.deepEqual(times('TZ=America/New_York 30 2 * * *', '2026-03-07T08:00:00Z', 2), ['2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']);
    // It falls back on 2026-11-01 at 02:00 EDT: 01:30 happens at 05:30Z and again at 06:30Z.
    assert.deepEqual(times('TZ=America/New_York 30 1 * * *', '2026-11-01T05:00:00Z', 3), [
      '2026-11-01T05:30:00Z',
      '2026-11-01T06:30:00Z',
      '2026-11-02T06:30:00Z',
    ]);
    // Daily midnight stays at local midnight across the change.
    assert.deepEqual(times('TZ=Europe/Berlin 0 0 * * *', '2026-03-28T12:00:00Z', 2), ['2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z']);
  });
});
