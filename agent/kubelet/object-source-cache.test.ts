import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { cachedObjectSource } from './object-source-cache.js';
import type { ObjectSource } from './pod-deps.js';

function counting() {
  const calls: string[] = [];
  const data = new Map<string, KubeObject>([['ns/cfg', { metadata: { name: 'cfg' }, data: { v: '1' } }]]);
  let fail = false;
  const inner: ObjectSource = {
    getConfigMap: async (ns, name) => {
      calls.push(`cm ${ns}/${name}`);
      if (fail) throw new Error('down');
      return data.get(`${ns}/${name}`);
    },
    getSecret: async (ns, name) => {
      calls.push(`secret ${ns}/${name}`);
      return undefined;
    },
    listServices: async (ns) => {
      calls.push(`svc ${ns}`);
      return [];
    },
    requestServiceAccountToken: async () => {
      calls.push('token');
      return { token: 't', expirationTimestamp: '' };
    },
  };
  return { inner, calls, data, setFail: (f: boolean) => (fail = f) };
}

describe('cachedObjectSource', () => {
  it('serves ConfigMaps and absent Secrets from cache within the TTL and refetches after it', async () => {
    const clock = { t: 0, now() { return new Date(this.t); } };
    const { inner, calls, data } = counting();
    const src = cachedObjectSource(inner, { clock, ttlMs: 5000 });
    await src.getConfigMap('ns', 'cfg');
    await src.getConfigMap('ns', 'cfg');
    assert.equal(await src.getSecret('ns', 'gone'), undefined);
    await src.getSecret('ns', 'gone');
    assert.deepEqual(calls, ['cm ns/cfg', 'secret ns/gone']);
    data.set('ns/cfg', { metadata: { name: 'cfg' }, data: { v: '2' } });
    clock.t += 5000;
    assert.deepEqual((await src.getConfigMap('ns', 'cfg'))?.data, { v: '2' });
    assert.equal(calls.length, 3);
  });

  it('shares one request among concurrent reads and does not cache failures', async () => {
    const clock = { t: 0, now() { return new Date(this.t); } };
    const { inner, calls, setFail } = counting();
    const src = cachedObjectSource(inner, { clock });
    setFail(true);
    await Promise.all([assert.rejects(src.getConfigMap('ns', 'cfg')), assert.rejects(src.getConfigMap('ns', 'cfg'))]);
    assert.equal(calls.length, 1);
    setFail(false);
    assert.ok(await src.getConfigMap('ns', 'cfg'));
    assert.equal(calls.length, 2);
  });

  it('lists Services from a synced informer, and passes TokenRequests through', async () => {
    const { inner, calls } = counting();
    const services: KubeObject[] = [{ metadata: { name: 'a', namespace: 'ns' } }, { metadata: { name: 'b', namespace: 'other' } }];
    const src = cachedObjectSource(inner, { serviceInformer: { values: () => services.values(), hasSynced: Promise.resolve() } });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual((await src.listServices('ns')).map((s) => s.metadata.name), ['a']);
    await src.requestServiceAccountToken('ns', 'sa', { audiences: [], expirationSeconds: 600, podName: 'p', podUid: 'u' });
    await src.requestServiceAccountToken('ns', 'sa', { audiences: [], expirationSeconds: 600, podName: 'p', podUid: 'u' });
    assert.deepEqual(calls, ['token', 'token']);
  });
});
