import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseThresholds, SKIFF_EVICTION_HARD, type PressureCondition } from './eviction-thresholds.js';
import { fakeMachine } from './fake-host-probe.js';
import {
  desiredNodeStatus,
  newNode,
  nodeConditions,
  nodeImages,
  nodeLabels,
  nodeResources,
  reconcileExisting,
  statusChanged,
  type NodeConfig,
  type NodeFacts,
  type NodeHealth,
} from './node-object.js';
import { parseSystemReserved } from './system-reserved.js';

const Gi = 1024 ** 3;
const t0 = new Date('2026-11-28T10:00:00Z');
const t1 = new Date('2026-11-28T10:00:10Z');
const t2 = new Date('2026-11-28T10:00:20Z');

const cfg: NodeConfig = {
  nodeName: 'Node-A',
  nodeIP: '10.0.0.5',
  kubeletPort: 10250,
  maxPods: 110,
  systemReserved: parseSystemReserved('cpu=250m,memory=512Mi'),
  thresholds: parseThresholds(SKIFF_EVICTION_HARD),
};
const facts: NodeFacts = { machine: fakeMachine(), ephemeralStorageBytes: 100 * Gi, containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.33.0+skiff.0.1.0' };
const healthy: NodeHealth = { pressure: new Set(), readyErrors: [] };
const under = (...p: PressureCondition[]): NodeHealth => ({ pressure: new Set(p), readyErrors: [] });

describe('node object', () => {
  it('labels the node with its hostname (lowercased), os and arch, beta labels included', () => {
    assert.deepEqual(nodeLabels(cfg, 'arm64'), {
      'beta.kubernetes.io/arch': 'arm64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'arm64',
      'kubernetes.io/hostname': 'node-a',
      'kubernetes.io/os': 'linux',
    });
    const n = newNode(cfg, desiredNodeStatus(cfg, facts, healthy, t0, undefined), 'amd64');
    assert.equal(n.metadata.name, 'Node-A');
    assert.equal(n.metadata.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
  });

  it('reports capacity from the machine and allocatable minus system-reserved and the hard eviction thresholds', () => {
    const { capacity, allocatable } = nodeResources(cfg, facts);
    assert.deepEqual(capacity, { cpu: '2', 'ephemeral-storage': '100Gi', memory: '8Gi', pods: '110' });
    // 8Gi − 512Mi reserved − 100Mi memory.available = 7580Mi; 100Gi − 10% nodefs.available = 90Gi.
    assert.deepEqual(allocatable, { cpu: '1750m', 'ephemeral-storage': '90Gi', memory: '7580Mi', pods: '110' });
  });

  it('keeps memory in Ki when the byte count is not a whole number of Mi', () => {
    const f = { ...facts, machine: fakeMachine({ memoryTotalBytes: 25276026880 }) };
    const noRes = { ...cfg, systemReserved: {}, thresholds: [] };
    assert.equal(nodeResources(noRes, f).capacity['memory'], '24683620Ki');
    assert.equal(nodeResources(noRes, f).allocatable['memory'], '24683620Ki');
  });

  it('reports huge pages in capacity and takes them out of allocatable memory', () => {
    const f = { ...facts, machine: fakeMachine({ hugePages: [{ pageSizeBytes: 2 * 1024 * 1024, total: 10 }, { pageSizeBytes: Gi, total: 0 }] }) };
    const { capacity, allocatable } = nodeResources(cfg, f);
    assert.equal(capacity['hugepages-2Mi'], '20Mi');
    assert.equal(capacity['hugepages-1Gi'], '0');
    assert.equal(allocatable['memory'], '7560Mi');
  });

  it('never reports negative allocatable', () => {
    const greedy = { ...cfg, systemReserved: parseSystemReserved('cpu=4,memory=64Gi,ephemeral-storage=1Ti') };
    const { allocatable } = nodeResources(greedy, facts);
    assert.equal(allocatable['cpu'], '0');
    assert.equal(allocatable['memory'], '0');
    assert.equal(allocatable['ephemeral-storage'], '0');
  });

  it('reports addresses, the kubelet port and nodeInfo with the runtime and server versions', () => {
    const s = desiredNodeStatus(cfg, facts, healthy, t0, undefined);
    assert.deepEqual(s.addresses, [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'node-a' },
    ]);
    assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(s.nodeInfo, {
      machineID: '0123456789abcdef0123456789abcdef',
      systemUUID: '01234567-89ab-cdef-0123-456789abcdef',
      bootID: 'fb515c80-4c99-417b-9b3b-20b40a2375ab',
      kernelVersion: '6.1.0-test',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.6.20',
      kubeletVersion: 'v1.33.0+skiff.0.1.0',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    });
  });

  it('starts with no pressure and Ready, with the kubelet reasons and messages, Ready last', () => {
    const c = nodeConditions(undefined, healthy, t0);
    assert.deepEqual(
      c.map((x) => [x.type, x.status, x.reason, x.message, x.lastHeartbeatTime, x.lastTransitionTime]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00Z'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00Z'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00Z'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', '2026-11-28T10:00:00Z', '2026-11-28T10:00:00Z'],
      ],
    );
  });

  it('moves heartbeats every report but transition times only when a status changes', () => {
    const c0 = nodeConditions(undefined, healthy, t0);
    const c1 = nodeConditions(c0, under('MemoryPressure', 'PIDPressure'), t1);
    const mem = c1.find((c) => c.type === 'MemoryPressure')!;
    assert.deepEqual([mem.status, mem.reason, mem.message, mem.lastTransitionTime], ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', '2026-11-28T10:00:10Z']);
    const pid = c1.find((c) => c.type === 'PIDPressure')!;
    assert.deepEqual([pid.status, pid.reason, pid.message], ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available']);
    const disk = c1.find((c) => c.type === 'DiskPressure')!;
    assert.deepEqual([disk.status, disk.lastHeartbeatTime, disk.lastTransitionTime], ['False', '2026-11-28T10:00:10Z', '2026-11-28T10:00:00Z']);
    const c2 = nodeConditions(c1, under('DiskPressure'), t2);
    const disk2 = c2.find((c) => c.type === 'DiskPressure')!;
    assert.deepEqual([disk2.status, disk2.reason, disk2.message, disk2.lastTransitionTime], ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure', '2026-11-28T10:00:20Z']);
    assert.equal(c2.find((c) => c.type === 'MemoryPressure')!.reason, 'KubeletHasSufficientMemory');
    assert.equal(c2.find((c) => c.type === 'Ready')!.lastTransitionTime, '2026-11-28T10:00:00Z');
  });

  it('is NotReady with the runtime errors joined by commas, and Ready again with a new transition', () => {
    const errs = ['container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized'];
    const c0 = nodeConditions(undefined, healthy, t0);
    const c1 = nodeConditions(c0, { pressure: new Set(), readyErrors: [...errs, 'container runtime is down'] }, t1);
    const r1 = c1.at(-1)!;
    assert.deepEqual([r1.type, r1.status, r1.reason, r1.lastTransitionTime], ['Ready', 'False', 'KubeletNotReady', '2026-11-28T10:00:10Z']);
    assert.equal(r1.message, `${errs[0]},container runtime is down`);
    const r2 = nodeConditions(c1, healthy, t2).at(-1)!;
    assert.deepEqual([r2.status, r2.reason, r2.lastTransitionTime], ['True', 'KubeletReady', '2026-11-28T10:00:20Z']);
  });

  it('keeps conditions others own and takes over one the lifecycle controller set Unknown', () => {
    const prev = [
      { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'ok', lastTransitionTime: '2026-11-28T09:00:00Z' },
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: '2026-11-28T09:30:00Z' },
      { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
    ];
    const c = nodeConditions(prev, healthy, t1);
    assert.deepEqual(
      c.map((x) => [x.type, x.status, x.reason]),
      [
        ['NetworkUnavailable', 'False', 'RouteCreated'],
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.equal(c.at(-1)!.lastTransitionTime, '2026-11-28T10:00:10Z');
    assert.equal(c[0]!.lastTransitionTime, '2026-11-28T09:00:00Z');
  });

  it('sees no change when only heartbeat times moved, and a change in capacity, conditions or addresses', () => {
    const s0 = desiredNodeStatus(cfg, facts, healthy, t0, undefined);
    const s1 = desiredNodeStatus(cfg, facts, healthy, t1, s0);
    assert.equal(statusChanged(s0, s1), false);
    assert.equal(statusChanged(undefined, s1), true);
    assert.equal(statusChanged(s0, desiredNodeStatus(cfg, { ...facts, ephemeralStorageBytes: 200 * Gi }, healthy, t1, s0)), true);
    assert.equal(statusChanged(s0, desiredNodeStatus(cfg, facts, under('DiskPressure'), t1, s0)), true);
    assert.equal(statusChanged(s0, desiredNodeStatus({ ...cfg, nodeIP: '10.0.0.6' }, facts, healthy, t1, s0)), true);
    // Fields the node does not report (set by others) do not count.
    assert.equal(statusChanged({ ...s0, volumesAttached: [] }, s1), false);
  });

  it('reconciles the default labels and the attach/detach annotation of an existing node', () => {
    const existing = { metadata: { name: 'Node-A', labels: { 'kubernetes.io/hostname': 'node-a', 'kubernetes.io/os': 'linux', custom: 'x' } } };
    assert.deepEqual(reconcileExisting(existing, cfg, 'amd64'), {
      metadata: {
        labels: { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
    });
    const fine = { metadata: { name: 'Node-A', labels: nodeLabels(cfg, 'amd64'), annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } } };
    assert.equal(reconcileExisting(fine, cfg, 'amd64'), undefined);
  });

  it('lists the 50 largest images with at most 5 names each, digests first', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ repoTags: [`localhost/img${i}:1.0`], repoDigests: [`localhost/img${i}@sha256:${i}`], size: String(1000 + i) }));
    many.push({ repoTags: ['a:1', 'a:2', 'a:3', 'a:4', 'a:5'], repoDigests: ['a@sha256:x'], size: '5000' });
    const imgs = nodeImages(many);
    assert.equal(imgs.length, 50);
    assert.deepEqual(imgs[0], { names: ['a@sha256:x', 'a:1', 'a:2', 'a:3', 'a:4'], sizeBytes: 5000 });
    assert.deepEqual(imgs[1], { names: ['localhost/img59@sha256:59', 'localhost/img59:1.0'], sizeBytes: 1059 });
    assert.equal(imgs.at(-1)!.sizeBytes, 1011);
  });
});
