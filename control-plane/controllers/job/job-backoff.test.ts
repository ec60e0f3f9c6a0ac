import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../framework/pod-util.js';
import { nextBackoffRecord, NO_BACKOFF, podFinishedTime, remainingBackoffMs } from './job-backoff.js';

const finishedAt = (iso: string, phase = 'Failed'): Pod => ({
  metadata: { name: iso, creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { phase, containerStatuses: [{ state: { terminated: { finishedAt: iso } } }] },
});
const t = (iso: string): number => Date.parse(iso);

describe('job pod-failure backoff', () => {
  it('waits 10 s after the first failure, doubling per failure up to the 10-minute cap', () => {
    const at = t('2026-11-28T10:00:00Z');
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => remainingBackoffMs({ failuresAfterLastSuccess: n, lastFailureTime: at }, at));
    assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
  });

  it('counts the delay from the last failure and reaches zero once it has passed', () => {
    const rec = { failuresAfterLastSuccess: 2, lastFailureTime: t('2026-11-28T10:00:00Z') };
    assert.equal(remainingBackoffMs(rec, t('2026-11-28T10:00:15Z')), 5_000);
    assert.equal(remainingBackoffMs(rec, t('2026-11-28T10:00:21Z')), 0);
    assert.equal(remainingBackoffMs(NO_BACKOFF, 0), 0);
  });

  it('adds new failures and remembers the latest failure time', () => {
    const r = nextBackoffRecord(NO_BACKOFF, [], [finishedAt('2026-11-28T10:00:05Z'), finishedAt('2026-11-28T10:00:02Z')]);
    assert.deepEqual(r, { failuresAfterLastSuccess: 2, lastFailureTime: t('2026-11-28T10:00:05Z') });
    assert.equal(nextBackoffRecord(r, [], []), r);
  });

  it('resets on a success, keeping only failures that finished after it', () => {
    const prev = { failuresAfterLastSuccess: 4, lastFailureTime: t('2026-11-28T09:00:00Z') };
    assert.deepEqual(nextBackoffRecord(prev, [finishedAt('2026-11-28T10:00:00Z', 'Succeeded')], []), { failuresAfterLastSuccess: 0 });
    const r = nextBackoffRecord(prev, [finishedAt('2026-11-28T10:00:00Z', 'Succeeded')], [finishedAt('2026-11-28T09:59:00Z'), finishedAt('2026-11-28T10:01:00Z')]);
    assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: t('2026-11-28T10:01:00Z') });
  });

  it('takes the finish time from containers, then the Ready=False transition, then deletion, then creation', () => {
    assert.equal(podFinishedTime(finishedAt('2026-11-28T10:00:00Z')), t('2026-11-28T10:00:00Z'));
    const notReady: Pod = { metadata: { creationTimestamp: '2026-11-28T08:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-11-28T09:00:00Z' }] } };
    assert.equal(podFinishedTime(notReady), t('2026-11-28T09:00:00Z'));
    assert.equal(podFinishedTime({ metadata: { creationTimestamp: '2026-11-28T08:00:00Z', deletionTimestamp: '2026-11-28T08:30:00Z' } }), t('2026-11-28T08:30:00Z'));
    assert.equal(podFinishedTime({ metadata: { creationTimestamp: '2026-11-28T08:00:00Z' } }), t('2026-11-28T08:00:00Z'));
  });
});
