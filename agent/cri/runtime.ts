/**
 * The container runtime as the kubelet sees it: the subset of CRI v1
 * (runtime.v1.RuntimeService and ImageService) Skiff uses, in CRI's own
 * names with camelCase fields. The kubelet depends on this interface only;
 * `grpc-runtime.ts` implements it over a unix socket (containerd), and
 * `fake-runtime.ts` in memory for unit tests. One shared suite
 * (test/conformance/runtime-suite.ts) runs against both.
 *
 * Contract:
 * - Failures throw RuntimeError with a code from the gRPC status set
 *   (NOT_FOUND for an unknown sandbox, container or image, UNIMPLEMENTED,
 *   UNAVAILABLE when the runtime is down…). Translating gRPC errors
 *   happens only in the gRPC implementation.
 * - Timestamps are nanoseconds since the epoch as decimal strings (CRI's
 *   int64, beyond Number.MAX_SAFE_INTEGER); `0`/absent means unset.
 * - Lists are filtered by the optional filter exactly as CRI does (all
 *   given fields must match; labelSelector is an equality map).
 * - removeContainer/removePodSandbox/stopPodSandbox of something already
 *   gone succeed (CRI's idempotence); stopContainer of a gone container
 *   throws NOT_FOUND.
 * - exec/attach/portForward return a single-use streaming URL.
 */

export type RuntimeErrorCode = 'NOT_FOUND' | 'UNIMPLEMENTED' | 'UNAVAILABLE' | 'DEADLINE_EXCEEDED' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS' | 'UNKNOWN';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export function isRuntimeError(e: unknown, code?: RuntimeErrorCode): e is RuntimeError {
  return e instanceof RuntimeError && (code === undefined || e.code === code);
}

export interface VersionInfo {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

// ---- sandboxes ----

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PortMapping {
  /** 0 TCP, 1 UDP, 2 SCTP (CRI's Protocol enum). */
  protocol: number;
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

export interface DnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

/** CRI NamespaceMode: 0 POD, 1 CONTAINER, 2 NODE, 3 TARGET. */
export interface NamespaceOption {
  network: number;
  pid: number;
  ipc: number;
}

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  runAsUser?: { value: string };
  runAsGroup?: { value: string };
  readonlyRootfs?: boolean;
  supplementalGroups?: string[];
  privileged?: boolean;
}

export interface LinuxPodSandboxConfig {
  cgroupParent: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls?: Record<string, string>;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  logDirectory: string;
  dnsConfig?: DnsConfig;
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: LinuxPodSandboxConfig;
}

/** CRI PodSandboxState: 0 SANDBOX_READY, 1 SANDBOX_NOTREADY. */
export const SANDBOX_READY = 0;
export const SANDBOX_NOTREADY = 1;

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: number;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  network?: { ip: string; additionalIps: { ip: string }[] };
}

export interface PodSandboxFilter {
  id?: string;
  state?: number;
  labelSelector?: Record<string, string>;
}

// ---- containers ----

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ImageSpec {
  image: string;
  annotations?: Record<string, string>;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel?: boolean;
  /** 0 PRIVATE, 1 HOST_TO_CONTAINER, 2 BIDIRECTIONAL. */
  propagation?: number;
}

export interface LinuxContainerResources {
  cpuPeriod: string;
  cpuQuota: string;
  cpuShares: string;
  memoryLimitInBytes: string;
  oomScoreAdj: string;
  cpusetCpus?: string;
  cpusetMems?: string;
}

export interface Capability {
  addCapabilities: string[];
  dropCapabilities: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  runAsUser?: { value: string };
  runAsGroup?: { value: string };
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: string[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

export interface LinuxContainerConfig {
  resources?: LinuxContainerResources;
  securityContext?: LinuxContainerSecurityContext;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command: string[];
  args: string[];
  workingDir: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux?: LinuxContainerConfig;
}

/** CRI ContainerState: 0 CREATED, 1 RUNNING, 2 EXITED, 3 UNKNOWN. */
export const CONTAINER_CREATED = 0;
export const CONTAINER_RUNNING = 1;
export const CONTAINER_EXITED = 2;
export const CONTAINER_UNKNOWN = 3;

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  state: number;
  createdAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: number;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: ImageSpec;
  imageRef: string;
  /** e.g. `OOMKilled`, `Completed`, `Error`. */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
}

export interface ContainerFilter {
  id?: string;
  state?: number;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

// ---- stats ----

export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata; labels: Record<string, string>; annotations: Record<string, string> };
  /** Cumulative CPU usage in nanoseconds, as a decimal string; timestamp in ns. */
  cpu?: { timestamp: string; usageCoreNanoSeconds: string };
  memory?: { timestamp: string; workingSetBytes: string };
  writableLayer?: { timestamp: string; usedBytes: string };
}

// ---- images ----

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
}

// ---- the interface ----

export interface Runtime {
  version(): Promise<VersionInfo>;
  /** Runtime conditions (RuntimeReady, NetworkReady). */
  status(): Promise<RuntimeCondition[]>;

  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Sends the stop signal, then SIGKILL after `timeoutSeconds`. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /** Applies new cgroup limits to a running container. */
  updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void>;
  /** Asks the runtime to reopen the container's log file (after rotation). */
  reopenContainerLog(containerId: string): Promise<void>;

  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  exec(req: { containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }): Promise<string>;
  attach(req: { containerId: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }): Promise<string>;
  portForward(req: { podSandboxId: string; port: number[] }): Promise<string>;

  listContainerStats(filter?: { id?: string; podSandboxId?: string }): Promise<ContainerStats[]>;

  listImages(): Promise<Image[]>;
  /** undefined when the image is not present. */
  imageStatus(image: string): Promise<Image | undefined>;
  /** Returns the image reference (digest) of the pulled image. */
  pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  removeImage(image: string): Promise<void>;
  /** Filesystem usage of the image store (bytes used, inodes used) for node stats. */
  imageFsInfo(): Promise<{ usedBytes: string; inodesUsed: string; mountpoint: string }[]>;

  /** Releases the connection. */
  close(): void;
}
