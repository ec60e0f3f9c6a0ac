/**
 * From a node agent's stats summary (the kubelet's /stats/summary,
 * stats/v1alpha1) to metrics.k8s.io NodeMetrics and PodMetrics, as
 * metrics-server reports them: CPU in nanocores (`123456n`), memory as the
 * working set in Ki, the sample's timestamp, and the window the CPU rate
 * was measured over. Pure.
 *
 * Contract: a node or container without a CPU rate or a working set is
 * left out (metrics-server skips incomplete points too); pods with no
 * complete container are left out; labels are copied from the Node and
 * Pod objects the caller passes, when it has them.
 */
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { NodeMetrics, PodMetrics, ResourceUsage } from '../../api/resources/metrics.js';

/** The window the agents' CPU rate is computed over (their sampling period). */
export const METRICS_WINDOW = '10s';

interface CpuStats {
  time?: string;
  usageNanoCores?: number;
}
interface MemoryStats {
  time?: string;
  workingSetBytes?: number;
}

function usageOf(cpu: unknown, memory: unknown): { usage: ResourceUsage; time: string } | undefined {
  const c = (isPlainObject(cpu) ? cpu : {}) as CpuStats;
  const m = (isPlainObject(memory) ? memory : {}) as MemoryStats;
  if (typeof c.usageNanoCores !== 'number' || typeof m.workingSetBytes !== 'number') return undefined;
  return {
    usage: { cpu: `${Math.round(c.usageNanoCores)}n`, memory: `${Math.round(m.workingSetBytes / 1024)}Ki` },
    time: c.time ?? m.time ?? '',
  };
}

export function nodeMetricsFrom(summary: unknown, node: KubeObject | undefined, fallbackTime: string): NodeMetrics | undefined {
  if (!isPlainObject(summary) || !isPlainObject(summary.node)) return undefined;
  const n = summary.node;
  const name = typeof n.nodeName === 'string' ? n.nodeName : node?.metadata.name;
  const u = usageOf(n.cpu, n.memory);
  if (!name || !u) return undefined;
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'NodeMetrics',
    metadata: { name, creationTimestamp: fallbackTime, ...(node?.metadata.labels ? { labels: { ...node.metadata.labels } } : {}) },
    timestamp: u.time || fallbackTime,
    window: METRICS_WINDOW,
    usage: u.usage,
  };
}

/** Pod metrics of one summary, narrowed to a namespace ('' for all). `pods` maps `ns/name` to the Pod object. */
export function podMetricsFrom(summary: unknown, namespace: string, pods: Map<string, KubeObject>, fallbackTime: string): PodMetrics[] {
  if (!isPlainObject(summary) || !Array.isArray(summary.pods)) return [];
  const out: PodMetrics[] = [];
  for (const p of summary.pods) {
    if (!isPlainObject(p) || !isPlainObject(p.podRef)) continue;
    const ns = typeof p.podRef.namespace === 'string' ? p.podRef.namespace : '';
    const name = typeof p.podRef.name === 'string' ? p.podRef.name : '';
    if (!ns || !name || (namespace && ns !== namespace)) continue;
    const pod = pods.get(`${ns}/${name}`);
    // A summary can outlive its pod by a sampling period: report only pods that exist.
    if (!pod || (typeof p.podRef.uid === 'string' && pod.metadata.uid && pod.metadata.uid !== p.podRef.uid)) continue;
    const containers: PodMetrics['containers'] = [];
    let time = '';
    for (const c of Array.isArray(p.containers) ? p.containers : []) {
      if (!isPlainObject(c) || typeof c.name !== 'string') continue;
      const u = usageOf(c.cpu, c.memory);
      if (!u) continue;
      containers.push({ name: c.name, usage: u.usage });
      time ||= u.time;
    }
    if (containers.length === 0) continue;
    containers.sort((a, b) => a.name.localeCompare(b.name));
    out.push({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name, namespace: ns, creationTimestamp: fallbackTime, ...(pod.metadata.labels ? { labels: { ...pod.metadata.labels } } : {}) },
      timestamp: time || fallbackTime,
      window: METRICS_WINDOW,
      containers,
    });
  }
  return out;
}
