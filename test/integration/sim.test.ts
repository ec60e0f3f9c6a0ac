/**
 * `skiff sim` against a real `skiff server`, observed with the real kubectl
 * 1.32: nodes register Ready, bound pods run, exit-after completes a pod,
 * graceful deletion finishes, the stopped annotation halts and resumes the
 * heartbeat, and SIGTERM exits 0. Pods are bound with spec.nodeName.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSim, type SimHandle } from '../helpers/sim.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

interface Obj {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

function pod(name: string, node: string, extra: { annotations?: Record<string, string>; restartPolicy?: string } = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: extra.annotations ?? {} },
    spec: {
      nodeName: node,
      restartPolicy: extra.restartPolicy ?? 'Always',
      initContainers: [{ name: 'setup', image: 'busybox:1.36' }],
      containers: [{ name: 'app', image: 'nginx:1.27' }],
    },
  });
}

describe('skiff sim', () => {
  let server: SkiffHandle;
  let sim: SimHandle;
  let home: TempDir;
  let k: Kubectl;

  const getJson = async (args: string[]): Promise<Obj> => JSON.parse(await k.ok([...args, '-o', 'json'])) as Obj;
  const renewTime = async (node: string): Promise<string> => {
    const r = await k.run(['get', 'lease', '-n', 'kube-node-lease', node, '-o', 'jsonpath={.spec.renewTime}']);
    return r.code === 0 ? r.stdout.trim() : '';
  };

  before(async () => {
    server = await startSkiff({});
    home = tempDir('skiff-sim-home-');
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3, cpu: '4', memory: '16Gi', maxPods: 50 });
  });
  after(async () => {
    await sim?.stop();
    await server?.stop();
    home?.remove();
  });

  test('registers every node, Ready, with its capacity, labels and a distinct InternalIP', async () => {
    const out = await k.ok(['get', 'nodes', '--no-headers']);
    const rows = out.trim().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['sim-0', 'Ready'], ['sim-1', 'Ready'], ['sim-2', 'Ready']]);
    const list = JSON.parse(await k.ok(['get', 'nodes', '-o', 'json'])) as { items: Obj[] };
    const ips = new Set<string>();
    for (const n of list.items) {
      const st = n.status as { allocatable: Record<string, string>; capacity: Record<string, string>; conditions: { type: string; status: string; reason: string }[]; addresses: { type: string; address: string }[]; daemonEndpoints: { kubeletEndpoint: { Port: number } } };
      assert.equal(st.allocatable.cpu, '4');
      assert.equal(st.allocatable.memory, '16Gi');
      assert.equal(st.allocatable.pods, '50');
      assert.deepEqual(st.allocatable, st.capacity);
      const ready = st.conditions.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.reason, 'KubeletReady');
      for (const t of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) assert.equal(st.conditions.find((c) => c.type === t)?.status, 'False', t);
      assert.equal(n.metadata.labels?.['kubernetes.io/hostname'], n.metadata.name);
      assert.equal(n.metadata.labels?.['node.kubernetes.io/instance-type'], 'sim');
      assert.equal(st.daemonEndpoints.kubeletEndpoint.Port, 10250);
      const ip = st.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
      assert.match(ip, /^10\.200\.\d+\.\d+$/);
      ips.add(ip);
    }
    assert.equal(ips.size, 3);
  });

  test('a pod bound to sim-1 goes Running and Ready with a pod IP and running containers', async () => {
    await k.ok(['create', '-f', '-'], pod('runner', 'sim-1'));
    await k.ok(['wait', '--for=condition=Ready', 'pod/runner', '--timeout=30s']);
    const p = await getJson(['get', 'pod', 'runner']);
    const st = p.status as {
      phase: string;
      podIP: string;
      hostIP: string;
      containerStatuses: { ready: boolean; started: boolean; restartCount: number; containerID: string; state: { running?: unknown } }[];
      initContainerStatuses: { state: { terminated?: { reason: string } } }[];
      conditions: { type: string; status: string }[];
    };
    assert.equal(st.phase, 'Running');
    assert.match(st.podIP, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(st.hostIP, '10.200.0.2');
    const c = st.containerStatuses[0]!;
    assert.equal(c.ready, true);
    assert.equal(c.started, true);
    assert.equal(c.restartCount, 0);
    assert.match(c.containerID, /^sim:\/\/[0-9a-f]+$/);
    assert.ok(c.state.running);
    assert.equal(st.initContainerStatuses[0]?.state.terminated?.reason, 'Completed');
    for (const t of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
      assert.equal(st.conditions.find((x) => x.type === t)?.status, 'True', t);
    }
  });

  test('exit-after makes a restartPolicy Never pod Succeeded with its container Completed', async () => {
    await k.ok(['create', '-f', '-'], pod('oneshot', 'sim-2', { restartPolicy: 'Never', annotations: { 'sim.skiff.dev/exit-after': '1' } }));
    await k.ok(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/oneshot', '--timeout=30s']);
    const st = (await getJson(['get', 'pod', 'oneshot'])).status as {
      conditions: { type: string; status: string; reason?: string }[];
      containerStatuses: { state: { terminated?: { exitCode: number; reason: string } } }[];
    };
    assert.deepEqual(st.containerStatuses[0]?.state.terminated && { ...st.containerStatuses[0].state.terminated, startedAt: undefined, finishedAt: undefined, containerID: undefined }, {
      exitCode: 0,
      reason: 'Completed',
      startedAt: undefined,
      finishedAt: undefined,
      containerID: undefined,
    });
    const ready = st.conditions.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'PodCompleted');
  });

  test('kubectl delete with a grace period waits until the sim has deleted the pod', async () => {
    await k.ok(['create', '-f', '-'], pod('doomed', 'sim-0'));
    await k.ok(['wait', '--for=condition=Ready', 'pod/doomed', '--timeout=30s']);
    const began = Date.now();
    await k.ok(['delete', 'pod', 'doomed', '--grace-period=2', '--timeout=30s']);
    const took = Date.now() - began;
    assert.ok(took >= 1500, `deleted after ${took} ms, before its grace period`);
    const r = await k.run(['get', 'pod', 'doomed']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound|not found/);
  });

  test('the stopped annotation halts Lease renewals and removing it resumes them', async () => {
    const lease = await getJson(['get', 'lease', '-n', 'kube-node-lease', 'sim-2']);
    assert.equal(lease.spec?.holderIdentity, 'sim-2');
    assert.equal(lease.spec?.leaseDurationSeconds, 40);
    assert.match(String(lease.spec?.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await k.ok(['annotate', 'node', 'sim-2', 'sim.skiff.dev/stopped=true']);
    await new Promise((r) => setTimeout(r, 1000)); // a renewal already in flight may still land
    const frozen = await renewTime('sim-2');
    const other = await renewTime('sim-0');
    await new Promise((r) => setTimeout(r, 11_000));
    assert.equal(await renewTime('sim-2'), frozen, 'a stopped node does not renew its lease');
    assert.notEqual(await renewTime('sim-0'), other, 'the other nodes keep renewing');
    await k.ok(['annotate', 'node', 'sim-2', 'sim.skiff.dev/stopped-']);
    await eventually(async () => (await renewTime('sim-2')) !== frozen, 12_000, 'renewals to resume');
  });

  test('keeps working across a server restart: heartbeats resume and new pods run', async () => {
    await server.restart();
    const before = await renewTime('sim-0');
    await eventually(async () => (await renewTime('sim-0')) > before, 20_000, 'a renewal after the restart');
    await k.ok(['create', '-f', '-'], pod('after-restart', 'sim-2'));
    await k.ok(['wait', '--for=condition=Ready', 'pod/after-restart', '--timeout=30s']);
    assert.equal(sim.exitCode(), null, 'the sim is still running');
  });

  test('SIGTERM stops the sim with exit code 0', async () => {
    await sim.stop();
    assert.equal(sim.exitCode(), 0, sim.logs());
  });

  test('a new sim takes over the existing nodes and adopts their running pods as they are', async () => {
    const before = (await getJson(['get', 'pod', 'runner'])).status as { podIP: string; containerStatuses: { containerID: string }[] };
    const leaseBefore = await renewTime('sim-1');
    sim = await startSim({ kubeconfig: server.kubeconfig, nodes: 3, cpu: '4', memory: '16Gi', maxPods: 50 });
    await eventually(async () => (await renewTime('sim-1')) > leaseBefore, 15_000, 'the new sim to renew sim-1');
    const nodes = await k.ok(['get', 'nodes', '--no-headers']);
    assert.equal(nodes.trim().split('\n').length, 3);
    const after = (await getJson(['get', 'pod', 'runner'])).status as typeof before & { phase: string };
    assert.equal(after.phase, 'Running');
    assert.equal(after.podIP, before.podIP);
    assert.equal(after.containerStatuses[0]?.containerID, before.containerStatuses[0]?.containerID);
  });
});
