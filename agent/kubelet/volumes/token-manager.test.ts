import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectSource } from '../pod-deps.js';
import { TokenManager } from './token-manager.js';

function fakeSource(clock: { t: number }, fail: { on: boolean }) {
  const calls: { audiences: string[]; expirationSeconds: number }[] = [];
  const source: ObjectSource = {
    getConfigMap: async () => undefined,
    getSecret: async () => undefined,
    listServices: async () => [],
    requestServiceAccountToken: async (_ns, _sa, req) => {
      if (fail.on) throw new Error('apiserver down');
      calls.push(req);
      return { token: `tok-${calls.length}`, expirationTimestamp: new Date(clock.t + req.expirationSeconds * 1000).toISOString() };
    },
  };
  return { source, calls };
}

const req = { audiences: [], expirationSeconds: 3600, podName: 'p', podUid: 'u1' };

describe('TokenManager', () => {
  it('serves the cached token until 80% of its lifetime has passed, then rotates it', async () => {
    const clock = { t: Date.parse('2026-11-28T12:00:00Z') };
    const fail = { on: false };
    const { source, calls } = fakeSource(clock, fail);
    const tm = new TokenManager(source, { now: () => new Date(clock.t) }, () => 0);
    assert.equal(await tm.getToken('ns', 'default', req), 'tok-1');
    clock.t += 2879 * 1000;
    assert.equal(await tm.getToken('ns', 'default', req), 'tok-1');
    clock.t += 2 * 1000;
    assert.equal(await tm.getToken('ns', 'default', req), 'tok-2');
    assert.equal(calls.length, 2);
  });

  it('rotates a long-lived token after 24 hours', async () => {
    const clock = { t: Date.parse('2026-11-28T12:00:00Z') };
    const { source } = fakeSource(clock, { on: false });
    const tm = new TokenManager(source, { now: () => new Date(clock.t) }, () => 0);
    const long = { ...req, expirationSeconds: 7 * 24 * 3600 };
    assert.equal(await tm.getToken('ns', 'default', long), 'tok-1');
    clock.t += 23 * 3600 * 1000;
    assert.equal(await tm.getToken('ns', 'default', long), 'tok-1');
    clock.t += 3600 * 1000 + 1000;
    assert.equal(await tm.getToken('ns', 'default', long), 'tok-2');
  });

  it('keeps serving a still-valid token when the refresh fails, and fails once it expired', async () => {
    const clock = { t: Date.parse('2026-11-28T12:00:00Z') };
    const fail = { on: false };
    const { source } = fakeSource(clock, fail);
    const tm = new TokenManager(source, { now: () => new Date(clock.t) }, () => 0);
    await tm.getToken('ns', 'default', req);
    fail.on = true;
    clock.t += 3000 * 1000;
    assert.equal(await tm.getToken('ns', 'default', req), 'tok-1');
    clock.t += 700 * 1000;
    await assert.rejects(tm.getToken('ns', 'default', req), /expired and refresh failed: apiserver down/);
  });

  it('caches per audience set and forgets a deleted pod', async () => {
    const clock = { t: Date.parse('2026-11-28T12:00:00Z') };
    const { source, calls } = fakeSource(clock, { on: false });
    const tm = new TokenManager(source, { now: () => new Date(clock.t) }, () => 0);
    await tm.getToken('ns', 'default', req);
    await tm.getToken('ns', 'default', { ...req, audiences: ['vault'] });
    assert.equal(calls.length, 2);
    tm.deletePod('u1');
    await tm.getToken('ns', 'default', req);
    assert.equal(calls.length, 3);
  });
});

describe('TokenManager with extended-expiration tokens', () => {
  it('rotates on the requested lifetime even when the server reports a one-year expiry', async () => {
    const clock = { t: Date.parse('2026-11-28T12:00:00Z') };
    let n = 0;
    const source: ObjectSource = {
      getConfigMap: async () => undefined,
      getSecret: async () => undefined,
      listServices: async () => [],
      requestServiceAccountToken: async () => ({ token: `tok-${++n}`, expirationTimestamp: new Date(clock.t + 365 * 24 * 3600 * 1000).toISOString() }),
    };
    const tm = new TokenManager(source, { now: () => new Date(clock.t) }, () => 0);
    const req3607 = { audiences: [], expirationSeconds: 3607, podName: 'p', podUid: 'u1' };
    assert.equal(await tm.getToken('ns', 'default', req3607), 'tok-1');
    clock.t += 2800 * 1000;
    assert.equal(await tm.getToken('ns', 'default', req3607), 'tok-1');
    clock.t += 100 * 1000;
    assert.equal(await tm.getToken('ns', 'default', req3607), 'tok-2');
  });
});
