import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRfc3339, isValidTimeZone, localParts, offsetSecondsAt, zonedTime } from './time-zone.js';

const utc = (s: string): number => Date.parse(s);

describe('time zones', () => {
  it('knows IANA zones and refuses unknown names and empty or Local', () => {
    assert.equal(isValidTimeZone('Europe/Berlin'), true);
    assert.equal(isValidTimeZone('America/New_York'), true);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
    assert.equal(isValidTimeZone(''), false);
    assert.equal(isValidTimeZone('Local'), false);
  });

  it('reads the wall clock and offset in a zone, in winter and in summer', () => {
    const w = localParts(utc('2026-01-15T12:30:00Z'), 'Europe/Berlin');
    assert.deepEqual([w.year, w.month, w.day, w.hour, w.minute, w.offsetSeconds], [2026, 1, 15, 13, 30, 3600]);
    assert.equal(offsetSecondsAt(utc('2026-07-15T12:00:00Z'), 'Europe/Berlin'), 7200);
    assert.equal(offsetSecondsAt(utc('2026-07-15T12:00:00Z'), 'America/New_York'), -4 * 3600);
    assert.equal(offsetSecondsAt(utc('2026-07-15T12:00:00Z'), 'Asia/Kolkata'), 5.5 * 3600);
    assert.equal(localParts(utc('2026-11-29T00:00:00Z'), 'UTC').weekday, 0, '29 Nov 2026 is a Sunday');
  });

  it('turns a wall-clock reading into an instant, normalising overflowing fields', () => {
    assert.equal(zonedTime(2026, 1, 15, 13, 30, 0, 'Europe/Berlin'), utc('2026-01-15T12:30:00Z'));
    assert.equal(zonedTime(2026, 13, 1, 0, 0, 0, 'UTC'), utc('2027-01-01T00:00:00Z'));
    assert.equal(zonedTime(2026, 2, 29, 0, 0, 0, 'UTC'), utc('2026-03-01T00:00:00Z'));
  });

  it('takes a reading skipped by spring-forward with the offset before the jump, and resolves a repeated one', () => {
    // Berlin 2026-03-29 02:30 does not exist (02:00 → 03:00): Go gives 03:30 CEST = 01:30Z.
    assert.equal(zonedTime(2026, 3, 29, 2, 30, 0, 'Europe/Berlin'), utc('2026-03-29T01:30:00Z'));
    // Berlin 2026-10-25 02:30 happens twice; the result is one of the two instants.
    const t = zonedTime(2026, 10, 25, 2, 30, 0, 'Europe/Berlin');
    assert.ok([utc('2026-10-25T00:30:00Z'), utc('2026-10-25T01:30:00Z')].includes(t));
    const l = localParts(t, 'Europe/Berlin');
    assert.deepEqual([l.hour, l.minute], [2, 30]);
  });

  it('formats RFC 3339 in the zone, with Z for a zero offset', () => {
    assert.equal(formatRfc3339(utc('2026-11-28T10:00:00Z'), 'UTC'), '2026-11-28T10:00:00Z');
    assert.equal(formatRfc3339(utc('2026-11-28T10:00:00Z'), 'Europe/Berlin'), '2026-11-28T11:00:00+01:00');
    assert.equal(formatRfc3339(utc('2026-11-28T10:00:00Z'), 'America/New_York'), '2026-11-28T05:00:00-05:00');
    assert.equal(formatRfc3339(utc('2026-01-10T10:00:00Z'), 'Europe/London'), '2026-01-10T10:00:00Z');
  });
});
