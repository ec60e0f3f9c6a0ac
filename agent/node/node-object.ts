/**
 * The one real node's Node object, as upstream's kubelet builds it
 * (kubelet_node_status.go initialNode and the nodestatus setters). Pure:
 * host facts, health and the time come in as arguments.
 *
 * - Labels kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch and
 *   their beta.kubernetes.io twins; the attach/detach annotation.
 * - Capacity: cpu (logical cores), memory (bytes, binary SI), pods
 *   (maxPods), ephemeral-storage (the data dir's filesystem), hugepages-*.
 *   Allocatable = capacity − system-reserved − the hard eviction thresholds
 *   for memory.available and nodefs.available; memory also minus huge pages;
 *   never below zero.
 * - Addresses InternalIP and Hostname; daemonEndpoints.kubeletEndpoint.Port;
 *   nodeInfo with containerRuntimeVersion `<runtimeName>://<runtimeVersion>`
 *   and kubeletVersion the server's gitVersion; kubeProxyVersion empty
 *   (1.31+ kubelets no longer report it).
 * - Conditions MemoryPressure, DiskPressure, PIDPressure and Ready (last),
 *   with upstream's reasons and messages. Updating keeps every other
 *   condition (NetworkUnavailable…), sets each heartbeat to now and moves
 *   lastTransitionTime only when a status changes. Ready is False with
 *   KubeletNotReady and the runtime errors joined by "," when there are any.
 * - statusChanged is upstream's nodeStatusHasChanged: any difference but
 *   heartbeat times.
 */
import { formatQuantity, quantityNano, type Quantity } from '../../control-plane/api/quantity.js';
import { formatTime, type KubeObject } from '../../control-plane/api/meta.js';
import { hardEvictionReservation, type PressureCondition, type Threshold } from './eviction-thresholds.js';
import type { MachineInfo } from './host-info.js';
import type { ReservedResources } from './system-reserved.js';
import type { NodeCondition } from '../../control-plane/api/conditions.js';

export const DEFAULT_MAX_PODS = 110;
/** Upstream's nodeStatusMaxImages and MaxNamesPerImageInNodeStatus. */
export const MAX_IMAGES = 50;
export const MAX_NAMES_PER_IMAGE = 5;
export const CMAD_ANNOTATION = 'volumes.kubernetes.io/controller-managed-attach-detach';

export type { NodeCondition } from '../../control-plane/api/conditions.js';

export interface ContainerImage {
  names: string[];
  sizeBytes: number;
}

export interface NodeStatus {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: NodeCondition[];
  addresses: { type: string; address: string }[];
  daemonEndpoints: { kubeletEndpoint: { Port: number } };
  nodeInfo: Record<string, string>;
  images?: ContainerImage[];
  [k: string]: unknown;
}

export interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };
  status?: Partial<NodeStatus>;
}

/** How this node is configured (flags). */
export interface NodeConfig {
  nodeName: string;
  /** The hostname label and address; defaults to the node name (as --hostname-override). */
  hostname?: string;
  nodeIP: string;
  kubeletPort: number;
  maxPods: number;
  systemReserved: ReservedResources;
  /** Hard eviction thresholds (for the allocatable reservation). */
  thresholds: readonly Threshold[];
}

/** What the node found out about itself. */
export interface NodeFacts {
  machine: MachineInfo;
  /** Capacity of the filesystem holding the data dir. */
  ephemeralStorageBytes: number;
  /** `containerd://1.6.20`. */
  containerRuntimeVersion: string;
  /** The server's gitVersion. */
  kubeletVersion: string;
}

/** The node's health as of this report. */
export interface NodeHealth {
  pressure: ReadonlySet<PressureCondition>;
  /** Runtime and network errors; empty when ready. */
  readyErrors: readonly string[];
}

export function hostnameOf(cfg: NodeConfig): string {
  return (cfg.hostname ?? cfg.nodeName).toLowerCase();
}

export function nodeLabels(cfg: NodeConfig, arch: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': hostnameOf(cfg),
    'kubernetes.io/os': 'linux',
  };
}

function bytes(n: number | bigint): Quantity {
  return { mantissa: BigInt(n), exponent: 0, format: 'BinarySI' };
}

function fromNano(nano: bigint, format: Quantity['format']): Quantity {
  return { mantissa: nano < 0n ? 0n : nano, exponent: -9, format };
}

const NANO = 1_000_000_000n;

function hugePageName(sizeBytes: number): string {
  return `hugepages-${formatQuantity(bytes(sizeBytes))}`;
}

/** Capacity and allocatable, as upstream's MachineInfo setter computes them. */
export function nodeResources(cfg: NodeConfig, facts: NodeFacts): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const m = facts.machine;
  const capCpu = BigInt(m.cpus) * NANO;
  const capMem = BigInt(Math.floor(m.memoryTotalBytes)) * NANO;
  const capEph = BigInt(Math.floor(facts.ephemeralStorageBytes)) * NANO;
  const hard = hardEvictionReservation(cfg.thresholds, { memory: m.memoryTotalBytes, ephemeralStorage: facts.ephemeralStorageBytes });
  const reserved = (k: keyof ReservedResources): bigint => (cfg.systemReserved[k] ? quantityNano(cfg.systemReserved[k]) : 0n);

  const capacity: Record<string, string> = {
    cpu: formatQuantity({ mantissa: BigInt(m.cpus), exponent: 0, format: 'DecimalSI' }),
    'ephemeral-storage': formatQuantity(fromNano(capEph, 'BinarySI')),
  };
  let hugeTotal = 0n;
  for (const h of m.hugePages) {
    const total = BigInt(h.total) * BigInt(h.pageSizeBytes);
    hugeTotal += total;
    capacity[hugePageName(h.pageSizeBytes)] = formatQuantity(bytes(total));
  }
  capacity['memory'] = formatQuantity(fromNano(capMem, 'BinarySI'));
  capacity['pods'] = String(cfg.maxPods);

  const allocatable: Record<string, string> = { ...capacity };
  allocatable['cpu'] = formatQuantity(fromNano(capCpu - reserved('cpu'), 'DecimalSI'));
  allocatable['memory'] = formatQuantity(fromNano(capMem - reserved('memory') - BigInt(hard.memory) * NANO - hugeTotal * NANO, 'BinarySI'));
  allocatable['ephemeral-storage'] = formatQuantity(fromNano(capEph - reserved('ephemeral-storage') - BigInt(hard.ephemeralStorage) * NANO, 'BinarySI'));
  return { capacity, allocatable };
}

const PRESSURE: Record<PressureCondition, { true: [string, string]; false: [string, string] }> = {
  MemoryPressure: {
    true: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
    false: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  },
  DiskPressure: {
    true: ['KubeletHasDiskPressure', 'kubelet has disk pressure'],
    false: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  },
  PIDPressure: {
    true: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
    false: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  },
};

/** The conditions after this report: `previous` updated in place (order kept), ours appended when missing, Ready last. */
export function nodeConditions(previous: readonly NodeCondition[] | undefined, health: NodeHealth, now: Date): NodeCondition[] {
  const t = formatTime(now);
  const out = (previous ?? []).map((c) => ({ ...c }));
  const find = (type: string): NodeCondition | undefined => out.find((c) => c.type === type);

  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const) {
    let c = find(type);
    if (!c) {
      c = { type, status: 'Unknown' };
      out.push(c);
    }
    c.lastHeartbeatTime = t;
    const under = health.pressure.has(type);
    const want = under ? 'True' : 'False';
    if (c.status !== want) {
      const [reason, message] = PRESSURE[type][under ? 'true' : 'false'];
      Object.assign(c, { status: want, reason, message, lastTransitionTime: t });
    }
  }

  const ready: NodeCondition =
    health.readyErrors.length > 0
      ? { type: 'Ready', status: 'False', lastHeartbeatTime: t, reason: 'KubeletNotReady', message: health.readyErrors.join(',') }
      : { type: 'Ready', status: 'True', lastHeartbeatTime: t, reason: 'KubeletReady', message: 'kubelet is posting ready status' };
  const i = out.findIndex((c) => c.type === 'Ready');
  if (i >= 0) {
    const prev = out[i]!;
    ready.lastTransitionTime = prev.status === ready.status && prev.lastTransitionTime ? prev.lastTransitionTime : t;
    out.splice(i, 1);
  } else {
    ready.lastTransitionTime = t;
  }
  out.push(ready);
  return out;
}

/** node.status.images: the largest first, at most 50, each with up to 5 names (digests, then tags). */
export function nodeImages(images: readonly { repoTags: string[]; repoDigests: string[]; size: string }[]): ContainerImage[] {
  return [...images]
    .map((img) => ({ names: [...img.repoDigests, ...img.repoTags].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: Number(img.size) }))
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MAX_IMAGES);
}

/** The whole status this node reports now, given what the server holds. */
export function desiredNodeStatus(
  cfg: NodeConfig,
  facts: NodeFacts,
  health: NodeHealth,
  now: Date,
  previous: Partial<NodeStatus> | undefined,
  images?: ContainerImage[],
): NodeStatus {
  const m = facts.machine;
  const status: NodeStatus = {
    ...nodeResources(cfg, facts),
    conditions: nodeConditions(previous?.conditions, health, now),
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: hostnameOf(cfg) },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: m.machineID,
      systemUUID: m.systemUUID,
      bootID: m.bootID,
      kernelVersion: m.kernelVersion,
      osImage: m.osImage,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      kubeletVersion: facts.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: m.architecture,
    },
  };
  if (images) status.images = images;
  return status;
}

/** A new Node for registration (initialNode): labels, the attach/detach annotation, the first status. */
export function newNode(cfg: NodeConfig, status: NodeStatus, arch: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: cfg.nodeName, labels: nodeLabels(cfg, arch), annotations: { [CMAD_ANNOTATION]: 'true' } },
    spec: {},
    status,
  };
}

/**
 * The metadata patch that brings an existing Node in line on re-registration
 * (updateDefaultLabels, reconcileCMADAnnotationWithExistingNode), or
 * undefined when it already is.
 */
export function reconcileExisting(existing: Node, cfg: NodeConfig, arch: string): { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } } | undefined {
  const want = nodeLabels(cfg, arch);
  const have = existing.metadata.labels ?? {};
  const labels = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
  const cmad = existing.metadata.annotations?.[CMAD_ANNOTATION] !== 'true';
  if (Object.keys(labels).length === 0 && !cmad) return undefined;
  const metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } = {};
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (cmad) metadata.annotations = { [CMAD_ANNOTATION]: 'true' };
  return { metadata };
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .filter((k) => o[k] !== undefined && o[k] !== null)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return v;
}

function withoutHeartbeats(s: Partial<NodeStatus>): unknown {
  return canonical({ ...s, conditions: (s.conditions ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest) });
}

/** Whether `desired` says anything `current` does not, heartbeat times aside (the fields we report only). */
export function statusChanged(current: Partial<NodeStatus> | undefined, desired: NodeStatus): boolean {
  if (!current) return true;
  const mine: Partial<NodeStatus> = {};
  for (const k of Object.keys(desired)) mine[k] = current[k];
  return JSON.stringify(withoutHeartbeats(mine)) !== JSON.stringify(withoutHeartbeats(desired));
}
