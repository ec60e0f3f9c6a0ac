import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerConfig, PodSandboxConfig } from '../cri/runtime.js';
import { FakeRuntime } from '../cri/fake-runtime.js';
import { FakeHostProbe } from './fake-host-probe.js';
import { StatsSampler } from './stats-sampler.js';
import { nanoCores, nodeMemory } from './stats-summary.js';

const Gi = 1024 ** 3;
const T0 = Date.parse('2026-11-28T10:00:00Z');
const IMAGE_FS = '/fake/io.containerd.snapshotter.v1.overlayfs';

function clockAt(ms: number): { now(): Date; ms: number } {
  const c = { ms, now: () => new Date(c.ms) };
  return c;
}

function setup() {
  const host = new FakeHostProbe();
  const clock = clockAt(T0);
  const runtime = new FakeRuntime({ clock });
  runtime.addImage('localhost/busybox:1.0', String(3 * Gi));
  const logs: string[] = [];
  const sampler = new StatsSampler({ host, runtime, clock, nodeName: 'n1', dataDir: '/data', log: (m) => logs.push(m) });
  return { host, runtime, clock, sampler, logs };
}

/** Starts a sandbox with these containers running `sleep 3600`; returns name → container ID. */
async function startPod(runtime: FakeRuntime, name: string, containers: string[]): Promise<Map<string, string>> {
  const sandbox: PodSandboxConfig = { metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 }, hostname: name, logDirectory: '', portMappings: [], labels: {}, annotations: {} };
  const sid = await runtime.runPodSandbox(sandbox);
  const ids = new Map<string, string>();
  for (const c of containers) {
    const config: ContainerConfig = {
      metadata: { name: c, attempt: 0 },
      image: { image: 'localhost/busybox:1.0' },
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
    const id = await runtime.createContainer(sid, config, sandbox);
    await runtime.startContainer(id);
    ids.set(c, id);
  }
  return ids;
}

describe('stats summary', () => {
  it('derives node memory as cAdvisor does: working set is usage minus inactive file', () => {
    const m = nodeMemory({ totalBytes: 8 * Gi, freeBytes: 5 * Gi, availableBytes: 6 * Gi, inactiveFileBytes: 1 * Gi, anonBytes: 0, pageFaults: 0, majorPageFaults: 0 });
    assert.deepEqual(m, { usageBytes: 3 * Gi, workingSetBytes: 2 * Gi, availableBytes: 6 * Gi });
  });

  it('computes a CPU rate in nanocores from two cumulative readings', () => {
    assert.equal(nanoCores(1e9, 0, 1.5e9, 10e9), 50_000_000);
    assert.equal(nanoCores(1e9, 5, 1e9, 5), undefined);
    assert.equal(nanoCores(2e9, 0, 1e9, 10e9), undefined);
  });

  it('reports node cpu usageNanoCores only from the second sample on', async () => {
    const { host, clock, sampler } = setup();
    host.cpuReading = { usageCoreNanoSeconds: 100e9 };
    const first = await sampler.summary([]);
    assert.equal(first.node.cpu?.usageCoreNanoSeconds, 100e9);
    assert.equal(first.node.cpu?.usageNanoCores, undefined);
    clock.ms += 10_000;
    host.cpuReading = { usageCoreNanoSeconds: 115e9 };
    await sampler.sample();
    const s = await sampler.summary([]);
    assert.equal(s.node.cpu?.usageNanoCores, 1_500_000_000);
    assert.equal(s.node.cpu?.time, '2026-11-28T10:00:10Z');
  });

  it('fills node memory, fs, imageFs and rlimit from the host and the runtime', async () => {
    const { host, sampler } = setup();
    host.filesystems.set(IMAGE_FS, { capacityBytes: 50 * Gi, availableBytes: 20 * Gi, usedBytes: 30 * Gi, inodes: 1000, inodesFree: 400 });
    host.pidReading = { max: 4096, running: 321 };
    const s = await sampler.summary([]);
    assert.equal(s.node.nodeName, 'n1');
    assert.equal(s.node.startTime, '2026-11-28T00:00:00Z');
    assert.deepEqual(s.node.memory, {
      time: '2026-11-28T10:00:00Z',
      usageBytes: 3 * Gi,
      workingSetBytes: 2 * Gi,
      availableBytes: 6 * Gi,
      rssBytes: 1.5 * Gi,
      pageFaults: 1000,
      majorPageFaults: 10,
    });
    assert.deepEqual(s.node.fs, {
      time: '2026-11-28T10:00:00Z',
      availableBytes: 60 * Gi,
      capacityBytes: 100 * Gi,
      usedBytes: 40 * Gi,
      inodesFree: 5_000_000,
      inodes: 6_000_000,
      inodesUsed: 1_000_000,
    });
    assert.deepEqual(s.node.runtime?.imageFs, {
      time: '2026-11-28T10:00:00Z',
      availableBytes: 20 * Gi,
      capacityBytes: 50 * Gi,
      usedBytes: 3 * Gi,
      inodesFree: 400,
      inodes: 1000,
      inodesUsed: 30,
    });
    assert.deepEqual(s.node.rlimit, { time: '2026-11-28T10:00:00Z', maxpid: 4096, curproc: 321 });
  });

  it('gives each pod its containers’ CRI stats with CPU rates, and the pod the sums', async () => {
    const { runtime, clock, sampler } = setup();
    const ids = await startPod(runtime, 'p1', ['web', 'sidecar']);
    await startPod(runtime, 'p2', ['other']);
    const web = ids.get('web')!;
    const sidecar = ids.get('sidecar')!;
    runtime.setStats(web, { cpuNanos: '1000000000', memoryBytes: '10000000' });
    runtime.setStats(sidecar, { cpuNanos: '2000000000', memoryBytes: '5000000' });
    await sampler.sample();
    clock.ms += 10_000;
    runtime.setStats(web, { cpuNanos: '1500000000', memoryBytes: '12000000' });
    runtime.setStats(sidecar, { cpuNanos: '2100000000', memoryBytes: '6000000' });
    await sampler.sample();
    const pod = { uid: 'uid-p1', namespace: 'default', name: 'p1', startTime: '2026-11-28T09:00:00Z', containers: new Map([...ids, ['init', 'gone']]), logBytes: new Map([['web', 2048]]) };
    const s = await sampler.summary([pod]);
    assert.equal(s.pods.length, 1);
    const p = s.pods[0]!;
    assert.deepEqual(p.podRef, { name: 'p1', namespace: 'default', uid: 'uid-p1' });
    assert.deepEqual(p.containers.map((c) => c.name), ['web', 'sidecar']);
    const w = p.containers[0]!;
    assert.deepEqual(w.cpu, { time: '2026-11-28T10:00:10Z', usageNanoCores: 50_000_000, usageCoreNanoSeconds: 1.5e9 });
    assert.deepEqual(w.memory, { time: '2026-11-28T10:00:10Z', workingSetBytes: 12_000_000 });
    assert.equal(w.rootfs?.usedBytes, 0);
    assert.equal(w.rootfs?.capacityBytes, 100 * Gi);
    assert.equal(w.logs?.usedBytes, 2048);
    assert.equal(w.startTime, '2026-11-28T09:00:00Z');
    assert.deepEqual(p.cpu, { time: '2026-11-28T10:00:10Z', usageNanoCores: 60_000_000, usageCoreNanoSeconds: 3.6e9 });
    assert.deepEqual(p.memory, { time: '2026-11-28T10:00:10Z', workingSetBytes: 18_000_000 });
    assert.equal(p['ephemeral-storage']?.usedBytes, 2048);
  });

  it('leaves out what a failing source cannot give and logs it once', async () => {
    const { host, sampler, logs } = setup();
    host.cpu = () => Promise.reject(new Error('no /proc/stat'));
    await sampler.sample();
    const s = await sampler.summary([]);
    assert.equal(s.node.cpu, undefined);
    assert.ok(s.node.memory);
    await sampler.sample();
    assert.deepEqual(logs, ['stats: cpu: no /proc/stat']);
  });
});
