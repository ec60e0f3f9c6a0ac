import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { ContainerConfig, PodSandboxConfig } from '../cri/runtime.js';
import { FakeRuntime } from '../cri/fake-runtime.js';
import { AgentMetrics } from './agent-metrics.js';
import { MetricsRefresher } from './metrics-refresher.js';

interface Family {
  name: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

async function scrape(m: AgentMetrics): Promise<Map<string, Family>> {
  return new Map(parsePrometheus(await m.registry.metrics()).map((f) => [f.name, f]));
}

const managed = { 'skiff.dev/managed': 'true' };
const sandbox = (name: string, labels: Record<string, string>): PodSandboxConfig => ({ metadata: { name, uid: `uid-${name}`, namespace: 'default', attempt: 0 }, hostname: name, logDirectory: '/tmp', portMappings: [], labels, annotations: {} });
const container = (name: string, labels: Record<string, string>): ContainerConfig => ({ metadata: { name, attempt: 0 }, image: { image: 'localhost/busybox:1.0' }, command: ['sleep', '3600'], args: [], workingDir: '', envs: [], mounts: [], labels, annotations: {}, logPath: `${name}/0.log`, stdin: false, stdinOnce: false, tty: false });

test('counts only Skiff-managed pods and containers, by state, and reports node CPU and memory', async () => {
  const runtime = new FakeRuntime();
  runtime.addImage('localhost/busybox:1.0');
  const sb1 = sandbox('a', managed);
  const id1 = await runtime.runPodSandbox(sb1);
  const running = await runtime.createContainer(id1, container('run', managed), sb1);
  await runtime.startContainer(running);
  await runtime.createContainer(id1, container('made', managed), sb1);
  const other = sandbox('foreign', {});
  await runtime.runPodSandbox(other);
  const metrics = new AgentMetrics({ nodeName: 'n1', defaultMetrics: false });
  const refresher = new MetricsRefresher({
    metrics,
    runtime,
    hostSample: () => ({
      atMs: 0,
      cpu: { usageCoreNanoSeconds: 5e9 },
      memory: { totalBytes: 1000, freeBytes: 300, availableBytes: 500, inactiveFileBytes: 100, anonBytes: 0, pageFaults: 0, majorPageFaults: 0 },
      containers: new Map(),
    }),
    podKeys: () => ['default/a'],
    log: () => undefined,
  });
  await refresher.refresh();
  const f = await scrape(metrics);
  assert.equal(f.get('kubelet_running_pods')?.metrics[0]?.value, '1');
  const states = new Map(f.get('kubelet_running_containers')?.metrics.map((m) => [m.labels?.container_state, m.value]));
  assert.equal(states.get('running'), '1');
  assert.equal(states.get('created'), '1');
  assert.equal(f.get('node_cpu_usage_seconds_total')?.metrics[0]?.value, '5');
  assert.equal(f.get('node_memory_working_set_bytes')?.metrics[0]?.value, '600');
});

test("forgets a pod's restart series once the pod is gone", async () => {
  const metrics = new AgentMetrics({ nodeName: 'n1', defaultMetrics: false });
  let keys = ['default/a', 'default/b'];
  const refresher = new MetricsRefresher({ metrics, runtime: new FakeRuntime(), hostSample: () => undefined, podKeys: () => keys, log: () => undefined });
  metrics.onContainerRestart('default', 'a', 'app');
  metrics.onContainerRestart('default', 'b', 'app');
  await refresher.refresh();
  keys = ['default/b'];
  await refresher.refresh();
  const pods = (await scrape(metrics)).get('kube_pod_container_status_restarts_total')?.metrics.map((m) => m.labels?.pod);
  assert.deepEqual(pods, ['b']);
});
