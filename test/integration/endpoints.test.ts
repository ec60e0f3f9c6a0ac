/**
 * Services find their pods: the Endpoints and EndpointSlice controllers
 * follow pod readiness on simulated nodes, resolve named ports per pod,
 * label slices with kubernetes.io/service-name and cap them at 100
 * endpoints; the disruption controller keeps PodDisruptionBudget status.
 * Real server, real `skiff sim`, real kubectl; pods are bound by name so
 * this does not depend on the scheduler.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Slice {
  metadata: { name: string; labels: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  addressType: string;
  endpoints?: { addresses: string[]; conditions: { ready: boolean }; targetRef: { name: string } }[];
  ports?: { name?: string; port: number; protocol: string }[];
}

function podYaml(name: string, node: string, app = 'web', port = 8080): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: ${app}}
spec:
  nodeName: ${node}
  containers:
  - name: c
    image: registry.local/pause:3.10
    ports: [{name: http, containerPort: ${port}}]
---
`;
}

describe('endpoints, endpoint slices and disruption budgets', () => {
  const home = tempDir('skiff-ep-home-');
  let server: SkiffHandle;
  let sim: SimHandle;
  let kubectl: Kubectl;

  before(async () => {
    server = await startSkiff({ extraArgs: ['--disable-scheduler'] });
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 2 });
    kubectl = new Kubectl('1.32', server.kubeconfig, home.path);
  });

  after(async () => {
    await sim?.stop();
    await server?.stop();
    home.remove();
  });

  const slices = async (svc: string): Promise<Slice[]> =>
    (JSON.parse(await kubectl.ok(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`, '-o', 'json'])) as { items: Slice[] }).items;

  it('lists the ready pods of a Service, with named ports resolved per pod, in Endpoints and an EndpointSlice', async () => {
    await kubectl.ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
${podYaml('web-a', 'sim-0')}${podYaml('web-b', 'sim-1')}${podYaml('web-c', 'sim-0', 'web', 9090)}${podYaml('other', 'sim-1', 'other')}`,
    );
    await eventually(
      async () => {
        const out = await kubectl.run(['get', 'endpoints', 'web', '-o', 'jsonpath={range .subsets[*]}{.ports[0].port}={.addresses[*].targetRef.name};{end}']);
        return out.stdout === '8080=web-a web-b;9090=web-c;';
      },
      // The pods first go Running and Ready on the simulated nodes; CI runs this beside the e2e suites.
      60_000,
      'Endpoints with both port groups',
    );
    await eventually(async () => (await slices('web')).flatMap((s) => s.endpoints ?? []).length === 3, 20_000, 'slices with 3 endpoints');
    const got = await slices('web');
    for (const s of got) {
      assert.equal(s.addressType, 'IPv4');
      assert.equal(s.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.deepEqual(s.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['Service', 'web', true]]);
      assert.equal(s.ports?.[0]?.name, 'http');
    }
    assert.deepEqual(got.flatMap((s) => s.ports?.map((p) => p.port) ?? []).sort(), [8080, 9090]);
    assert.ok(got.flatMap((s) => s.endpoints ?? []).every((e) => e.conditions.ready && /^\d+\.\d+\.\d+\.\d+$/.test(e.addresses[0] ?? '')));
  });

  it('drops a deleted pod and keeps a PodDisruptionBudget\'s allowed disruptions current', async () => {
    await kubectl.ok(['apply', '-f', '-'], 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 2\n  selector: {matchLabels: {app: web}}\n');
    await eventually(async () => (await kubectl.run(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}/{.status.currentHealthy}/{.status.expectedPods}'])).stdout === '1/3/3', 20_000, 'pdb 1/3/3');
    await kubectl.ok(['delete', 'pod', 'web-a', '--grace-period=0', '--force']);
    await eventually(
      async () => (await kubectl.run(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].targetRef.name}'])).stdout.split(' ').sort().join(',') === 'web-b,web-c',
      20_000,
      'Endpoints without web-a',
    );
    await eventually(async () => (await kubectl.run(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}/{.status.currentHealthy}'])).stdout === '0/2', 20_000, 'pdb 0/2');
    const table = await kubectl.ok(['get', 'pdb', 'web']);
    assert.match(table, /web\s+2\s+N\/A\s+0\s+/);
  });

  it('never puts more than 100 endpoints in one slice', async () => {
    let yaml = 'apiVersion: v1\nkind: Service\nmetadata: {name: big}\nspec:\n  selector: {app: big}\n  ports: [{port: 80}]\n---\n';
    for (let i = 0; i < 130; i++) yaml += podYaml(`big-${i}`, `sim-${i % 2}`, 'big');
    await kubectl.ok(['apply', '-f', '-'], yaml);
    await eventually(async () => (await slices('big')).flatMap((s) => s.endpoints ?? []).length === 130, 60_000, '130 endpoints');
    const got = await slices('big');
    assert.ok(got.length >= 2);
    assert.ok(got.every((s) => (s.endpoints ?? []).length <= 100), `slice sizes ${got.map((s) => s.endpoints?.length).join(',')}`);
  });

  it('leaves a selector-less Service\'s Endpoints alone and removes a deleted Service\'s', async () => {
    const kube = await kubectl.ok(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.subsets[0].ports[0].port}']);
    assert.equal(kube, String(server.port));
    await kubectl.ok(['delete', 'service', 'web']);
    await eventually(async () => (await kubectl.run(['get', 'endpoints', 'web'])).code !== 0, 20_000, 'Endpoints gone');
    await eventually(async () => (await slices('web')).length === 0, 20_000, 'slices gone');
  });
});
