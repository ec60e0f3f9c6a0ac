/**
 * The agent's Prometheus metrics, under upstream's names so dashboards and
 * alerts written for a kubelet read them unchanged:
 *
 * - kubelet_pod_start_duration_seconds: pod first seen → running
 *   (histogram, upstream's buckets 0.5 s … 1 h);
 * - kubelet_runtime_operations_total / _duration_seconds / _errors_total
 *   by operation_type (CRI calls, upstream's snake_case operation names,
 *   duration buckets ExponentialBuckets(.005, 2.5, 14));
 * - kubelet_running_pods, kubelet_running_containers{container_state};
 * - kubelet_started_containers_total{container_type} and
 *   kubelet_started_containers_errors_total{container_type,code};
 *   restarts as kube-state-metrics names them,
 *   kube_pod_container_status_restarts_total{namespace,pod,container};
 * - prober_probe_total{probe_type,result,container,pod,namespace,pod_uid};
 * - node_cpu_usage_seconds_total (counter) and node_memory_working_set_bytes
 *   as the kubelet's /metrics/resource;
 * - kubelet_node_name{node} = 1, and the process default metrics.
 *
 * The class owns its Registry (no global registry), so several agents or
 * tests in one process never collide.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Upstream's podStartupDurationBuckets. */
export const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

/** metrics.ExponentialBuckets(.005, 2.5, 14). */
export const RUNTIME_OPERATION_BUCKETS = Array.from({ length: 14 }, (_, i) => Number((0.005 * 2.5 ** i).toPrecision(12)));

/** CRI method → upstream's operation_type label (pkg/kubelet/cri/remote instrumented service). */
const OPERATION_TYPES: Record<string, string> = {
  version: 'version',
  status: 'status',
  runpodsandbox: 'run_podsandbox',
  stoppodsandbox: 'stop_podsandbox',
  removepodsandbox: 'remove_podsandbox',
  podsandboxstatus: 'podsandbox_status',
  listpodsandbox: 'list_podsandbox',
  createcontainer: 'create_container',
  startcontainer: 'start_container',
  stopcontainer: 'stop_container',
  removecontainer: 'remove_container',
  listcontainers: 'list_containers',
  containerstatus: 'container_status',
  updatecontainerresources: 'update_container',
  reopencontainerlog: 'reopen_container_log',
  execsync: 'exec_sync',
  exec: 'exec',
  attach: 'attach',
  portforward: 'port_forward',
  listcontainerstats: 'list_container_stats',
  containerstats: 'container_stats',
  listpodsandboxstats: 'list_podsandbox_stats',
  listimages: 'list_images',
  imagestatus: 'image_status',
  pullimage: 'pull_image',
  removeimage: 'remove_image',
  imagefsinfo: 'image_fs_info',
};

/** The operation_type of a CRI method name in any case (`RunPodSandbox`, `runPodSandbox`, `/runtime.v1.RuntimeService/RunPodSandbox`). */
export function operationType(method: string): string {
  const base = method.slice(method.lastIndexOf('/') + 1);
  const known = OPERATION_TYPES[base.toLowerCase()];
  if (known) return known;
  return base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';
export type ProbeResult = 'successful' | 'failed' | 'unknown';
export type ContainerType = 'container' | 'init_container' | 'ephemeral_container';

export class AgentMetrics {
  readonly registry = new Registry();
  private readonly podStart: Histogram;
  private readonly runtimeOps: Counter<'operation_type'>;
  private readonly runtimeDuration: Histogram<'operation_type'>;
  private readonly runtimeErrors: Counter<'operation_type'>;
  private readonly runningPods: Gauge;
  private readonly runningContainers: Gauge<'container_state'>;
  private readonly started: Counter<'container_type'>;
  private readonly startErrors: Counter<'container_type' | 'code'>;
  private readonly restarts: Counter<'namespace' | 'pod' | 'container'>;
  private readonly probes: Counter<'probe_type' | 'result' | 'container' | 'pod' | 'namespace' | 'pod_uid'>;
  private readonly nodeMemory: Gauge;
  private nodeCpuSeconds = 0;
  private readonly restartSeries = new Map<string, Set<string>>();
  private readonly probeSeries = new Map<string, Map<string, Record<'probe_type' | 'result' | 'container' | 'pod' | 'namespace' | 'pod_uid', string>>>();

  constructor(opts: { nodeName?: string; defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.podStart = new Histogram({ name: 'kubelet_pod_start_duration_seconds', help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run', buckets: POD_START_BUCKETS, registers });
    this.runtimeOps = new Counter({ name: 'kubelet_runtime_operations_total', help: 'Cumulative number of runtime operations by operation type.', labelNames: ['operation_type'], registers });
    this.runtimeDuration = new Histogram({ name: 'kubelet_runtime_operations_duration_seconds', help: 'Duration in seconds of runtime operations. Broken down by operation type.', labelNames: ['operation_type'], buckets: RUNTIME_OPERATION_BUCKETS, registers });
    this.runtimeErrors = new Counter({ name: 'kubelet_runtime_operations_errors_total', help: 'Cumulative number of runtime operation errors by operation type.', labelNames: ['operation_type'], registers });
    this.runningPods = new Gauge({ name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox', registers });
    this.runningContainers = new Gauge({ name: 'kubelet_running_containers', help: 'Number of containers currently running', labelNames: ['container_state'], registers });
    this.started = new Counter({ name: 'kubelet_started_containers_total', help: 'Cumulative number of containers started', labelNames: ['container_type'], registers });
    this.startErrors = new Counter({ name: 'kubelet_started_containers_errors_total', help: 'Cumulative number of errors when starting containers', labelNames: ['container_type', 'code'], registers });
    this.restarts = new Counter({ name: 'kube_pod_container_status_restarts_total', help: 'The number of container restarts per container.', labelNames: ['namespace', 'pod', 'container'], registers });
    this.probes = new Counter({ name: 'prober_probe_total', help: 'Cumulative number of a liveness, readiness or startup probe for a container by result.', labelNames: ['probe_type', 'result', 'container', 'pod', 'namespace', 'pod_uid'], registers });
    const nodeCpu = () => this.nodeCpuSeconds;
    new Counter({
      name: 'node_cpu_usage_seconds_total',
      help: 'Cumulative cpu time consumed by the node in core-seconds',
      registers,
      collect() {
        this.reset();
        this.inc(nodeCpu());
      },
    });
    this.nodeMemory = new Gauge({ name: 'node_memory_working_set_bytes', help: 'Current working set of the node in bytes', registers });
    if (opts.nodeName !== undefined) {
      new Gauge({ name: 'kubelet_node_name', help: "The node's name. The count is always 1.", labelNames: ['node'], registers }).set({ node: opts.nodeName }, 1);
    }
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A pod reached running `seconds` after the kubelet first saw it. */
  observePodStart(seconds: number): void {
    this.podStart.observe(seconds);
  }

  /** One CRI call (the gRPC runtime's `onCall` hook): its method, duration and error code if it failed. */
  onCriCall(method: string, ms: number, errorCode?: string): void {
    const op = operationType(method);
    this.runtimeOps.inc({ operation_type: op });
    this.runtimeDuration.observe({ operation_type: op }, ms / 1000);
    if (errorCode !== undefined && errorCode !== '' && errorCode !== 'OK') this.runtimeErrors.inc({ operation_type: op });
  }

  /** Pods with a running sandbox, and containers by state (created, running, exited, unknown). */
  setRunning(pods: number, containersByState: Partial<Record<'created' | 'running' | 'exited' | 'unknown', number>>): void {
    this.runningPods.set(pods);
    for (const state of ['created', 'running', 'exited', 'unknown'] as const) this.runningContainers.set({ container_state: state }, containersByState[state] ?? 0);
  }

  /** A container was started (or failed to start, with the error's code). */
  onContainerStart(type: ContainerType, errorCode?: string): void {
    if (errorCode === undefined) this.started.inc({ container_type: type });
    else this.startErrors.inc({ container_type: type, code: errorCode });
  }

  /** A container was restarted (its restartCount went up). */
  onContainerRestart(namespace: string, pod: string, container: string): void {
    this.restarts.inc({ namespace, pod, container });
    const key = `${namespace}/${pod}`;
    const names = this.restartSeries.get(key) ?? new Set<string>();
    names.add(container);
    this.restartSeries.set(key, names);
  }

  /** Forgets the per-container restart and probe series of a pod that is gone. */
  forgetPod(namespace: string, pod: string): void {
    const key = `${namespace}/${pod}`;
    for (const series of this.probeSeries.get(key)?.values() ?? []) this.probes.remove(series);
    this.probeSeries.delete(key);
    for (const container of this.restartSeries.get(key) ?? []) this.restarts.remove({ namespace, pod, container });
    this.restartSeries.delete(key);
  }

  /** One probe run and its result. */
  onProbe(type: ProbeType, result: ProbeResult, labels: { namespace: string; pod: string; podUid: string; container: string }): void {
    const series = { probe_type: type, result, container: labels.container, pod: labels.pod, namespace: labels.namespace, pod_uid: labels.podUid };
    this.probes.inc(series);
    const key = `${labels.namespace}/${labels.pod}`;
    const seen = this.probeSeries.get(key) ?? new Map<string, typeof series>();
    seen.set(JSON.stringify(series), series);
    this.probeSeries.set(key, seen);
  }

  /** Node usage: cumulative CPU core-seconds and the memory working set. */
  setNode(cpuSeconds: number, memBytes: number): void {
    this.nodeCpuSeconds = cpuSeconds;
    this.nodeMemory.set(memBytes);
  }
}
