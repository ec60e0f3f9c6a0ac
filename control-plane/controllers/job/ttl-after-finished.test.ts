import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from './job-pods.js';
import { ttlExpiry } from './ttl-after-finished.js';

const job = (ttl: number | undefined, conditions: { type: string; status: string; lastTransitionTime?: string }[], deleting = false): Job => ({
  metadata: { name: 'j', namespace: 'default', ...(deleting ? { deletionTimestamp: '2026-11-28T10:00:00Z' } : {}) },
  spec: { ttlSecondsAfterFinished: ttl },
  status: { conditions },
});

describe('ttl after finished', () => {
  it('expires a finished Job ttl seconds after its Complete or Failed condition turned True', () => {
    assert.equal(ttlExpiry(job(30, [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }])), Date.parse('2026-11-28T10:00:30Z'));
    assert.equal(ttlExpiry(job(0, [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }])), Date.parse('2026-11-28T10:00:00Z'));
  });

  it('never expires a Job without a TTL, an unfinished one, or one already being deleted', () => {
    assert.equal(ttlExpiry(job(undefined, [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }])), undefined);
    assert.equal(ttlExpiry(job(10, [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }])), undefined);
    assert.equal(ttlExpiry(job(10, [{ type: 'Complete', status: 'False', lastTransitionTime: '2026-11-28T10:00:00Z' }])), undefined);
    assert.equal(ttlExpiry(job(10, [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-11-28T10:00:00Z' }], true)), undefined);
  });
});
