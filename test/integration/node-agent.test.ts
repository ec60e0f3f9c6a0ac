/**
 * The node agent against a real `skiff server` (scheduler off; node IPAM
 * on), with the real Linux host probe and the in-memory CRI runtime,
 * observed with the real kubectl 1.32:
 * - the node registers with this machine's real capacity and allocatable
 *   (minus --system-reserved and the hard eviction thresholds) and goes
 *   Ready; `kubectl get nodes` shows it Ready with the server's version and
 *   `kubectl describe node` its capacity, allocatable and system info;
 * - its Lease in kube-node-lease is owned by the Node and renewed;
 * - podCIDR() resolves with the block node IPAM gave it;
 * - the status is not rewritten while nothing changes;
 * - a runtime whose network is not ready makes the node NotReady with the
 *   kubelet's message, and Ready again when it recovers; a node whose
 *   runtime is down at start registers NotReady and turns Ready later;
 * - the stats summary reports the host's CPU, memory, fs and PIDs and the
 *   runtime's container stats with CPU rates;
 * - a restarted agent takes the existing Node over and restores its labels.
 * Tests run in order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statfsSync } from 'node:fs';
import { cpus } from 'node:os';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { systemClock, type KubeObject } from '../../control-plane/api/meta.js';
import { FakeRuntime } from '../../agent/cri/fake-runtime.js';
import type { ContainerConfig, PodSandboxConfig } from '../../agent/cri/runtime.js';
import { goArch, LinuxHostProbe } from '../../agent/node/host-info.js';
import { fetchServerGitVersion, NodeAgent, type NodeAgentDeps } from '../../agent/node/node-agent.js';
import { LEASES } from '../../agent/node/node-lease.js';
import type { Node } from '../../agent/node/node-object.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const NAME = 'agent-node-1';
const Mi = 1024 * 1024;

function memTotalBytes(): number {
  const m = /^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(m?.[1]) * 1024;
}

/** Quantity text → bytes, for the binary forms the node reports. */
function bytesOf(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(q);
  assert.ok(m, `unexpected quantity ${q}`);
  const mult: Record<string, number> = { '': 1, Ki: 1024, Mi: Mi, Gi: 1024 * Mi, Ti: 1024 * 1024 * Mi };
  return Number(m[1]) * (mult[m[2] ?? ''] ?? 1);
}

describe('node agent', () => {
  let server: SkiffHandle;
  let home: TempDir;
  let data: TempDir;
  let k: Kubectl;
  let transport: HttpsTransport;
  let client: ApiClient;
  let runtime: FakeRuntime;
  let agent: NodeAgent;
  const logs: string[] = [];

  const deps = (): NodeAgentDeps => ({
    client,
    runtime,
    nodeName: NAME,
    nodeIP: '127.0.0.1',
    kubeletPort: 10250,
    systemReserved: 'cpu=250m,memory=512Mi',
    host: new LinuxHostProbe(),
    clock: systemClock,
    log: (m) => logs.push(m),
    dataDir: data.path,
    serverVersion: () => fetchServerGitVersion(transport),
    statusUpdateMs: 500,
    leaseRenewMs: 1000,
  });

  before(async () => {
    server = await startSkiff({ extraArgs: ['--disable-scheduler'] });
    home = tempDir('skiff-kubectl-home-');
    data = tempDir('skiff-node-data-');
    k = new Kubectl('1.32', server.kubeconfig, home.path);
    transport = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig));
    client = new ApiClient(transport);
    runtime = new FakeRuntime();
    runtime.addImage('localhost/pause:1.0', '700000');
    agent = new NodeAgent(deps());
  });

  after(async () => {
    agent?.stop();
    transport?.close();
    await server?.stop();
    home?.remove();
    data?.remove();
  });

  it('registers the node with the real capacity and allocatable, and goes Ready', async () => {
    await agent.start();
    await agent.ready();
    const node = await client.get<Node>({ group: '', version: 'v1', resource: 'nodes' }, NAME);
    const st = node.status!;
    const cores = cpus().length;
    const total = memTotalBytes();
    const fs = statfsSync(data.path);
    assert.equal(st.capacity?.['cpu'], String(cores));
    assert.equal(bytesOf(st.capacity!['memory']!), total);
    assert.equal(bytesOf(st.capacity!['ephemeral-storage']!), fs.blocks * fs.bsize);
    assert.equal(st.capacity?.['pods'], '110');
    assert.equal(st.allocatable?.['cpu'], `${cores * 1000 - 250}m`);
    assert.equal(bytesOf(st.allocatable!['memory']!), total - 512 * Mi - 100 * Mi);
    assert.equal(bytesOf(st.allocatable!['ephemeral-storage']!), fs.blocks * fs.bsize - Math.floor(fs.blocks * fs.bsize * 0.1));
    assert.deepEqual(
      st.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], NAME);
    assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.deepEqual(st.addresses, [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: NAME },
    ]);
    assert.equal(st.nodeInfo?.['bootID'], readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    assert.deepEqual(st.images, [{ names: ['localhost/pause:1.0'], sizeBytes: 700000 }]);
  });

  it('shows Ready in kubectl get nodes with the server version, and capacity and system info in describe', async () => {
    const version = await fetchServerGitVersion(transport);
    const get = await k.ok(['get', 'nodes', NAME, '--no-headers']);
    const cols = get.trim().split(/\s+/);
    assert.equal(cols[0], NAME);
    assert.equal(cols[1], 'Ready');
    assert.equal(cols.at(-1), version);
    const d = await k.ok(['describe', 'node', NAME]);
    assert.match(d, /Capacity:\n\s+cpu:\s+\d+\n\s+ephemeral-storage:\s+\d+Ki\n(\s+hugepages-\S+:\s+\S+\n)*\s+memory:\s+\d+Ki\n\s+pods:\s+110/);
    assert.match(d, /Allocatable:\n\s+cpu:\s+\d+m\n/);
    assert.match(d, new RegExp(`Kubelet Version:\\s+${version.replace(/[.+]/g, '\\$&')}`));
    assert.match(d, /Container Runtime Version:\s+fake:\/\/0\.1\.0/);
    assert.match(d, /Operating System:\s+linux/);
    assert.match(d, new RegExp(`Kernel Version:\\s+${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim().replace(/[.+]/g, '\\$&')}`));
    assert.match(d, /OS Image:\s+\S+/);
    assert.match(d, /Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/);
  });

  it('keeps a Lease owned by the Node and renews it', async () => {
    const node = await client.get<Node>({ group: '', version: 'v1', resource: 'nodes' }, NAME);
    const first = await client.get<KubeObject & { spec: Record<string, unknown> }>(LEASES, NAME);
    assert.equal(first.spec['holderIdentity'], NAME);
    assert.equal(first.spec['leaseDurationSeconds'], 40);
    assert.deepEqual(first.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: NAME, uid: node.metadata.uid }]);
    await eventually(
      async () => (await client.get<KubeObject & { spec: Record<string, unknown> }>(LEASES, NAME)).spec['renewTime'] !== first.spec['renewTime'],
      5000,
      'lease renewal',
    );
  });

  it('resolves podCIDR() with the block node IPAM assigned', async () => {
    const cidr = await agent.podCIDR();
    assert.match(cidr, /^10\.42\.\d+\.0\/24$/);
    const node = await client.get<Node>({ group: '', version: 'v1', resource: 'nodes' }, NAME);
    assert.equal(node.spec?.podCIDR, cidr);
  });

  it('does not rewrite the status while nothing changes', async () => {
    const before = agent.statusWrites;
    await agent.updateStatusNow();
    await agent.updateStatusNow();
    assert.equal(agent.statusWrites, before);
  });

  it('goes NotReady with the runtime network error, and Ready again when it clears', async () => {
    runtime.setCondition('NetworkReady', false, 'NetworkPluginNotReady', 'Network plugin returns error: cni plugin not initialized');
    await agent.updateStatusNow();
    const out = await k.ok(['get', 'node', NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].reason}|{.status.conditions[?(@.type=="Ready")].message}']);
    assert.equal(
      out,
      'False|KubeletNotReady|container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    );
    assert.match((await k.ok(['get', 'nodes', NAME, '--no-headers'])).trim(), /^\S+\s+NotReady\s/);
    runtime.setCondition('NetworkReady', true);
    await agent.updateStatusNow();
    assert.match((await k.ok(['get', 'nodes', NAME, '--no-headers'])).trim(), /^\S+\s+Ready\s/);
  });

  it('registers a second node NotReady while its runtime is down, and makes it Ready when the runtime answers', async () => {
    const rt = new FakeRuntime();
    rt.setAvailable(false);
    let importing = true;
    const other = new NodeAgent({ ...deps(), runtime: rt, nodeName: 'agent-node-2', nodeIP: '127.0.0.2', notReadyReasons: () => (importing ? ['images are being imported'] : []) });
    try {
      await other.start();
      const ready = (): Promise<string> =>
        k.ok(['get', 'node', 'agent-node-2', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}|{.status.nodeInfo.containerRuntimeVersion}']);
      assert.equal(await ready(), 'False|container runtime status check may not have completed yet,images are being imported|');
      rt.setAvailable(true);
      await other.updateStatusNow();
      assert.equal(await ready(), 'False|images are being imported|fake://0.1.0');
      importing = false;
      await other.ready();
      assert.equal(await ready(), 'True|kubelet is posting ready status|fake://0.1.0');
    } finally {
      other.stop();
    }
  });

  it('serves a stats summary of the real host and the runtime\'s container stats', async () => {
    const sandbox: PodSandboxConfig = { metadata: { name: 'web', uid: 'u-1', namespace: 'default', attempt: 0 }, hostname: 'web', logDirectory: '', portMappings: [], labels: {}, annotations: {} };
    const container: ContainerConfig = {
      metadata: { name: 'app', attempt: 0 },
      image: { image: 'localhost/pause:1.0' },
      command: ['sleep', '3600'],
      args: [],
      workingDir: '',
      envs: [],
      mounts: [],
      labels: {},
      annotations: {},
      logPath: '',
      stdin: false,
      stdinOnce: false,
      tty: false,
    };
    const sid = await runtime.runPodSandbox(sandbox);
    const cid = await runtime.createContainer(sid, container, sandbox);
    await runtime.startContainer(cid);
    runtime.setStats(cid, { cpuNanos: '1000000000', memoryBytes: '2097152' });
    await agent.stats.sample();
    await new Promise((r) => setTimeout(r, 300));
    runtime.setStats(cid, { cpuNanos: '1030000000', memoryBytes: '3145728' });
    await agent.stats.sample();
    const s = await agent.stats.summary([{ uid: 'u-1', namespace: 'default', name: 'web', containers: new Map([['app', cid]]) }]);
    assert.equal(s.node.nodeName, NAME);
    const cpu = s.node.cpu!;
    assert.ok(cpu.usageCoreNanoSeconds! > 0 && cpu.usageNanoCores! >= 0 && cpu.usageNanoCores! <= cpus().length * 1e9, JSON.stringify(cpu));
    const mem = s.node.memory!;
    assert.ok(mem.workingSetBytes! > 0 && mem.workingSetBytes! + mem.availableBytes! === memTotalBytes(), JSON.stringify(mem));
    const fs = statfsSync(data.path);
    assert.equal(s.node.fs?.capacityBytes, fs.blocks * fs.bsize);
    const pidMax = Math.min(...['pid_max', 'threads-max'].map((f) => Number(readFileSync(`/proc/sys/kernel/${f}`, 'utf8'))));
    assert.equal(s.node.rlimit?.maxpid, pidMax);
    const pod = s.pods[0]!;
    assert.deepEqual(pod.podRef, { name: 'web', namespace: 'default', uid: 'u-1' });
    const rate = pod.containers[0]!.cpu!.usageNanoCores!;
    // 30 ms of CPU over ~300 ms of wall time: about 0.1 core.
    assert.ok(rate > 50_000_000 && rate < 110_000_000, String(rate));
    assert.equal(pod.memory?.workingSetBytes, 3145728);
  });

  it('takes an existing Node over after a restart and restores its default labels', async () => {
    agent.stop();
    await k.ok(['label', 'node', NAME, '--overwrite', 'kubernetes.io/os-', 'kubernetes.io/arch=wrong', 'team=blue']);
    const uid = (await client.get<Node>({ group: '', version: 'v1', resource: 'nodes' }, NAME)).metadata.uid;
    agent = new NodeAgent(deps());
    await agent.start();
    await agent.ready();
    const node = await client.get<Node>({ group: '', version: 'v1', resource: 'nodes' }, NAME);
    assert.equal(node.metadata.uid, uid);
    assert.equal(node.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(node.metadata.labels?.['kubernetes.io/arch'], goArch(process.arch));
    assert.equal(node.metadata.labels?.['team'], 'blue');
    assert.ok(!logs.some((l) => l.startsWith('unable to register')), logs.join('\n'));
  });
});
