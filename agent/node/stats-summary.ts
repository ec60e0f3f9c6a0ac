/**
 * The kubelet stats Summary (k8s.io/kubelet/pkg/apis/stats/v1alpha1), the
 * JSON of GET /stats/summary, built from one sample of the host and the
 * runtime. Pure: the sample and the pods come in as arguments.
 *
 * - node: cpu (usageNanoCores from /proc/stat deltas, usageCoreNanoSeconds
 *   cumulative), memory (as cAdvisor's root cgroup: usage = total − free,
 *   workingSet = usage − inactive file, available = total − workingSet),
 *   fs (the node filesystem), runtime.imageFs (capacity from statfs of the
 *   image store, used bytes and inodes from CRI ImageFsInfo), rlimit.
 * - pods: one entry per pod asked for, with each named container's CRI
 *   stats (cpu, memory working set, rootfs = writable layer, logs when the
 *   log usage is known); the pod's cpu and memory are the sums of its
 *   containers'. Containers without stats (not started) are left out of the
 *   list, as upstream.
 * - Times are metav1.Time strings; numbers are JSON numbers (uint64 in Go).
 */
import { formatTime } from '../../control-plane/api/meta.js';
import type { FsReading, MemoryReading, PidReading } from './host-info.js';

// ---- stats/v1alpha1 ----

export interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface ContainerStatsSummary {
  name: string;
  startTime: string | null;
  cpu?: CPUStats;
  memory?: MemoryStats;
  rootfs?: FsStats;
  logs?: FsStats;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string | null;
  containers: ContainerStatsSummary[];
  cpu?: CPUStats;
  memory?: MemoryStats;
  'ephemeral-storage'?: FsStats;
}

export interface NodeStats {
  nodeName: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  fs?: FsStats;
  runtime?: { imageFs?: FsStats };
  rlimit?: { time: string; maxpid?: number; curproc?: number };
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

// ---- inputs ----

/** One container's CRI stats at one instant, with its CPU rate from the previous sample. */
export interface ContainerSample {
  /** ms since the epoch. */
  atMs: number;
  usageCoreNanoSeconds?: number;
  /** When the CPU reading was taken, ns since the epoch (CRI's timestamp, else the sample's). */
  cpuAtNs?: number;
  usageNanoCores?: number;
  workingSetBytes?: number;
  writableLayerBytes?: number;
}

export interface HostSample {
  atMs: number;
  cpu?: { usageCoreNanoSeconds: number; usageNanoCores?: number };
  memory?: MemoryReading;
  nodefs?: FsReading;
  /** capacity/available from statfs of the image store, used/inodesUsed from CRI. */
  imagefs?: FsReading & { criUsedBytes?: number; criInodesUsed?: number };
  pids?: PidReading;
  /** By container ID. */
  containers: Map<string, ContainerSample>;
}

export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
  /** Container name → CRI container ID (the running instance's). */
  containers: Map<string, string>;
  /** The pod's status.startTime, when known. */
  startTime?: string;
  /** Bytes of a container's log files, when known. */
  logBytes?: Map<string, number>;
}

/** Memory figures as cAdvisor derives them for the root cgroup. */
export function nodeMemory(m: MemoryReading): { usageBytes: number; workingSetBytes: number; availableBytes: number } {
  const usageBytes = Math.max(0, m.totalBytes - m.freeBytes);
  const workingSetBytes = Math.max(0, usageBytes - m.inactiveFileBytes);
  return { usageBytes, workingSetBytes, availableBytes: Math.max(0, m.totalBytes - workingSetBytes) };
}

/** CPU rate between two cumulative readings, in nanocores (undefined without a usable interval). */
export function nanoCores(prevUsageNs: number, prevAtNs: number, usageNs: number, atNs: number): number | undefined {
  const dt = atNs - prevAtNs;
  if (!(dt > 0) || usageNs < prevUsageNs) return undefined;
  return Math.round(((usageNs - prevUsageNs) / dt) * 1e9);
}

function fsStats(time: string, fs: FsReading, usedBytes = fs.usedBytes): FsStats {
  return {
    time,
    availableBytes: fs.availableBytes,
    capacityBytes: fs.capacityBytes,
    usedBytes,
    inodesFree: fs.inodesFree,
    inodes: fs.inodes,
    inodesUsed: Math.max(0, fs.inodes - fs.inodesFree),
  };
}

function sumDefined(xs: (number | undefined)[]): number | undefined {
  const ys = xs.filter((x): x is number => x !== undefined);
  return ys.length ? ys.reduce((a, b) => a + b, 0) : undefined;
}

function omitUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function buildNodeStats(nodeName: string, bootTimeMs: number, s: HostSample): NodeStats {
  const time = formatTime(new Date(s.atMs));
  const node: NodeStats = { nodeName, startTime: formatTime(new Date(bootTimeMs)) };
  if (s.cpu) node.cpu = omitUndefined({ time, usageNanoCores: s.cpu.usageNanoCores, usageCoreNanoSeconds: s.cpu.usageCoreNanoSeconds });
  if (s.memory) {
    const m = nodeMemory(s.memory);
    node.memory = { time, ...m, rssBytes: s.memory.anonBytes, pageFaults: s.memory.pageFaults, majorPageFaults: s.memory.majorPageFaults };
  }
  if (s.nodefs) node.fs = fsStats(time, s.nodefs);
  if (s.imagefs) {
    const f = fsStats(time, s.imagefs, s.imagefs.criUsedBytes ?? s.imagefs.usedBytes);
    if (s.imagefs.criInodesUsed !== undefined) f.inodesUsed = s.imagefs.criInodesUsed;
    node.runtime = { imageFs: f };
  }
  if (s.pids) node.rlimit = { time, maxpid: s.pids.max, curproc: s.pids.running };
  return node;
}

export function buildPodStats(pod: PodRef, s: HostSample): PodStats {
  const containers: ContainerStatsSummary[] = [];
  for (const [name, id] of pod.containers) {
    const c = s.containers.get(id);
    if (!c) continue;
    const time = formatTime(new Date(c.atMs));
    const out: ContainerStatsSummary = { name, startTime: pod.startTime ?? null };
    if (c.usageCoreNanoSeconds !== undefined) out.cpu = omitUndefined({ time, usageNanoCores: c.usageNanoCores, usageCoreNanoSeconds: c.usageCoreNanoSeconds });
    if (c.workingSetBytes !== undefined) out.memory = { time, workingSetBytes: c.workingSetBytes };
    if (c.writableLayerBytes !== undefined) {
      out.rootfs = s.imagefs ? fsStats(time, s.imagefs, c.writableLayerBytes) : { time, usedBytes: c.writableLayerBytes };
      delete out.rootfs.inodesUsed;
    }
    const logs = pod.logBytes?.get(name);
    if (logs !== undefined) {
      out.logs = s.nodefs ? fsStats(time, s.nodefs, logs) : { time, usedBytes: logs };
      delete out.logs.inodesUsed;
    }
    containers.push(out);
  }
  const stats: PodStats = { podRef: { name: pod.name, namespace: pod.namespace, uid: pod.uid }, startTime: pod.startTime ?? null, containers };
  const time = formatTime(new Date(s.atMs));
  const cores = sumDefined(containers.map((c) => c.cpu?.usageNanoCores));
  const cumulative = sumDefined(containers.map((c) => c.cpu?.usageCoreNanoSeconds));
  if (cumulative !== undefined) stats.cpu = omitUndefined({ time, usageNanoCores: cores, usageCoreNanoSeconds: cumulative });
  const ws = sumDefined(containers.map((c) => c.memory?.workingSetBytes));
  if (ws !== undefined) stats.memory = { time, workingSetBytes: ws };
  const eph = sumDefined(containers.flatMap((c) => [c.rootfs?.usedBytes, c.logs?.usedBytes]));
  if (eph !== undefined) stats['ephemeral-storage'] = s.nodefs ? { ...fsStats(time, s.nodefs, eph), inodesUsed: undefined } : { time, usedBytes: eph };
  if (stats['ephemeral-storage']) stats['ephemeral-storage'] = omitUndefined(stats['ephemeral-storage']);
  return stats;
}

export function buildSummary(nodeName: string, bootTimeMs: number, s: HostSample, pods: readonly PodRef[]): Summary {
  return { node: buildNodeStats(nodeName, bootTimeMs, s), pods: pods.map((p) => buildPodStats(p, s)) };
}
