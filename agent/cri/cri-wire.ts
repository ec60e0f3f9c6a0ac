/**
 * Wire shapes of CRI responses (as @grpc/proto-loader decodes them with
 * the options in cri-proto.ts) and their mapping onto the Runtime
 * interface types.
 *
 * Requests need almost no mapping: the interface already uses CRI's
 * camelCase names, int64 as strings and maps as objects, which
 * protobufjs's fromObject accepts as they are. Responses are mapped
 * field by field, so callers get exactly the interface's shape (no
 * runtime extras, no null message fields where the interface has values).
 */
import type {
  Container,
  ContainerMetadata,
  ContainerStats,
  ContainerStatus,
  Image,
  ImageSpec,
  Mount,
  PodSandbox,
  PodSandboxMetadata,
  PodSandboxStatus,
} from './runtime.js';

type Labels = Record<string, string>;

export interface WireImageSpec {
  image: string;
  annotations: Labels;
}
interface WireUInt64 {
  value: string;
}
export interface WirePodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: number;
  createdAt: string;
  labels: Labels;
  annotations: Labels;
}
export interface WirePodSandboxStatus extends WirePodSandbox {
  network: { ip: string; additionalIps: { ip: string }[] } | null;
}
export interface WireContainer {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata | null;
  image: WireImageSpec | null;
  imageRef: string;
  state: number;
  createdAt: string;
  labels: Labels;
  annotations: Labels;
}
export interface WireContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: number;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: WireImageSpec | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  mounts: Mount[];
  logPath: string;
}
export interface WireContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: Labels; annotations: Labels } | null;
  cpu: { timestamp: string; usageCoreNanoSeconds: WireUInt64 | null; usageNanoCores: WireUInt64 | null } | null;
  memory: { timestamp: string; workingSetBytes: WireUInt64 | null } | null;
  writableLayer: { timestamp: string; usedBytes: WireUInt64 | null } | null;
}
export interface WireImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
}
export interface WireFilesystemUsage {
  timestamp: string;
  fsId: { mountpoint: string } | null;
  usedBytes: WireUInt64 | null;
  inodesUsed: WireUInt64 | null;
}

const sandboxMeta = (m: PodSandboxMetadata | null): PodSandboxMetadata => ({ name: m?.name ?? '', uid: m?.uid ?? '', namespace: m?.namespace ?? '', attempt: m?.attempt ?? 0 });
const containerMeta = (m: ContainerMetadata | null): ContainerMetadata => ({ name: m?.name ?? '', attempt: m?.attempt ?? 0 });
const imageSpec = (s: WireImageSpec | null): ImageSpec => ({ image: s?.image ?? '', annotations: { ...(s?.annotations ?? {}) } });
const u64 = (v: WireUInt64 | null | undefined): string => v?.value ?? '0';

export function toPodSandbox(w: WirePodSandbox): PodSandbox {
  return { id: w.id, metadata: sandboxMeta(w.metadata), state: w.state, createdAt: w.createdAt, labels: { ...w.labels }, annotations: { ...w.annotations } };
}

export function toPodSandboxStatus(w: WirePodSandboxStatus): PodSandboxStatus {
  const s: PodSandboxStatus = toPodSandbox(w);
  if (w.network) s.network = { ip: w.network.ip, additionalIps: w.network.additionalIps.map((a) => ({ ip: a.ip })) };
  return s;
}

export function toContainer(w: WireContainer): Container {
  return {
    id: w.id,
    podSandboxId: w.podSandboxId,
    metadata: containerMeta(w.metadata),
    image: imageSpec(w.image),
    imageRef: w.imageRef,
    state: w.state,
    createdAt: w.createdAt,
    labels: { ...w.labels },
    annotations: { ...w.annotations },
  };
}

export function toContainerStatus(w: WireContainerStatus): ContainerStatus {
  return {
    id: w.id,
    metadata: containerMeta(w.metadata),
    state: w.state,
    createdAt: w.createdAt,
    startedAt: w.startedAt,
    finishedAt: w.finishedAt,
    exitCode: w.exitCode,
    image: imageSpec(w.image),
    imageRef: w.imageRef,
    reason: w.reason,
    message: w.message,
    labels: { ...w.labels },
    annotations: { ...w.annotations },
    mounts: w.mounts.map((m) => ({ containerPath: m.containerPath, hostPath: m.hostPath, readonly: m.readonly, selinuxRelabel: m.selinuxRelabel, propagation: m.propagation })),
    logPath: w.logPath,
  };
}

export function toContainerStats(w: WireContainerStats): ContainerStats {
  const a = w.attributes;
  const s: ContainerStats = {
    attributes: { id: a?.id ?? '', metadata: containerMeta(a?.metadata ?? null), labels: { ...(a?.labels ?? {}) }, annotations: { ...(a?.annotations ?? {}) } },
  };
  if (w.cpu) s.cpu = { timestamp: w.cpu.timestamp, usageCoreNanoSeconds: u64(w.cpu.usageCoreNanoSeconds) };
  if (w.memory) s.memory = { timestamp: w.memory.timestamp, workingSetBytes: u64(w.memory.workingSetBytes) };
  if (w.writableLayer) s.writableLayer = { timestamp: w.writableLayer.timestamp, usedBytes: u64(w.writableLayer.usedBytes) };
  return s;
}

export function toImage(w: WireImage): Image {
  return { id: w.id, repoTags: [...w.repoTags], repoDigests: [...w.repoDigests], size: w.size };
}

export function toFsUsage(w: WireFilesystemUsage): { usedBytes: string; inodesUsed: string; mountpoint: string } {
  return { usedBytes: u64(w.usedBytes), inodesUsed: u64(w.inodesUsed), mountpoint: w.fsId?.mountpoint ?? '' };
}
