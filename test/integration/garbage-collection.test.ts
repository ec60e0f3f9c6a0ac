/**
 * The garbage collector on a real `skiff server` with the real kubectl
 * 1.32: `kubectl delete --cascade=background|foreground|orphan` of an
 * owner with dependents (ConfigMaps owning ConfigMaps, and a ReplicaSet
 * owning the pods its controller created), dependents with several owners, and references whose
 * owner is gone or was replaced by an object with another uid.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const NS = 'gc';
const TIMEOUT_MS = 20_000;

type Meta = { name: string; uid: string; deletionTimestamp?: string; finalizers?: string[]; ownerReferences?: { uid: string; name: string }[] };

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('garbage collection with kubectl 1.32', () => {
  let server: SkiffHandle;
  let home: TempDir;
  let k: Kubectl;

  async function meta(kind: string, name: string): Promise<Meta | undefined> {
    const r = await k.run(['get', kind, name, '-n', NS, '-o', 'json']);
    if (r.code !== 0) {
      assert.match(r.stderr, /NotFound/, r.stderr);
      return undefined;
    }
    return (JSON.parse(r.stdout) as { metadata: Meta }).metadata;
  }

  const gone = (kind: string, name: string) => eventually(`${kind}/${name} to be gone`, async () => ((await meta(kind, name)) ? undefined : true));

  async function configMap(name: string, owners: { name: string; uid: string; block?: boolean }[] = [], finalizers: string[] = []): Promise<string> {
    const ownerReferences = owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.name, uid: o.uid, ...(o.block ? { blockOwnerDeletion: true } : {}) }));
    const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, ownerReferences, finalizers }, data: { k: name } };
    const created = JSON.parse(await k.ok(['create', '-f', '-', '-o', 'json'], JSON.stringify(doc))) as { metadata: Meta };
    return created.metadata.uid;
  }

  before(async () => {
    home = tempDir('skiff-gc-home-');
    server = await startSkiff({ extraArgs: ['--leader-elect=false'] });
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    await k.ok(['create', 'namespace', NS]);
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  test('background: the owner goes at once and its dependents follow', async () => {
    const p = await configMap('bg-parent');
    await configMap('bg-a', [{ name: 'bg-parent', uid: p, block: true }]);
    await configMap('bg-b', [{ name: 'bg-parent', uid: p }]);
    assert.match(await k.ok(['delete', 'configmap', 'bg-parent', '-n', NS, '--cascade=background']), /configmap "bg-parent" deleted/);
    assert.equal(await meta('configmap', 'bg-parent'), undefined);
    await gone('configmap', 'bg-a');
    await gone('configmap', 'bg-b');
  });

  test('foreground: the owner stays with foregroundDeletion until its blocking dependents are gone', async () => {
    const p = await configMap('fg-parent');
    await configMap('fg-held', [{ name: 'fg-parent', uid: p, block: true }], ['example.com/hold']);
    await configMap('fg-free', [{ name: 'fg-parent', uid: p, block: true }]);
    await configMap('fg-grandchild', [{ name: 'fg-free', uid: (await meta('configmap', 'fg-free'))!.uid, block: true }]);
    await k.ok(['delete', 'configmap', 'fg-parent', '-n', NS, '--cascade=foreground', '--wait=false']);
    const parent = (await meta('configmap', 'fg-parent'))!;
    assert.ok(parent.deletionTimestamp, 'the owner is marked for deletion');
    assert.deepEqual(parent.finalizers, ['foregroundDeletion']);
    await gone('configmap', 'fg-grandchild');
    await gone('configmap', 'fg-free');
    const held = await eventually('the held dependent to be deleted', async () => {
      const m = await meta('configmap', 'fg-held');
      return m?.deletionTimestamp ? m : undefined;
    });
    assert.deepEqual(held.finalizers, ['example.com/hold']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual((await meta('configmap', 'fg-parent'))?.finalizers, ['foregroundDeletion'], 'the owner waits for its blocking dependent');
    await k.ok(['patch', 'configmap', 'fg-held', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await gone('configmap', 'fg-held');
    await gone('configmap', 'fg-parent');
  });

  test('orphan: the owner goes and its dependents stay without the reference', async () => {
    const p = await configMap('or-parent');
    await configMap('or-a', [{ name: 'or-parent', uid: p, block: true }]);
    await configMap('or-b', [{ name: 'or-parent', uid: p }]);
    assert.match(await k.ok(['delete', 'configmap', 'or-parent', '-n', NS, '--cascade=orphan']), /configmap "or-parent" deleted/);
    assert.equal(await meta('configmap', 'or-parent'), undefined);
    for (const name of ['or-a', 'or-b']) {
      const m = await meta('configmap', name);
      assert.ok(m, `${name} survives`);
      assert.equal(m.ownerReferences, undefined, `${name} lost its owner reference`);
    }
  });

  test('a dependent with another live owner only loses the dead owner’s reference', async () => {
    const a = await configMap('two-a');
    const b = await configMap('two-b');
    await configMap('two-child', [{ name: 'two-a', uid: a }, { name: 'two-b', uid: b }]);
    await k.ok(['delete', 'configmap', 'two-a', '-n', NS]);
    const child = await eventually('the dead reference to be dropped', async () => {
      const m = await meta('configmap', 'two-child');
      return m && m.ownerReferences?.length === 1 ? m : undefined;
    });
    assert.deepEqual(child.ownerReferences?.map((r) => r.name), ['two-b']);
    await k.ok(['delete', 'configmap', 'two-b', '-n', NS]);
    await gone('configmap', 'two-child');
  });

  test('a dependent whose owner never existed, or was replaced under the same name, is collected', async () => {
    await configMap('ghost-child', [{ name: 'ghost', uid: '00000000-0000-0000-0000-000000000001' }]);
    await configMap('replaced');
    await configMap('stale-child', [{ name: 'replaced', uid: '00000000-0000-0000-0000-000000000002' }]);
    await gone('configmap', 'ghost-child');
    await gone('configmap', 'stale-child');
    assert.ok(await meta('configmap', 'replaced'), 'the live object of that name is untouched');
  });

  test('a batch/v1 Job deleted without a propagation policy orphans its dependents, as upstream’s default', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'legacy', namespace: NS },
      spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    const uid = (JSON.parse(await k.ok(['create', '-f', '-', '-o', 'json'], JSON.stringify(job))) as { metadata: Meta }).metadata.uid;
    const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'job-output', namespace: NS, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'legacy', uid }] } };
    await k.ok(['create', '-f', '-'], JSON.stringify(doc));
    await k.ok(['delete', '--raw', `/apis/batch/v1/namespaces/${NS}/jobs/legacy`]);
    await gone('job', 'legacy');
    const m = await meta('configmap', 'job-output');
    assert.ok(m, 'the dependent survives');
    assert.equal(m.ownerReferences, undefined);
  });

  async function replicaSet(name: string): Promise<{ uid: string; pods: () => Promise<{ metadata: Meta }[]> }> {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: NS },
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    const uid = (JSON.parse(await k.ok(['create', '-f', '-', '-o', 'json'], JSON.stringify(rs))) as { metadata: Meta }).metadata.uid;
    const pods = async () => {
      const out = JSON.parse(await k.ok(['get', 'pods', '-n', NS, '-l', `app=${name}`, '-o', 'json'])) as { items: { metadata: Meta }[] };
      return out.items.filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid));
    };
    await eventually(`the ReplicaSet controller to create ${name}'s pods`, async () => ((await pods()).length === 2 ? true : undefined));
    return { uid, pods };
  }

  test('deleting a ReplicaSet collects the pods its controller created, across API groups', async () => {
    const rs = await replicaSet('web');
    await k.ok(['delete', 'replicaset', 'web', '-n', NS]);
    await eventually('the ReplicaSet’s pods to be collected', async () => ((await rs.pods()).length === 0 ? true : undefined));
  });

  test('kubectl delete replicaset --cascade=orphan leaves its pods without an owner', async () => {
    const rs = await replicaSet('kept');
    const names = (await rs.pods()).map((p) => p.metadata.name).sort();
    await k.ok(['delete', 'replicaset', 'kept', '-n', NS, '--cascade=orphan']);
    const out = JSON.parse(await k.ok(['get', 'pods', '-n', NS, '-l', 'app=kept', '-o', 'json'])) as { items: { metadata: Meta }[] };
    assert.deepEqual(out.items.map((p) => p.metadata.name).sort(), names);
    assert.ok(out.items.every((p) => p.metadata.ownerReferences === undefined));
  });
});
