/**
 * describe, wait, rollout history/undo, delete --wait and dry runs with the
 * real kubectl 1.27 and 1.33 against a real `skiff server`. Status is set
 * through the status subresource, as controllers would.
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
const V = '--validate=false';

function deployment(ns: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: ${image}}]}
`;
}

describe('kubectl describe, wait, rollout and dry run', () => {
  let server: SkiffHandle;
  let creds: Creds;
  let home: TempDir;
  const call = (method: string, path: string, body?: unknown) => api(server.port, creds, method, path, body);

  async function setStatus(path: string, status: Record<string, unknown>): Promise<Obj> {
    const cur = (await call('GET', path)).body as Obj;
    const r = await call('PUT', `${path}/status`, { ...cur, status: { ...((cur.status as Record<string, unknown>) ?? {}), ...status } });
    assert.equal(r.status, 200, r.text);
    return r.body as Obj;
  }

  before(async () => {
    home = tempDir('skiff-describe-home-');
    server = await startSkiff({ extraArgs: API_ONLY });
    creds = adminCreds(server.dataDir);
    assert.equal((await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })).status, 201);
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  for (const version of ['1.27', '1.30', '1.33']) {
    const ns = `dw-${version.replace('.', '-')}`;
    const k = () => new Kubectl(version, server.kubeconfig, home.path);

    test(`kubectl ${version}: describe prints pod, deployment, replicaset, service, node and namespace`, async () => {
      await k().ok(['create', 'namespace', ns]);
      await k().ok(['create', V, '-f', '-'], deployment(ns, 'busybox:1'));
      await k().ok(['create', V, '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec: {nodeName: node-1, containers: [{name: c, image: busybox}]}\n');
      await k().ok(['create', V, '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: p}, ports: [{port: 80}]}\n');
      const rs = `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec: {replicas: 0, selector: {matchLabels: {app: r}}, template: {metadata: {labels: {app: r}}, spec: {containers: [{name: c, image: busybox}]}}}\n`;
      await k().ok(['create', V, '-n', ns, '-f', '-'], rs);
      const checks: [string[], RegExp[]][] = [
        [['pod', 'p'], [/^Name:\s+p$/m, /^Node:\s+node-1/m, /^Containers:/m, /^Events:/m]],
        [['deployment', 'web'], [/^Name:\s+web$/m, /^Selector:\s+app=web/m, /^Pod Template:/m]],
        [['replicaset', 'r'], [/^Name:\s+r$/m, /^Pods Status:/m]],
        [['service', 's'], [/^Name:\s+s$/m, /^Type:\s+ClusterIP/m]],
        [['namespace', ns], [new RegExp(`^Name:\\s+${ns}$`, 'm'), /^Status:\s+Active/m]],
      ];
      for (const [args, patterns] of checks) {
        const out = await k().ok(['describe', '-n', ns, ...args]);
        for (const p of patterns) assert.match(out, p, `describe ${args.join(' ')}:\n${out}`);
      }
      const nodeOut = await k().ok(['describe', 'node', 'node-1']);
      assert.match(nodeOut, /^Name:\s+node-1$/m);
      assert.match(nodeOut, /^Non-terminated Pods:\s+\(\d+ in total\)/m);
      assert.match(nodeOut, new RegExp(`${ns}\\s+p\\s`));
    });

    test(`kubectl ${version}: wait for a condition, a jsonpath value and deletion`, async () => {
      const podPath = `/api/v1/namespaces/${ns}/pods/p`;
      const waitReady = k().spawn(['wait', '-n', ns, '--for=condition=Ready', 'pod/p', '--timeout=20s']);
      await new Promise((r) => setTimeout(r, 500));
      await setStatus(podPath, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
      const code = await waitReady.exited;
      assert.equal(code, 0, waitReady.stderr());
      assert.match(waitReady.output(), /pod\/p condition met/);
      assert.match(await k().ok(['wait', '-n', ns, "--for=jsonpath={.status.phase}=Running", 'pod/p', '--timeout=10s']), /pod\/p condition met/);
      const timedOut = await k().run(['wait', '-n', ns, "--for=jsonpath={.status.phase}=Failed", 'pod/p', '--timeout=1s']);
      assert.notEqual(timedOut.code, 0);
      assert.match(timedOut.stderr, /timed out waiting for the condition on pods\/p/);

      const waitDelete = k().spawn(['wait', '-n', ns, '--for=delete', 'pod/p', '--timeout=20s']);
      await new Promise((r) => setTimeout(r, 500));
      await k().ok(['delete', '-n', ns, 'pod', 'p', '--grace-period=0', '--force']);
      const dcode = await waitDelete.exited;
      assert.equal(dcode, 0, waitDelete.stderr());
    });

    test(`kubectl ${version}: a deployment is not Available until observedGeneration catches up`, async () => {
      const path = `/apis/apps/v1/namespaces/${ns}/deployments/web`;
      const cur = (await call('GET', path)).body as Obj;
      const gen = Number(cur.metadata.generation);
      await setStatus(path, { observedGeneration: gen - 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] });
      const stale = await k().run(['wait', '-n', ns, '--for=condition=Available', 'deploy/web', '--timeout=2s']);
      assert.notEqual(stale.code, 0);
      assert.match(stale.stderr, /timed out waiting for the condition on deployments\/web/);
      await setStatus(path, { observedGeneration: gen });
      assert.match(await k().ok(['wait', '-n', ns, '--for=condition=Available', 'deploy/web', '--timeout=10s']), /deployment.apps\/web condition met/);
    });

    test(`kubectl ${version}: rollout history lists owned ReplicaSets and undo --to-revision restores a template`, async () => {
      const dep = (await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body as Obj;
      const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true };
      for (const [rev, hash, image] of [['1', 'aaa', 'busybox:0'], ['2', 'bbb', 'busybox:1']] as const) {
        const r = await call('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
          apiVersion: 'apps/v1', kind: 'ReplicaSet',
          metadata: { name: `web-${hash}`, labels: { app: 'web', 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': rev, ...(rev === '1' ? { 'kubernetes.io/change-cause': 'first' } : {}) }, ownerReferences: [owner] },
          spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image }] } } },
        });
        assert.equal(r.status, 201, r.text);
      }
      // The deployment controller keeps the current revision on the Deployment (undo replaces its annotations).
      await k().ok(['annotate', '-n', ns, 'deploy/web', 'deployment.kubernetes.io/revision=2']);
      const hist = await k().ok(['rollout', 'history', '-n', ns, 'deploy/web']);
      assert.match(hist, /^REVISION\s+CHANGE-CAUSE$/m);
      assert.match(hist, /^1\s+first$/m);
      assert.match(hist, /^2\s+<none>$/m);
      assert.match(await k().ok(['rollout', 'history', '-n', ns, 'deploy/web', '--revision=1']), /Image:\s+busybox:0/);
      assert.match(await k().ok(['rollout', 'undo', '-n', ns, 'deploy/web', '--to-revision=1']), /deployment.apps\/web rolled back/);
      const after = (await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body as { spec: { template: { spec: { containers: { image: string }[] }; metadata: { labels: Record<string, string> } } } };
      assert.equal(after.spec.template.spec.containers[0]?.image, 'busybox:0');
      assert.equal(after.spec.template.metadata.labels['pod-template-hash'], undefined);
    });

    test(`kubectl ${version}: dry runs store nothing and delete --wait returns once the object is gone`, async () => {
      const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry, namespace: ${ns}}\ndata: {a: "1"}\n`;
      assert.match(await k().ok(['create', '--dry-run=server', '-f', '-'], cm), /configmap\/dry created \(server dry run\)/);
      assert.match(await k().ok(['create', '--dry-run=client', '-f', '-'], cm), /configmap\/dry created \(dry run\)/);
      assert.match(await k().ok(['apply', '--dry-run=server', '-f', '-'], cm), /configmap\/dry created \(server dry run\)/);
      assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps/dry`)).status, 404);
      await k().ok(['create', '-f', '-'], cm);
      assert.match(await k().ok(['delete', '--dry-run=server', '-n', ns, 'configmap', 'dry']), /configmap "dry" deleted \(server dry run\)/);
      assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps/dry`)).status, 200);
      assert.match(await k().ok(['delete', '--wait', '-n', ns, 'configmap', 'dry']), /configmap "dry" deleted/);
      assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps/dry`)).status, 404);
    });
  }
});
