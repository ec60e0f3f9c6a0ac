import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffKey, crashLoopMessage, formatGoDuration, RestartBackoff } from './restart-backoff.js';

const S = 1000;
const MIN = 60 * S;

describe('restart backoff', () => {
  it('lets the first restart happen at once, then waits 10 s doubling up to 5 min', () => {
    const b = new RestartBackoff();
    const key = backoffKey('u1', 'app');
    let t = 1_000_000;
    assert.equal(b.restartDelay(key, t, t), 0);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      // The container crashes right after each restart.
      const finished = t + 1;
      const wait = b.restartDelay(key, finished, finished);
      seen.push(b.get(key));
      assert.ok(wait > 0);
      t = finished + wait;
      assert.equal(b.restartDelay(key, finished, t), 0);
    }
    assert.deepEqual(seen, [10 * S, 20 * S, 40 * S, 80 * S, 160 * S, 300 * S, 300 * S, 300 * S]);
  });

  it('reports the time left in the backoff', () => {
    const b = new RestartBackoff();
    const key = backoffKey('u1', 'app');
    b.restartDelay(key, 0, 0);
    assert.equal(b.restartDelay(key, 1000, 4000), 7000);
    assert.equal(b.isInBackOffSince(key, 1000, 11_000), false);
  });

  it('starts over at 10 s after a container ran for more than 10 minutes', () => {
    const b = new RestartBackoff();
    const key = backoffKey('u1', 'app');
    b.restartDelay(key, 0, 0);
    b.restartDelay(key, 5 * S, 20 * S); // backoff now 20 s, last restart at 20 s
    assert.equal(b.get(key), 20 * S);
    const finished = 20 * S + 10 * MIN + 1;
    assert.equal(b.restartDelay(key, finished, finished), 0);
    assert.equal(b.get(key), 10 * S);
  });

  it('keys containers of different pods apart and forgets a removed pod', () => {
    const b = new RestartBackoff();
    b.restartDelay(backoffKey('u1', 'app'), 0, 0);
    b.restartDelay(backoffKey('u2', 'app'), 0, 0);
    assert.ok(b.restartDelay(backoffKey('u1', 'app'), 1, 1) > 0);
    b.removePod('u1');
    assert.equal(b.restartDelay(backoffKey('u1', 'app'), 2, 2), 0);
    assert.equal(b.size, 2);
    b.gc(20 * MIN);
    assert.equal(b.size, 0);
  });

  it('formats durations as Go does', () => {
    assert.equal(formatGoDuration(10 * S), '10s');
    assert.equal(formatGoDuration(80 * S), '1m20s');
    assert.equal(formatGoDuration(300 * S), '5m0s');
  });

  it('words the CrashLoopBackOff message as upstream', () => {
    assert.equal(
      crashLoopMessage(20 * S, 'app', { name: 'web', namespace: 'default', uid: 'abc' }),
      'back-off 20s restarting failed container=app pod=web_default(abc)',
    );
  });
});
