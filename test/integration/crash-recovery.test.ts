/**
 * Durability under a crash: the server is killed with SIGKILL while 1,000
 * creates are in flight. After a restart every create the server had
 * acknowledged (201) is present — a write is acknowledged only after a
 * durable commit — and the store is consistent enough to keep serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { startSkiff } from '../helpers/skiff.js';
import type { KubeObject } from '../../control-plane/api/meta.js';

const configmaps = { group: '', version: 'v1', resource: 'configmaps', namespace: 'default' };

test('after kill -9 during 1,000 concurrent creates, every acknowledged create survives the restart', async () => {
  const server = await startSkiff({});
  try {
    const creds = credentialsFromKubeconfig(server.kubeconfig);
    const transport = new HttpsTransport(creds, { maxSockets: 64 });
    const client = new ApiClient(transport);
    const acknowledged = new Set<string>();
    let killed = false;
    let killing: Promise<void> = Promise.resolve();
    const payload = 'x'.repeat(512);

    const creates = Array.from({ length: 1000 }, (_, i) => {
      const name = `crash-${i}`;
      return client
        .create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload } })
        .then(() => {
          acknowledged.add(name);
          if (!killed && acknowledged.size >= 300) {
            killed = true;
            killing = server.kill();
          }
        })
        .catch(() => undefined); // in flight when the server died: may or may not be stored
    });
    await Promise.all(creates);
    await killing;
    transport.close();
    assert.ok(killed, 'the server was killed mid-run');
    assert.ok(acknowledged.size >= 300 && acknowledged.size < 1000, `acknowledged ${acknowledged.size} of 1000 before the kill`);

    await server.start();
    const after = new ApiClient(new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig)));
    const list = await after.list(configmaps);
    const present = new Set(list.items.map((c) => c.metadata.name));
    const lost = [...acknowledged].filter((n) => !present.has(n));
    assert.deepEqual(lost, [], 'no acknowledged create is lost');
    // The restarted server keeps accepting writes with higher revisions.
    const fresh: KubeObject = await after.create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-crash' } });
    assert.ok(Number(fresh.metadata.resourceVersion) > Number(list.metadata.resourceVersion));
  } finally {
    await server.stop();
  }
});
