import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { AgentMetrics, operationType, POD_START_BUCKETS, RUNTIME_OPERATION_BUCKETS } from './agent-metrics.js';

/** parse-prometheus-text-format's output (prom2json's shape). */
interface Sample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

async function scrape(m: AgentMetrics): Promise<Map<string, Family>> {
  const families = parsePrometheus(await m.registry.metrics());
  return new Map(families.map((f) => [f.name, f]));
}

function family(all: Map<string, Family>, name: string): Family {
  const f = all.get(name);
  assert.ok(f, `metric ${name} is exposed`);
  return f;
}

function sample(f: Family, labels: Record<string, string>): Sample {
  const s = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  assert.ok(s, `${f.name} has a sample ${JSON.stringify(labels)}`);
  return s;
}

describe('agent metrics', () => {
  it('maps CRI method names to upstream operation_type labels', () => {
    assert.equal(operationType('RunPodSandbox'), 'run_podsandbox');
    assert.equal(operationType('runPodSandbox'), 'run_podsandbox');
    assert.equal(operationType('/runtime.v1.RuntimeService/ListContainers'), 'list_containers');
    assert.equal(operationType('updateContainerResources'), 'update_container');
    assert.equal(operationType('PortForward'), 'port_forward');
    assert.equal(operationType('SomethingNew'), 'something_new');
  });

  it('uses upstream bucket boundaries', () => {
    assert.equal(POD_START_BUCKETS.length, 25);
    assert.equal(RUNTIME_OPERATION_BUCKETS.length, 14);
    assert.equal(RUNTIME_OPERATION_BUCKETS[0], 0.005);
    assert.equal(RUNTIME_OPERATION_BUCKETS[1], 0.0125);
  });

  it('exposes pod start latency as a histogram with upstream buckets', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.observePodStart(0.7);
    m.observePodStart(2.5);
    m.observePodStart(4000);
    const f = family(await scrape(m), 'kubelet_pod_start_duration_seconds');
    assert.equal(f.type, 'HISTOGRAM');
    const h = f.metrics[0];
    assert.ok(h?.buckets);
    assert.equal(h.count, '3');
    assert.equal(Number(h.sum), 0.7 + 2.5 + 4000);
    assert.equal(h.buckets['0.5'], '0');
    assert.equal(h.buckets['1'], '1');
    assert.equal(h.buckets['3'], '2');
    assert.equal(h.buckets['3600'], '2');
    assert.equal(h.buckets['+Inf'], '3');
  });

  it('counts CRI calls, their durations and their errors by operation type', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.onCriCall('RunPodSandbox', 120);
    m.onCriCall('RunPodSandbox', 80, 'UNAVAILABLE');
    m.onCriCall('ListContainers', 3);
    m.onCriCall('ListContainers', 4, 'OK');
    const all = await scrape(m);
    assert.equal(sample(family(all, 'kubelet_runtime_operations_total'), { operation_type: 'run_podsandbox' }).value, '2');
    assert.equal(sample(family(all, 'kubelet_runtime_operations_total'), { operation_type: 'list_containers' }).value, '2');
    const errors = family(all, 'kubelet_runtime_operations_errors_total');
    assert.equal(errors.type, 'COUNTER');
    assert.equal(sample(errors, { operation_type: 'run_podsandbox' }).value, '1');
    assert.equal(errors.metrics.some((s) => s.labels?.operation_type === 'list_containers'), false);
  });

  it('observes CRI call durations in seconds in upstream buckets', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.onCriCall('RunPodSandbox', 120);
    m.onCriCall('RunPodSandbox', 80, 'UNAVAILABLE');
    m.onCriCall('RunPodSandbox', 2);
    // The parser flattens a labelled histogram's buckets into one sample (and drops its labelled _sum/_count).
    const f = family(await scrape(m), 'kubelet_runtime_operations_duration_seconds');
    assert.equal(f.type, 'HISTOGRAM');
    const b = f.metrics[0]?.buckets;
    assert.ok(b);
    assert.equal(b['0.005'], '1');
    assert.equal(b['0.078125'], '1');
    assert.equal(b['0.1953125'], '3');
    assert.equal(b['+Inf'], '3');
    assert.match(await m.registry.metrics(), /^kubelet_runtime_operations_duration_seconds_sum\{operation_type="run_podsandbox"\} 0\.202$/m);
  });

  it('reports running pods and containers by state', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.setRunning(3, { running: 4, exited: 1 });
    const all = await scrape(m);
    assert.equal(family(all, 'kubelet_running_pods').metrics[0]?.value, '3');
    const c = family(all, 'kubelet_running_containers');
    assert.equal(c.type, 'GAUGE');
    assert.equal(sample(c, { container_state: 'running' }).value, '4');
    assert.equal(sample(c, { container_state: 'exited' }).value, '1');
    assert.equal(sample(c, { container_state: 'created' }).value, '0');
  });

  it('counts container starts, start errors and restarts, and forgets a deleted pod', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    m.onContainerStart('container');
    m.onContainerStart('container');
    m.onContainerStart('init_container', 'CreateContainerError');
    m.onContainerRestart('default', 'web', 'app');
    m.onContainerRestart('default', 'web', 'app');
    m.onProbe('Liveness', 'failed', { namespace: 'default', pod: 'web', podUid: 'u1', container: 'app' });
    let all = await scrape(m);
    assert.equal(sample(family(all, 'kubelet_started_containers_total'), { container_type: 'container' }).value, '2');
    assert.equal(sample(family(all, 'kubelet_started_containers_errors_total'), { container_type: 'init_container', code: 'CreateContainerError' }).value, '1');
    assert.equal(sample(family(all, 'kube_pod_container_status_restarts_total'), { namespace: 'default', pod: 'web', container: 'app' }).value, '2');
    m.forgetPod('default', 'web');
    all = await scrape(m);
    assert.equal(all.get('kube_pod_container_status_restarts_total')?.metrics.length ?? 0, 0);
    assert.equal(all.get('prober_probe_total')?.metrics.length ?? 0, 0);
  });

  it('counts probe results with the container, pod and namespace', async () => {
    const m = new AgentMetrics({ defaultMetrics: false });
    const labels = { namespace: 'ns1', pod: 'p', podUid: 'uid-1', container: 'c' };
    m.onProbe('Readiness', 'successful', labels);
    m.onProbe('Readiness', 'successful', labels);
    m.onProbe('Liveness', 'failed', labels);
    const f = family(await scrape(m), 'prober_probe_total');
    assert.equal(f.type, 'COUNTER');
    assert.equal(sample(f, { probe_type: 'Readiness', result: 'successful', container: 'c', pod: 'p', namespace: 'ns1', pod_uid: 'uid-1' }).value, '2');
    assert.equal(sample(f, { probe_type: 'Liveness', result: 'failed' }).value, '1');
  });

  it('reports node CPU as a counter and memory as a gauge, as /metrics/resource', async () => {
    const m = new AgentMetrics({ defaultMetrics: false, nodeName: 'node-a' });
    m.setNode(12.5, 1048576);
    m.setNode(13.25, 2097152);
    const all = await scrape(m);
    const cpu = family(all, 'node_cpu_usage_seconds_total');
    assert.equal(cpu.type, 'COUNTER');
    assert.equal(cpu.metrics[0]?.value, '13.25');
    assert.equal(family(all, 'node_memory_working_set_bytes').metrics[0]?.value, '2097152');
    assert.equal(sample(family(all, 'kubelet_node_name'), { node: 'node-a' }).value, '1');
  });

  it('includes the process default metrics and keeps registries apart', async () => {
    const a = new AgentMetrics();
    const b = new AgentMetrics();
    a.observePodStart(1);
    const all = await scrape(a);
    assert.ok(all.has('process_cpu_user_seconds_total'));
    assert.ok(all.has('nodejs_heap_size_used_bytes'));
    assert.equal(family(await scrape(b), 'kubelet_pod_start_duration_seconds').metrics[0]?.count, '0');
  });
});
