/**
 * What a simulated node reports about itself: its Node object (labels,
 * capacity, conditions, addresses, nodeInfo), as a real kubelet registers
 * it. Pure: times come in as arguments.
 *
 * The conditions and their reasons and messages are the kubelet's. A status
 * is re-reported only when it differs from what the server holds (ignoring
 * heartbeat times) or when the report is due (every 5 minutes, the
 * kubelet's nodeStatusReportFrequency); compare with statusNeedsReport.
 */
import { createHash } from 'node:crypto';
import { formatTime, type KubeObject } from '../../control-plane/api/meta.js';
import { intToIp, parseIpv4Cidr } from './ip-allocator.js';
import { sameValue } from './same-value.js';
import type { NodeCondition } from '../../control-plane/api/conditions.js';

/** Node addresses come from here: distinct fake InternalIPs, one per node. */
export const NODE_IP_RANGE = '10.200.0.0/16';
export const KUBELET_PORT = 10250;
export const KUBELET_VERSION = 'v1.33.0';
export const STOPPED_ANNOTATION = 'sim.skiff.dev/stopped';
export const EXIT_AFTER_ANNOTATION = 'sim.skiff.dev/exit-after';

export interface SimNodeConfig {
  cpu: string;
  memory: string;
  maxPods: number;
  ephemeralStorage: string;
}

export type { NodeCondition } from '../../control-plane/api/conditions.js';

export interface NodeStatus {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: NodeCondition[];
  addresses: { type: string; address: string }[];
  daemonEndpoints: { kubeletEndpoint: { Port: number } };
  nodeInfo: Record<string, string>;
  [k: string]: unknown;
}

export interface SimNode extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };
  status?: Partial<NodeStatus>;
}

export function simNodeName(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

/** Node i's InternalIP: 10.200.0.1 for node 0, and so on through the /16. */
export function nodeInternalIP(index: number): string {
  const range = parseIpv4Cidr(NODE_IP_RANGE)!;
  if (index < 0 || index + 1 >= range.size - 1) throw new Error(`no fake node IP left for node ${index}`);
  return intToIp(range.base + index + 1);
}

export function nodeLabels(name: string): Record<string, string> {
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': 'sim',
  };
}

export function nodeAnnotations(): Record<string, string> {
  return { type: 'sim-node', 'node.alpha.kubernetes.io/ttl': '0' };
}

function hex(seed: string, len: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, len);
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function resourceList(cfg: SimNodeConfig): Record<string, string> {
  return {
    cpu: cfg.cpu,
    'ephemeral-storage': cfg.ephemeralStorage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: cfg.memory,
    pods: String(cfg.maxPods),
  };
}

const CONDITIONS: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The status node `name` reports at `now`. Conditions keep their
 * lastTransitionTime from `previous` when their status did not change.
 */
export function desiredNodeStatus(name: string, index: number, cfg: SimNodeConfig, bootId: string, now: Date, previous?: Partial<NodeStatus>): NodeStatus {
  const t = formatTime(now);
  const prev = new Map((previous?.conditions ?? []).map((c) => [c.type, c] as const));
  const resources = resourceList(cfg);
  return {
    capacity: resources,
    allocatable: { ...resources },
    conditions: CONDITIONS.map((c) => {
      const p = prev.get(c.type);
      return { ...c, lastHeartbeatTime: t, lastTransitionTime: p?.status === c.status && p.lastTransitionTime ? p.lastTransitionTime : t };
    }),
    addresses: [
      { type: 'InternalIP', address: nodeInternalIP(index) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: hex(`machine/${name}`, 32),
      systemUUID: uuid(`system/${name}`),
      bootID: bootId,
      kernelVersion: '6.1.0-sim',
      osImage: 'Skiff simulated node',
      containerRuntimeVersion: 'sim://1.0.0',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** A new Node object for registration. */
export function newNodeObject(name: string, index: number, cfg: SimNodeConfig, bootId: string, now: Date): SimNode {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: nodeLabels(name), annotations: nodeAnnotations() },
    spec: {},
    status: desiredNodeStatus(name, index, cfg, bootId, now),
  };
}

function sameResources(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

/**
 * Whether the server's status differs from what the node would report,
 * apart from heartbeat times: a condition someone else changed (the node
 * lifecycle controller's Unknown), other capacity, other addresses.
 */
export function statusDiffers(current: Partial<NodeStatus> | undefined, desired: NodeStatus): boolean {
  if (!current) return true;
  if (!sameResources(current.capacity, desired.capacity) || !sameResources(current.allocatable, desired.allocatable)) return true;
  const cur = current.conditions ?? [];
  if (cur.length !== desired.conditions.length) return true;
  for (const d of desired.conditions) {
    const c = cur.find((x) => x.type === d.type);
    if (!c || c.status !== d.status || c.reason !== d.reason || c.message !== d.message) return true;
  }
  if (!sameValue(current.addresses ?? [], desired.addresses)) return true;
  if (current.daemonEndpoints?.kubeletEndpoint?.Port !== KUBELET_PORT) return true;
  return !sameValue(current.nodeInfo ?? {}, desired.nodeInfo);
}

/** Whether labels and annotations need to be (re)asserted on a node taken over. */
export function metadataDiffers(node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const ann = node.metadata.annotations ?? {};
  const name = node.metadata.name ?? '';
  return (
    Object.entries(nodeLabels(name)).some(([k, v]) => labels[k] !== v) || Object.entries(nodeAnnotations()).some(([k, v]) => ann[k] !== v)
  );
}

export function isStopped(node: KubeObject | undefined): boolean {
  return node?.metadata.annotations?.[STOPPED_ANNOTATION] === 'true';
}
