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
 * Pure: no I/O, no clock.
 */
import type { KubeObject } from '../api/meta.js';
import { addInto, podRequests, toResources, type Resources } from './requests.js';
import { nodeView, podKey, podView, type NodeView, type PodView, type Taint } from './types.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

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

export class ClusterSnapshot {
  private readonly infos = new Map<string, NodeInfo>();
  /** Which node each accounted pod sits on. */
  private readonly podNode = new Map<string, string>();

  /** Node infos that have a Node object, in name order (stable for scoring). */
  nodes(): NodeInfo[] {
    return [...this.infos.values()].filter((n) => n.node !== undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  node(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  /** The node a pod is accounted on, if any. */
  nodeOf(pod: KubeObject): string | undefined {
    return this.podNode.get(podKey(pod));
  }

  addNode(obj: KubeObject): void {
    const node = nodeView(obj);
    const info = this.info(node.metadata.name ?? '');
    info.node = node;
    info.labels = { ...(node.metadata.labels ?? {}) };
    info.taints = [...(node.spec?.taints ?? [])];
    info.unschedulable = node.spec?.unschedulable === true;
    info.allocatable = toResources(node.status?.allocatable ?? node.status?.capacity);
  }

  updateNode(obj: KubeObject): void {
    this.addNode(obj);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
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
    addInto(info.requested, podRequests(pod), -1);
    addInto(info.nonZeroRequested, podRequests(pod, { nonZero: true }), -1);
    for (const p of podHostPorts(pod)) {
      const i = info.usedPorts.findIndex((u) => u.ip === p.ip && u.protocol === p.protocol && u.port === p.port);
      if (i >= 0) info.usedPorts.splice(i, 1);
    }
    if (!info.node && info.pods.size === 0) this.infos.delete(nodeName);
  }

  private place(pod: PodView, nodeName: string): void {
    const info = this.info(nodeName);
    const key = podKey(pod);
    info.pods.set(key, pod);
    this.podNode.set(key, nodeName);
    addInto(info.requested, podRequests(pod));
    addInto(info.nonZeroRequested, podRequests(pod, { nonZero: true }));
    info.usedPorts.push(...podHostPorts(pod));
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
      };
      this.infos.set(name, info);
    }
    return info;
  }
}
