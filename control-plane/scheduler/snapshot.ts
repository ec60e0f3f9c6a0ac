/**
 * ClusterSnapshot: the scheduler's in-memory picture of nodes and the pods
 * bound to them, maintained incrementally from watch events.
 *
 * Contract:
 * - addNode/updateNode/removeNode keep per node its allocatable (cpu milli,
 *   memory and ephemeral-storage bytes, pods, extended resources), labels,
 *   taints and unschedulable flag;
 * - addPod/removePod account bound, non-terminal pods: their requests
 *   (plain and with scoring defaults), host ports and the pod itself (for
 *   inter-pod affinity); unbound or terminal pods are ignored;
 * - assume(pod, node) accounts a scheduling decision before the binding is
 *   observed; a later addPod of the same pod replaces it, never doubles it;
 * - pods may arrive before their node: they are kept and counted once the
 *   node appears. Removing a node keeps its pods until they are removed.
 *
 * Aggregates kept incrementally so a scheduling cycle never walks every pod
 * of the cluster (5,000 nodes × tens of pods each would cost milliseconds):
 * - nodes() is cached and only rebuilt when the node set changes;
 * - per node, the pods with inter-pod (anti-)affinity and with required
 *   anti-affinity, plus the set of nodes having any (upstream's
 *   HavePodsWithAffinityList / HavePodsWithRequiredAntiAffinityList);
 * - pod counts per node by controller and by label selector, and their
 *   sums per topology domain (pod-counts.ts), for topology spreading.
 * Pure: no I/O, no clock.
 */
import type { KubeObject } from '../api/meta.js';
import type { LabelSelector } from '../api/selectors/label-selector.js';
import { PodCounts } from './pod-counts.js';
import { addInto, podRequests, toResources, type Resources } from './requests.js';
import { nodeView, podKey, podView, type NodeView, type PodView, type Taint } from './types.js';

function hasPodAffinity(pod: PodView): boolean {
  const a = pod.spec?.affinity;
  return !!a && (!!a.podAffinity || !!a.podAntiAffinity);
}

function hasRequiredAntiAffinity(pod: PodView): boolean {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}


export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/**
 * Indexes into NodeInfo.fit: the numbers the resource filter and scores
 * read for every node examined, side by side in one typed array. Visiting
 * 500 nodes per pod, following the node's Resources records (and the
 * boxed doubles in them) cost more in cache misses than the arithmetic.
 */
export const FIT_PODS_ALLOC = 0;
export const FIT_PODS = 1;
export const FIT_CPU_ALLOC = 2;
export const FIT_CPU = 3;
export const FIT_MEMORY_ALLOC = 4;
export const FIT_MEMORY = 5;
export const FIT_EPHEMERAL_ALLOC = 6;
export const FIT_EPHEMERAL = 7;
export const FIT_CPU_NON_ZERO = 8;
export const FIT_MEMORY_NON_ZERO = 9;
const FIT_SIZE = 10;

export interface NodeInfo {
  readonly name: string;
  /** Undefined while only pods naming this node are known. */
  node: NodeView | undefined;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: Resources;
  requested: Resources;
  /** Requests with the scoring defaults (100m cpu / 200Mi memory). */
  nonZeroRequested: Resources;
  usedPorts: HostPort[];
  pods: Map<string, PodView>;
  /** Pods with any pod affinity or anti-affinity. */
  podsWithAffinity: Map<string, PodView>;
  /** Pods with required anti-affinity terms. */
  podsWithRequiredAntiAffinity: Map<string, PodView>;
  /** allocatable, requested, nonZeroRequested and the pod count of cpu, memory, ephemeral-storage and pods, at the FIT_* indexes (kept by the snapshot). */
  readonly fit: Float64Array;
}

/** One figure of a node's fit vector (see the FIT_* indexes). */
export function fitOf(node: NodeInfo, index: number): number {
  return node.fit[index] ?? 0;
}

/** Copies a node's resource figures into its fit vector. */
function refreshFit(info: NodeInfo): void {
  const f = info.fit;
  const a = info.allocatable;
  const r = info.requested;
  f[FIT_PODS_ALLOC] = a.pods ?? 0;
  f[FIT_PODS] = info.pods.size;
  f[FIT_CPU_ALLOC] = a.cpu ?? 0;
  f[FIT_CPU] = r.cpu ?? 0;
  f[FIT_MEMORY_ALLOC] = a.memory ?? 0;
  f[FIT_MEMORY] = r.memory ?? 0;
  f[FIT_EPHEMERAL_ALLOC] = a['ephemeral-storage'] ?? 0;
  f[FIT_EPHEMERAL] = r['ephemeral-storage'] ?? 0;
  f[FIT_CPU_NON_ZERO] = info.nonZeroRequested.cpu ?? 0;
  f[FIT_MEMORY_NON_ZERO] = info.nonZeroRequested.memory ?? 0;
}

/** The host ports a pod asks for (containers and init containers). */
export function podHostPorts(pod: PodView): HostPort[] {
  const out: HostPort[] = [];
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

function isTerminal(pod: PodView): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

export class ClusterSnapshot {
  private readonly infos = new Map<string, NodeInfo>();
  /** Which node each accounted pod sits on. */
  private readonly podNode = new Map<string, string>();
  /** What each accounted pod added, so removal subtracts exactly that. */
  private readonly accounted = new Map<string, { requests: Resources; nonZero: Resources; ports: HostPort[] }>();
  private sorted: NodeInfo[] | undefined;
  private readonly affinityNodes = new Set<NodeInfo>();
  private readonly antiAffinityNodes = new Set<NodeInfo>();
  private readonly counts = new PodCounts(this.infos);

  /**
   * Node infos that have a Node object, in name order (stable for scoring).
   * Cached: callers must not modify the array.
   */
  nodes(): readonly NodeInfo[] {
    if (!this.sorted) {
      this.sorted = [...this.infos.values()].filter((n) => n.node !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    return this.sorted;
  }

  /** Nodes (with a Node object) hosting pods with pod affinity or anti-affinity. */
  nodesWithAffinityPods(): NodeInfo[] {
    return [...this.affinityNodes].filter((n) => n.node !== undefined);
  }

  /** Nodes (with a Node object) hosting pods with required anti-affinity. */
  nodesWithRequiredAntiAffinityPods(): NodeInfo[] {
    return [...this.antiAffinityNodes].filter((n) => n.node !== undefined);
  }

  /** Per node name, the non-terminating pods of one controller (see controllerKey). */
  ownerCounts(key: string): ReadonlyMap<string, number> {
    return this.counts.ownerCounts(key);
  }

  /**
   * Per node name, the non-terminating pods of `namespace` whose labels
   * match `selector` (a null selector matches nothing); see pod-counts.ts.
   */
  matchCounts(namespace: string, selector: LabelSelector | null | undefined): ReadonlyMap<string, number> {
    return this.counts.matchCounts(namespace, selector);
  }

  node(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  /** Per value of label `key`, `counts` summed over the nodes carrying it; see pod-counts.ts. */
  domainCounts(counts: ReadonlyMap<string, number>, key: string): ReadonlyMap<string, number> {
    return this.counts.domainCounts(counts, key);
  }

  /** The distinct values of label `key` over the nodes. */
  topologyDomains(key: string): readonly string[] {
    return this.counts.topologyDomains(key);
  }

  /** The node a pod is accounted on, if any. */
  nodeOf(pod: KubeObject): string | undefined {
    return this.podNode.get(podKey(pod));
  }

  addNode(obj: KubeObject): void {
    const node = nodeView(obj);
    const info = this.info(node.metadata.name ?? '');
    if (!info.node) this.sorted = undefined;
    const labels = node.metadata.labels ?? {};
    if (!info.node || !sameLabels(info.labels, labels)) this.counts.labelsChanged();
    info.node = node;
    info.labels = { ...labels };
    info.taints = [...(node.spec?.taints ?? [])];
    info.unschedulable = node.spec?.unschedulable === true;
    info.allocatable = toResources(node.status?.allocatable ?? node.status?.capacity);
    refreshFit(info);
  }

  updateNode(obj: KubeObject): void {
    this.addNode(obj);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    if (info.node) {
      this.sorted = undefined;
      this.counts.labelsChanged();
    }
    if (info.pods.size === 0) this.infos.delete(name);
    else info.node = undefined;
  }

  /** Accounts a bound pod; returns false when it is unbound or terminal. */
  addPod(obj: KubeObject): boolean {
    const pod = podView(obj);
    this.removePod(obj);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) return false;
    this.place(pod, nodeName);
    return true;
  }

  updatePod(obj: KubeObject): boolean {
    return this.addPod(obj);
  }

  /** Accounts a decision not yet observed through the API. */
  assume(obj: KubeObject, nodeName: string): void {
    const pod = podView(obj);
    this.removePod(obj);
    this.place({ ...pod, spec: { ...(pod.spec ?? {}), nodeName } }, nodeName);
  }

  removePod(obj: KubeObject): void {
    const key = podKey(obj);
    const nodeName = this.podNode.get(key);
    if (nodeName === undefined) return;
    this.podNode.delete(key);
    const info = this.infos.get(nodeName);
    const pod = info?.pods.get(key);
    if (!info || !pod) return;
    info.pods.delete(key);
    if (info.podsWithAffinity.delete(key) && info.podsWithAffinity.size === 0) this.affinityNodes.delete(info);
    if (info.podsWithRequiredAntiAffinity.delete(key) && info.podsWithRequiredAntiAffinity.size === 0) this.antiAffinityNodes.delete(info);
    this.counts.podChanged(pod, nodeName, -1);
    const acc = this.accounted.get(key);
    this.accounted.delete(key);
    if (acc) {
      addInto(info.requested, acc.requests, -1);
      addInto(info.nonZeroRequested, acc.nonZero, -1);
      for (const p of acc.ports) {
        const i = info.usedPorts.findIndex((u) => u.ip === p.ip && u.protocol === p.protocol && u.port === p.port);
        if (i >= 0) info.usedPorts.splice(i, 1);
      }
    }
    refreshFit(info);
    if (!info.node && info.pods.size === 0) this.infos.delete(nodeName);
  }

  private place(pod: PodView, nodeName: string): void {
    const info = this.info(nodeName);
    const key = podKey(pod);
    info.pods.set(key, pod);
    // The node's own name string from here on: maps keyed by it (pod counts)
    // are then probed with the very string scoring holds, a pointer compare.
    this.podNode.set(key, info.name);
    if (hasPodAffinity(pod)) {
      info.podsWithAffinity.set(key, pod);
      this.affinityNodes.add(info);
    }
    if (hasRequiredAntiAffinity(pod)) {
      info.podsWithRequiredAntiAffinity.set(key, pod);
      this.antiAffinityNodes.add(info);
    }
    this.counts.podChanged(pod, info.name, 1);
    const acc = { requests: podRequests(pod), nonZero: podRequests(pod, { nonZero: true }), ports: podHostPorts(pod) };
    this.accounted.set(key, acc);
    addInto(info.requested, acc.requests);
    addInto(info.nonZeroRequested, acc.nonZero);
    info.usedPorts.push(...acc.ports);
    refreshFit(info);
  }

  private info(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) {
      info = {
        name,
        node: undefined,
        labels: {},
        taints: [],
        unschedulable: false,
        allocatable: {},
        requested: {},
        nonZeroRequested: {},
        usedPorts: [],
        pods: new Map(),
        podsWithAffinity: new Map(),
        podsWithRequiredAntiAffinity: new Map(),
        fit: new Float64Array(FIT_SIZE),
      };
      this.infos.set(name, info);
    }
    return info;
  }
}
