import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiClient } from '../../api/client/api-client.js';
import type { Transport, TransportStream } from '../../api/client/transport.js';
import type { KubeObject } from '../../api/meta.js';
import { Informer } from './informer.js';

const MANAGED = [{ manager: 'kubelet', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }];

function pod(name: string, rv: string, phase: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: MANAGED }, status: { phase } };
}

/** A server of one list and one watch whose lines the test pushes. */
function fakeTransport(items: KubeObject[]): { transport: Transport; push(type: string, obj: KubeObject): void } {
  let deliver: ((chunk: string) => void) | undefined;
  const pending: string[] = [];
  const transport: Transport = {
    request: async () => ({ status: 200, headers: {}, body: JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '10' }, items }) }),
    stream: async (): Promise<TransportStream> => ({
      status: 200,
      headers: {},
      onData(cb) {
        deliver = cb;
        for (const line of pending.splice(0)) cb(line);
      },
      onEnd: () => undefined,
      close: () => undefined,
    }),
    close: () => undefined,
  };
  return {
    transport,
    push(type, obj) {
      const line = `${JSON.stringify({ type, object: obj })}\n`;
      if (deliver) deliver(line);
      else pending.push(line);
    },
  };
}

describe('Informer', () => {
  it('caches listed and watched objects without their managedFields, and hands handlers the same stripped objects', async () => {
    const fake = fakeTransport([pod('a', '5', 'Pending')]);
    const informer = new Informer(new ApiClient(fake.transport), { group: '', version: 'v1', resource: 'pods' });
    const seen: KubeObject[] = [];
    informer.addHandler({ add: (o) => seen.push(o), update: (_old, o) => seen.push(o) });
    await informer.start();
    assert.equal(informer.getByName('ns', 'a')?.metadata.managedFields, undefined);

    fake.push('MODIFIED', pod('a', '11', 'Running'));
    fake.push('ADDED', pod('b', '12', 'Pending'));
    const deadline = Date.now() + 2000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));

    assert.deepEqual(
      seen.map((o) => [o.metadata.name, o.metadata.resourceVersion, o.metadata.managedFields]),
      [
        ['a', '5', undefined],
        ['a', '11', undefined],
        ['b', '12', undefined],
      ],
    );
    assert.equal((informer.getByName('ns', 'a')?.status as { phase?: string } | undefined)?.phase, 'Running');
    assert.ok(!JSON.stringify(informer.getByName('ns', 'b')).includes('managedFields'), 'a cached copy sent back to the server names no managedFields');
    informer.stop();
  });
});
