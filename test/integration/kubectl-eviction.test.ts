/**
 * pods/eviction and PodDisruptionBudgets on a real `skiff server`: the
 * eviction REST rules (429 with upstream's message and causes, 500 for two
 * budgets, budget-free eviction of Pending pods, dry run, policy/v1beta1
 * bodies) and `kubectl drain` with the real kubectl 1.27 and 1.33, where a
 * test stands in for the kubelet by confirming the graceful delete.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { adminCreds, api, type Creds } from './streaming-client.js';

/** The API alone: no scheduler or controllers acting on the objects these tests write by hand. */
const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> };

describe('pods/eviction honours PodDisruptionBudgets', () => {
  let server: SkiffHandle;
  let creds: Creds;
  let home: TempDir;
  let rsUid = '';
  const call = (method: string, path: string, body?: unknown) => api(server.port, creds, method, path, body);

  async function setStatus(path: string, status: Record<string, unknown>): Promise<void> {
    const cur = (await call('GET', path)).body as Obj;
    const r = await call('PUT', `${path}/status`, { ...cur, status: { ...((cur.status as Record<string, unknown>) ?? {}), ...status } });
    assert.equal(r.status, 200, r.text);
  }

  async function runningPod(name: string, labels: Record<string, string>, nodeName = 'node-1'): Promise<void> {
    const r = await call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rsUid, controller: true }] },
      spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert.equal(r.status, 201, r.text);
    await setStatus(`/api/v1/namespaces/default/pods/${name}`, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  }

  async function budget(name: string, app: string, status: Record<string, unknown>): Promise<void> {
    const r = await call('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    });
    assert.equal(r.status, 201, r.text);
    await setStatus(`/apis/policy/v1/namespaces/default/poddisruptionbudgets/${name}`, { observedGeneration: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, ...status });
  }

  const evict = (pod: string, apiVersion = 'policy/v1', extra: Record<string, unknown> = {}, query = '') =>
    call('POST', `/api/v1/namespaces/default/pods/${pod}/eviction${query}`, { apiVersion, kind: 'Eviction', metadata: { name: pod, namespace: 'default' }, ...extra });

  before(async () => {
    home = tempDir('skiff-eviction-home-');
    server = await startSkiff({ extraArgs: API_ONLY });
    creds = adminCreds(server.dataDir);
    assert.equal((await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })).status, 201);
    const rs = await call('POST', '/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    assert.equal(rs.status, 201, rs.text);
    rsUid = String((rs.body as Obj).metadata.uid);
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  test('discovery advertises pods/eviction as policy/v1 Eviction', async () => {
    const r = (await call('GET', '/api/v1')).body as { resources: { name: string; group?: string; version?: string; kind: string }[] };
    const ev = r.resources.find((x) => x.name === 'pods/eviction');
    assert.deepEqual([ev?.group, ev?.version, ev?.kind], ['policy', 'v1', 'Eviction']);
  });

  test('a budget allowing no disruption answers 429 with upstream message and cause, and leaves the pod', async () => {
    await runningPod('a-0', { app: 'a' });
    await budget('a-pdb', 'a', { disruptionsAllowed: 0 });
    const r = await evict('a-0');
    assert.equal(r.status, 429);
    const s = r.body as { message: string; reason: string; details: { causes: { reason: string; message: string }[]; retryAfterSeconds?: number } };
    assert.equal(s.reason, 'TooManyRequests');
    assert.equal(s.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(s.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget a-pdb needs 1 healthy pods and has 2 currently' }]);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods/a-0')).status, 200);
  });

  test('a budget whose status lags its generation answers 429 "still being processed" with retryAfterSeconds 10', async () => {
    await runningPod('b-0', { app: 'b' });
    await budget('b-pdb', 'b', { disruptionsAllowed: 3, observedGeneration: 0 });
    const r = await evict('b-0');
    assert.equal(r.status, 429);
    const s = r.body as { details: { causes: { message: string }[]; retryAfterSeconds: number } };
    assert.equal(s.details.retryAfterSeconds, 10);
    assert.equal(s.details.causes[0]?.message, 'The disruption budget b-pdb is still being processed by the server.');
  });

  test('two matching budgets answer 500 with upstream message', async () => {
    await runningPod('c-0', { app: 'c' });
    await budget('c-pdb-1', 'c', { disruptionsAllowed: 1 });
    await budget('c-pdb-2', 'c', { disruptionsAllowed: 1 });
    const r = await evict('c-0');
    assert.equal(r.status, 500);
    assert.equal((r.body as { message: string }).message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  test('dry run changes neither pod nor budget; a real eviction decrements the budget, records the pod and deletes gracefully', async () => {
    await runningPod('d-0', { app: 'd' });
    await budget('d-pdb', 'd', { disruptionsAllowed: 1 });
    const dry = await evict('d-0', 'policy/v1beta1', {}, '?dryRun=All');
    assert.equal(dry.status, 201, dry.text);
    const pdbPath = '/apis/policy/v1/namespaces/default/poddisruptionbudgets/d-pdb';
    assert.equal(((await call('GET', pdbPath)).body as { status: { disruptionsAllowed: number } }).status.disruptionsAllowed, 1);
    assert.equal(((await call('GET', '/api/v1/namespaces/default/pods/d-0')).body as Obj).metadata.deletionTimestamp, undefined);
    const r = await evict('d-0', 'policy/v1beta1');
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const pdb = (await call('GET', pdbPath)).body as { status: { disruptionsAllowed: number; disruptedPods: Record<string, string> } };
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.match(pdb.status.disruptedPods['d-0'] ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.ok(((await call('GET', '/api/v1/namespaces/default/pods/d-0')).body as Obj).metadata.deletionTimestamp);
  });

  test('a Pending pod is evicted without consulting its budget; a wrong name is 400', async () => {
    const r0 = await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'e-0', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(r0.status, 201);
    const bad = await call('POST', '/api/v1/namespaces/default/pods/e-0/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other' } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /name in URL does not match name in Eviction object/);
    assert.equal((await evict('e-0')).status, 201);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods/e-0')).status, 404);
  });

  for (const version of ['1.27', '1.33']) {
    test(`kubectl ${version}: drain retries on the budget's 429, then evicts once the budget allows it`, async () => {
      const app = `web${version.replace('.', '')}`;
      const pod = `${app}-0`;
      const node = `node-${app}`;
      assert.equal((await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: node } })).status, 201);
      await runningPod(pod, { app }, node);
      await budget(`${app}-pdb`, app, { disruptionsAllowed: 0 });
      const k = new Kubectl(version, server.kubeconfig, home.path);
      const blocked = await k.run(['drain', node, '--timeout=6s']);
      assert.notEqual(blocked.code, 0);
      assert.match(blocked.stdout + blocked.stderr, /node\/node-\S+ cordoned/);
      assert.match(blocked.stderr, new RegExp(`error when evicting pods/"${pod}" -n "default" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.`));

      await setStatus(`/apis/policy/v1/namespaces/default/poddisruptionbudgets/${app}-pdb`, { disruptionsAllowed: 1 });
      const run = k.spawn(['drain', node, '--timeout=30s']);
      const podPath = `/api/v1/namespaces/default/pods/${pod}`;
      // A bound pod is deleted gracefully: it stays, marked, until its kubelet confirms.
      let marked = false;
      for (let i = 0; i < 200 && !marked; i++) {
        marked = Boolean(((await call('GET', podPath)).body as Obj).metadata.deletionTimestamp);
        if (!marked) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(marked, `pod not marked for deletion: ${run.stderr()}`);
      assert.doesNotMatch(run.output(), new RegExp(`pod/${pod} evicted`));
      // The simulated kubelet confirms the pod is gone.
      const confirm = await call('DELETE', podPath, { gracePeriodSeconds: 0 });
      assert.equal(confirm.status, 200, confirm.text);
      const code = await run.exited;
      assert.equal(code, 0, run.stderr());
      assert.match(run.output(), new RegExp(`pod/${pod} evicted`));
      assert.match(run.output(), new RegExp(`node/${node} drained`));
      const pdb = (await call('GET', `/apis/policy/v1/namespaces/default/poddisruptionbudgets/${app}-pdb`)).body as { status: { disruptionsAllowed: number } };
      assert.equal(pdb.status.disruptionsAllowed, 0);
    });
  }
});
