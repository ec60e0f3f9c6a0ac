import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import type { Transport, TransportRequest, TransportResponse } from '../../control-plane/api/client/transport.js';
import { apiObjectSource } from './object-source.js';

/** A transport answering from a table of `METHOD path` → response, recording requests. */
function tableTransport(table: Record<string, { status: number; body: unknown }>) {
  const seen: TransportRequest[] = [];
  const transport: Transport = {
    async request(req): Promise<TransportResponse> {
      seen.push(req);
      const hit = table[`${req.method} ${req.path}`];
      if (!hit) {
        const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' };
        return { status: 404, headers: {}, body: JSON.stringify(body) };
      }
      return { status: hit.status, headers: {}, body: JSON.stringify(hit.body) };
    },
    stream: () => Promise.reject(new Error('no streams')),
    close: () => {},
  };
  return { transport, seen };
}

describe('apiObjectSource', () => {
  it('reads ConfigMaps and Secrets, with a 404 as undefined', async () => {
    const { transport } = tableTransport({
      'GET /api/v1/namespaces/ns/configmaps/cfg': { status: 200, body: { metadata: { name: 'cfg' }, data: { a: '1' } } },
    });
    const src = apiObjectSource(new ApiClient(transport));
    assert.deepEqual((await src.getConfigMap('ns', 'cfg'))?.data, { a: '1' });
    assert.equal(await src.getSecret('ns', 'gone'), undefined);
  });

  it('propagates failures other than 404', async () => {
    const { transport } = tableTransport({
      'GET /api/v1/namespaces/ns/secrets/s': { status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'forbidden' } },
    });
    await assert.rejects(apiObjectSource(new ApiClient(transport)).getSecret('ns', 's'), /forbidden/);
  });

  it('lists a namespace’s Services', async () => {
    const { transport } = tableTransport({
      'GET /api/v1/namespaces/default/services': { status: 200, body: { kind: 'ServiceList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'kubernetes' } }] } },
    });
    const items = await apiObjectSource(new ApiClient(transport)).listServices('default');
    assert.deepEqual(items.map((s) => s.metadata.name), ['kubernetes']);
  });

  it('posts a Pod-bound TokenRequest to serviceaccounts/NAME/token', async () => {
    const { transport, seen } = tableTransport({
      'POST /api/v1/namespaces/ns/serviceaccounts/builder/token': { status: 201, body: { kind: 'TokenRequest', status: { token: 'jwt', expirationTimestamp: '2026-11-28T13:00:00Z' } } },
    });
    const res = await apiObjectSource(new ApiClient(transport)).requestServiceAccountToken('ns', 'builder', { audiences: ['api'], expirationSeconds: 3607, podName: 'p', podUid: 'u1' });
    assert.deepEqual(res, { token: 'jwt', expirationTimestamp: '2026-11-28T13:00:00Z' });
    const body = JSON.parse(String(seen[0]?.body)) as { kind: string; spec: unknown };
    assert.equal(body.kind, 'TokenRequest');
    assert.deepEqual(body.spec, { audiences: ['api'], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u1' } });
  });
});
