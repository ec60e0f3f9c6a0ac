import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogQueryError, parseLogQuery } from './log-options.js';

const NOW = new Date('2026-11-28T12:00:00Z');
const parse = (q: string) => parseLogQuery(new URLSearchParams(q), NOW);

function fails(q: string, status: number, message: string): void {
  assert.throws(
    () => parse(q),
    (e: unknown) => e instanceof LogQueryError && e.status === status && e.message === message,
  );
}

describe('containerLogs query', () => {
  it('defaults to the whole log, not followed, without timestamps', () => {
    assert.deepEqual(parse(''), { follow: false, previous: false, timestamps: false });
  });

  it('reads booleans as Go strconv.ParseBool', () => {
    assert.deepEqual(parse('follow=true&previous=1&timestamps=T'), { follow: true, previous: true, timestamps: true });
    assert.equal(parse('follow=False').follow, false);
  });

  it('reads tailLines, limitBytes and sinceTime', () => {
    const q = parse('tailLines=5&limitBytes=100&sinceTime=2026-11-28T11:00:00Z');
    assert.equal(q.tailLines, 5);
    assert.equal(q.limitBytes, 100);
    assert.equal(q.sinceTime?.toISOString(), '2026-11-28T11:00:00.000Z');
  });

  it('turns sinceSeconds into a time before now', () => {
    assert.equal(parse('sinceSeconds=90').sinceTime?.toISOString(), '2026-11-28T11:58:30.000Z');
  });

  it('accepts the legacy tail parameter, where all means no limit', () => {
    assert.equal(parse('tail=3').tailLines, 3);
    assert.equal(parse('tail=all&tailLines=7').tailLines, undefined);
  });

  it("answers 400 Unable to decode query for values that do not parse", () => {
    fails('follow=yes', 400, '{"message": "Unable to decode query."}');
    fails('tailLines=x', 400, '{"message": "Unable to decode query."}');
    fails('sinceTime=yesterday', 400, '{"message": "Unable to decode query."}');
  });

  it('answers 422 Invalid request for values that fail validation', () => {
    fails('tailLines=-1', 422, '{"message": "Invalid request."}');
    fails('limitBytes=0', 422, '{"message": "Invalid request."}');
    fails('sinceSeconds=0', 422, '{"message": "Invalid request."}');
    fails('sinceSeconds=5&sinceTime=2026-11-28T11:00:00Z', 422, '{"message": "Invalid request."}');
  });
});
