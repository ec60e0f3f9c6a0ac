/**
 * The other real client, @kubernetes/client-node: it lists pods, then
 * watches from the list's resourceVersion, and sees every change another
 * client makes — every create, update and delete, in order, none missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { eventually } from '../helpers/kubectl.js';

/** The API alone: no scheduler or controllers acting on the objects these tests write by hand. */
const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

let server: SkiffHandle;
before(async () => {
  server = await startSkiff({ extraArgs: API_ONLY });
});
after(async () => {
  await server?.stop();
});

test('client-node lists, then watches pods and sees every change from another client in order', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);

  const other = new ApiClient(new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig)));
  const pods = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };
  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { suite: 'watch' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
  });
  await other.create(pods, pod('before-list'));

  const list = await core.listNamespacedPod({ namespace: 'default' });
  assert.deepEqual(list.items.map((p) => p.metadata?.name), ['before-list']);
  const listRv = list.metadata?.resourceVersion;
  assert.ok(listRv && /^\d+$/.test(listRv), 'the list carries a numeric resourceVersion');

  const seen: { type: string; name: string; rv: number }[] = [];
  const watch = new Watch(kc);
  const controller = await watch.watch(
    '/api/v1/namespaces/default/pods',
    { resourceVersion: listRv, allowWatchBookmarks: true },
    (type, obj: { metadata: { name: string; resourceVersion: string } }) => {
      if (type === 'BOOKMARK') return;
      seen.push({ type, name: obj.metadata.name, rv: Number(obj.metadata.resourceVersion) });
    },
    () => undefined,
  );

  const expected: { type: string; name: string }[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const name = `p-${i}`;
      await other.create(pods, pod(name));
      expected.push({ type: 'ADDED', name });
      await other.patch(pods, name, { metadata: { labels: { step: String(i) } } });
      expected.push({ type: 'MODIFIED', name });
      if (i % 2 === 0) {
        await other.delete(pods, name);
        expected.push({ type: 'DELETED', name });
      }
    }
    await eventually(() => seen.length >= expected.length, 15_000, 'all watch events');
    assert.deepEqual(seen.map(({ type, name }) => ({ type, name })), expected);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]!.rv > seen[i - 1]!.rv, 'resourceVersions strictly increase along the stream');
    }
    assert.ok(seen[0]!.rv > Number(listRv), 'the watch starts after the list');
  } finally {
    controller.abort();
  }
});
