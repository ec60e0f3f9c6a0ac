/**
 * Namespace life cycle on a real `skiff server` with simulated nodes and
 * the real kubectl 1.32: every new namespace gets a `default`
 * ServiceAccount (recreated when deleted); `kubectl delete namespace`
 * empties the namespace (ConfigMaps, Secrets, Services, ServiceAccounts,
 * running pods terminated gracefully by their node) and the namespace then
 * goes; content held by a finalizer keeps it Terminating with upstream's
 * deletion conditions until the finalizer is removed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const TIMEOUT_MS = 30_000;

type Condition = { type: string; status: string; reason: string; message: string };
type Ns = { metadata: { uid: string; deletionTimestamp?: string }; spec: { finalizers?: string[] }; status: { phase: string; conditions?: Condition[] } };

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('namespaces with kubectl 1.32', () => {
  let server: SkiffHandle;
  let sim: SimHandle | undefined;
  let home: TempDir;
  let k: Kubectl;

  const getJson = async <T>(args: string[]): Promise<T | undefined> => {
    const r = await k.run([...args, '-o', 'json']);
    if (r.code !== 0) {
      assert.match(r.stderr, /NotFound/, r.stderr);
      return undefined;
    }
    return JSON.parse(r.stdout) as T;
  };

  before(async () => {
    home = tempDir('skiff-ns-home-');
    server = await startSkiff({ extraArgs: ['--leader-elect=false'] });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 2 });
  });

  after(async () => {
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  test('a new namespace gets a default ServiceAccount, recreated when deleted', async () => {
    await k.ok(['create', 'namespace', 'sa-test']);
    const first = await eventually('the default ServiceAccount', () => getJson<{ metadata: { uid: string } }>(['get', 'sa', 'default', '-n', 'sa-test']));
    assert.match(await k.ok(['get', 'sa', 'default', '-n', 'sa-test']), /^default\s+0\s+/m);
    await k.ok(['delete', 'sa', 'default', '-n', 'sa-test']);
    const again = await eventually('the default ServiceAccount to come back', async () => {
      const sa = await getJson<{ metadata: { uid: string } }>(['get', 'sa', 'default', '-n', 'sa-test']);
      return sa && sa.metadata.uid !== first.metadata.uid ? sa : undefined;
    });
    assert.ok(again.metadata.uid);
  });

  test('kubectl delete namespace removes its contents, running pods included, and then the namespace', async () => {
    await k.ok(['create', 'namespace', 'doomed']);
    await k.ok(['create', 'configmap', 'cfg', '-n', 'doomed', '--from-literal=a=b']);
    await k.ok(['create', 'secret', 'generic', 'sec', '-n', 'doomed', '--from-literal=a=b']);
    await k.ok(['create', 'service', 'clusterip', 'svc', '-n', 'doomed', '--tcp=80:80']);
    for (const [i, node] of ['sim-0', 'sim-1'].entries()) {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p${i}`, namespace: 'doomed' },
        spec: { nodeName: node, terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: 'busybox' }] },
      };
      await k.ok(['create', '-f', '-'], JSON.stringify(pod));
    }
    await eventually('the pods to run', async () => {
      const out = await getJson<{ items: { status: { phase?: string } }[] }>(['get', 'pods', '-n', 'doomed']);
      return out && out.items.length === 2 && out.items.every((p) => p.status.phase === 'Running') ? true : undefined;
    });
    await eventually('the default ServiceAccount', () => getJson(['get', 'sa', 'default', '-n', 'doomed']));
    const started = Date.now();
    assert.match(await k.ok(['delete', 'namespace', 'doomed', '--timeout=40s']), /namespace "doomed" deleted/);
    assert.ok(Date.now() - started < 40_000);
    const r = await k.run(['get', 'namespace', 'doomed']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /namespaces "doomed" not found/);
    for (const kind of ['configmaps', 'secrets', 'services', 'pods', 'serviceaccounts']) {
      assert.match(await k.ok(['get', kind, '-n', 'doomed']).catch((e: Error) => e.message), /^$|No resources found/, kind);
    }
  });

  test('content held by a finalizer keeps the namespace Terminating with upstream conditions until released', async () => {
    await k.ok(['create', 'namespace', 'held']);
    await k.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'held', finalizers: ['example.com/hold'] } }));
    await k.ok(['delete', 'namespace', 'held', '--wait=false']);
    const ns = await eventually('the deletion conditions', async () => {
      const n = await getJson<Ns>(['get', 'namespace', 'held']);
      return n?.status.conditions?.some((c) => c.type === 'NamespaceContentRemaining' && c.status === 'True') ? n : undefined;
    });
    assert.equal(ns.status.phase, 'Terminating');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    const byType = new Map((ns.status.conditions ?? []).map((c) => [c.type, c]));
    assert.deepEqual(byType.get('NamespaceContentRemaining'), {
      ...byType.get('NamespaceContentRemaining'),
      status: 'True',
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps. has 1 resource instances',
    });
    assert.deepEqual(byType.get('NamespaceFinalizersRemaining'), {
      ...byType.get('NamespaceFinalizersRemaining'),
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    for (const [type, reason] of [['NamespaceDeletionDiscoveryFailure', 'ResourcesDiscovered'], ['NamespaceDeletionGroupVersionParsingFailure', 'ParsedGroupVersions'], ['NamespaceDeletionContentFailure', 'ContentDeleted']]) {
      assert.equal(byType.get(type!)?.status, 'False', type);
      assert.equal(byType.get(type!)?.reason, reason, type);
    }
    assert.match(await k.ok(['get', 'namespace', 'held']), /^held\s+Terminating\s+/m);
    const create = await k.run(['create', 'configmap', 'late', '-n', 'held']);
    assert.match(create.stderr, /unable to create new content in namespace held because it is being terminated/);
    await k.ok(['patch', 'configmap', 'keep', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually('the namespace to go', async () => ((await getJson(['get', 'namespace', 'held'])) ? undefined : true));
  });

  test('the finalize subresource answers only PUT, and a delete of a terminating namespace changes nothing', async () => {
    await k.ok(['create', 'namespace', 'fin']);
    await k.ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'fin', finalizers: ['example.com/hold'] } }));
    await k.ok(['delete', 'namespace', 'fin', '--wait=false']);
    const before = (await getJson<Ns>(['get', 'namespace', 'fin']))!;
    assert.ok(before.metadata.deletionTimestamp);
    await k.ok(['delete', 'namespace', 'fin', '--wait=false']);
    assert.equal((await getJson<Ns>(['get', 'namespace', 'fin']))?.metadata.deletionTimestamp, before.metadata.deletionTimestamp);
    const post = await k.run(['create', '--raw', '/api/v1/namespaces/fin/finalize', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } }));
    assert.match(post.stderr, /MethodNotAllowed|not allow/i);
    // Releasing the kubernetes finalizer by hand, as operators do, removes the namespace at once.
    await k.ok(['replace', '--raw', '/api/v1/namespaces/fin/finalize', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' }, spec: { finalizers: [] } }));
    assert.equal(await getJson(['get', 'namespace', 'fin']), undefined);
  });
});
