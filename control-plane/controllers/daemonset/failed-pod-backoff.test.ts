import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FailedPodBackoff } from './failed-pod-backoff.js';

function clock() {
  let t = Date.parse('2026-11-28T10:00:00Z');
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('FailedPodBackoff', () => {
  it('lets the first deletion through, then doubles the wait up to the maximum', () => {
    const c = clock();
    const b = new FailedPodBackoff(c, 1000, 4000);
    assert.equal(b.remaining('ds/1/node'), 0);
    b.next('ds/1/node');
    assert.equal(b.remaining('ds/1/node'), 1000);
    c.advance(1000);
    assert.equal(b.remaining('ds/1/node'), 0);
    b.next('ds/1/node');
    assert.equal(b.delay('ds/1/node'), 2000);
    b.next('ds/1/node');
    b.next('ds/1/node');
    assert.equal(b.delay('ds/1/node'), 4000);
  });

  it('keeps nodes apart and starts over after a long quiet spell', () => {
    const c = clock();
    const b = new FailedPodBackoff(c, 1000, 4000);
    b.next('a');
    b.next('a');
    assert.equal(b.remaining('b'), 0);
    c.advance(8001);
    b.next('a');
    assert.equal(b.delay('a'), 1000);
  });
});
