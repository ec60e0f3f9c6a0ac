/**
 * GrpcRuntime: the Runtime interface over CRI v1 gRPC on a unix socket
 * (containerd's CRI plugin, or any CRI runtime), with @grpc/grpc-js.
 *
 * Contract (see runtime.ts):
 * - Every call has a deadline. Most calls get `requestTimeoutMs` (30 s);
 *   calls that do real work (RunPodSandbox with CNI, CreateContainer,
 *   removals) get `longTimeoutMs` (2 min, upstream's runtime-request-
 *   timeout); StopContainer and ExecSync get their own timeout plus
 *   `requestTimeoutMs` (the runtime waits the grace period / the command);
 *   PullImage gets `pullTimeoutMs` (10 min).
 * - gRPC failures become RuntimeError (cri-errors.ts); this is the only
 *   module that sees gRPC status codes. NOT_FOUND from StopPodSandbox,
 *   RemovePodSandbox, RemoveContainer and RemoveImage is success (CRI's
 *   idempotence).
 * - `onCall(method, ms, error?)` is called after every RPC with its CRI
 *   name and duration (and the error code when it failed): the agent's
 *   CRI call-duration and error metrics hang here.
 * - One channel serves both RuntimeService and ImageService; connecting
 *   is lazy, so constructing never fails. A runtime that is down gives
 *   UNAVAILABLE per call (no waitForReady), so callers decide on retries;
 *   after a runtime restart the channel reconnects within ~3 s.
 */
import * as grpc from '@grpc/grpc-js';
import { criMethods, type CriMethod } from './cri-proto.js';
import { fromGrpcError } from './cri-errors.js';
import {
  toContainer,
  toContainerStats,
  toContainerStatus,
  toFsUsage,
  toImage,
  toPodSandbox,
  toPodSandboxStatus,
  type WireContainer,
  type WireContainerStats,
  type WireContainerStatus,
  type WireFilesystemUsage,
  type WireImage,
  type WirePodSandbox,
  type WirePodSandboxStatus,
} from './cri-wire.js';
import {
  RuntimeError,
  type AuthConfig,
  type Container,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecSyncResult,
  type Image,
  type LinuxContainerResources,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeCondition,
  type RuntimeErrorCode,
  type VersionInfo,
} from './runtime.js';

/** The CRI API version the kubelet announces in VersionRequest. */
export const CRI_API_VERSION = 'v1';

export interface GrpcRuntimeOptions {
  /** Deadline of ordinary calls (status, lists, start…). Default 30 s. */
  requestTimeoutMs?: number;
  /** Deadline of RunPodSandbox, CreateContainer, StopPodSandbox and the removals. Default 2 min. */
  longTimeoutMs?: number;
  /** Deadline of PullImage. Default 10 min. */
  pullTimeoutMs?: number;
  /** Called after every RPC: its CRI name (`RunPodSandbox`…), duration, and error code on failure. */
  onCall?: (method: string, ms: number, error?: RuntimeErrorCode) => void;
}

const LONG_CALLS = new Set(['RunPodSandbox', 'CreateContainer', 'StopPodSandbox', 'RemovePodSandbox', 'RemoveContainer', 'RemoveImage']);
/** Calls for which NOT_FOUND means "already gone", i.e. success. */
const IDEMPOTENT_REMOVALS = new Set(['StopPodSandbox', 'RemovePodSandbox', 'RemoveContainer', 'RemoveImage']);
/** Upstream kubelet's message size limit for CRI (16 MiB), doubled: ExecSync output alone may be 16 MiB. */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * CRI method → upstream kubelet's `operation_type` label of
 * kubelet_runtime_operations_{total,duration_seconds,errors_total}
 * (pkg/kubelet/kuberuntime/instrumented_services.go), for onCall users.
 */
export const CRI_OPERATION_TYPES: Readonly<Record<string, string>> = {
  Version: 'version',
  Status: 'status',
  RunPodSandbox: 'run_podsandbox',
  StopPodSandbox: 'stop_podsandbox',
  RemovePodSandbox: 'remove_podsandbox',
  PodSandboxStatus: 'podsandbox_status',
  ListPodSandbox: 'list_podsandbox',
  CreateContainer: 'create_container',
  StartContainer: 'start_container',
  StopContainer: 'stop_container',
  RemoveContainer: 'remove_container',
  ListContainers: 'list_containers',
  ContainerStatus: 'container_status',
  UpdateContainerResources: 'update_container',
  ReopenContainerLog: 'reopen_container_log',
  ExecSync: 'exec_sync',
  Exec: 'exec',
  Attach: 'attach',
  PortForward: 'port_forward',
  ContainerStats: 'container_stats',
  ListContainerStats: 'list_container_stats',
  ListImages: 'list_images',
  ImageStatus: 'image_status',
  PullImage: 'pull_image',
  RemoveImage: 'remove_image',
  ImageFsInfo: 'image_fs_info',
};

/** `unix:///run/x.sock` → the socket path (also accepts a bare absolute path). */
export function unixSocketPath(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint.slice('unix://'.length);
  if (endpoint.startsWith('/')) return endpoint;
  throw new Error(`not a unix socket endpoint: ${endpoint}`);
}

export class GrpcRuntime implements Runtime {
  private readonly client: grpc.Client;
  private readonly methods = criMethods();
  private readonly requestTimeoutMs: number;
  private readonly longTimeoutMs: number;
  private readonly pullTimeoutMs: number;
  private readonly onCall: GrpcRuntimeOptions['onCall'];

  constructor(
    readonly endpoint: string,
    options: GrpcRuntimeOptions = {},
  ) {
    this.client = new grpc.Client(`unix://${unixSocketPath(endpoint)}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // upstream kubelet's reconnect backoff (100 ms base, 3 s max): after a runtime restart
      // the channel is back within seconds, not grpc's default of up to 2 minutes
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 3000,
    });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.longTimeoutMs = options.longTimeoutMs ?? 120_000;
    this.pullTimeoutMs = options.pullTimeoutMs ?? 600_000;
    this.onCall = options.onCall;
  }

  /** One unary RPC with a deadline, timing and error translation. `timeoutMs` undefined = the method's default. */
  private async call<R>(name: string, req: object, timeoutMs?: number): Promise<R> {
    const method: CriMethod | undefined = this.methods.get(name);
    if (!method) throw new RuntimeError('UNIMPLEMENTED', `CRI method ${name} is not in proto/cri/api.proto`);
    const ms = timeoutMs ?? (LONG_CALLS.has(name) ? this.longTimeoutMs : this.requestTimeoutMs);
    const options: grpc.CallOptions = ms === Infinity ? {} : { deadline: Date.now() + ms };
    const started = performance.now();
    try {
      const res = await new Promise<object>((resolve, reject) => {
        this.client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, req, new grpc.Metadata(), options, (err, value) => {
          if (err) reject(err);
          else resolve(value ?? {});
        });
      });
      this.onCall?.(name, performance.now() - started);
      return res as R;
    } catch (e) {
      const err = fromGrpcError(e, name);
      if (IDEMPOTENT_REMOVALS.has(name) && err.code === 'NOT_FOUND') {
        this.onCall?.(name, performance.now() - started);
        return {} as R;
      }
      this.onCall?.(name, performance.now() - started, err.code);
      throw err;
    }
  }

  async version(): Promise<VersionInfo> {
    const r = await this.call<VersionInfo>('Version', { version: CRI_API_VERSION });
    return { version: r.version, runtimeName: r.runtimeName, runtimeVersion: r.runtimeVersion, runtimeApiVersion: r.runtimeApiVersion };
  }

  async status(): Promise<RuntimeCondition[]> {
    const r = await this.call<{ status: { conditions: RuntimeCondition[] } | null }>('Status', {});
    return (r.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const r = await this.call<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler });
    return r.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call('StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RemovePodSandbox', { podSandboxId });
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const r = await this.call<{ status: WirePodSandboxStatus | null }>('PodSandboxStatus', { podSandboxId });
    if (!r.status) throw new RuntimeError('NOT_FOUND', `rpc error: code = NotFound desc = no status for sandbox ${podSandboxId}`);
    return toPodSandboxStatus(r.status);
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    const wire = filter && { id: filter.id ?? '', state: filter.state === undefined ? null : { state: filter.state }, labelSelector: filter.labelSelector ?? {} };
    const r = await this.call<{ items: WirePodSandbox[] }>('ListPodSandbox', { filter: wire });
    return r.items.map(toPodSandbox);
  }

  // ---- containers ----

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const r = await this.call<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig });
    return r.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call('StartContainer', { containerId });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const timeout = Math.max(0, Math.floor(timeoutSeconds));
    await this.call('StopContainer', { containerId, timeout: String(timeout) }, timeout * 1000 + this.requestTimeoutMs);
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call('RemoveContainer', { containerId });
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    const wire = filter && {
      id: filter.id ?? '',
      state: filter.state === undefined ? null : { state: filter.state },
      podSandboxId: filter.podSandboxId ?? '',
      labelSelector: filter.labelSelector ?? {},
    };
    const r = await this.call<{ containers: WireContainer[] }>('ListContainers', { filter: wire });
    return r.containers.map(toContainer);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const r = await this.call<{ status: WireContainerStatus | null }>('ContainerStatus', { containerId });
    if (!r.status) throw new RuntimeError('NOT_FOUND', `rpc error: code = NotFound desc = no status for container ${containerId}`);
    return toContainerStatus(r.status);
  }

  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    await this.call('UpdateContainerResources', { containerId, linux });
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.call('ReopenContainerLog', { containerId });
  }

  // ---- streaming ----

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    const timeout = Math.max(0, Math.ceil(timeoutSeconds));
    const deadline = timeout === 0 ? Infinity : timeout * 1000 + this.requestTimeoutMs;
    const r = await this.call<{ stdout: Buffer; stderr: Buffer; exitCode: number }>('ExecSync', { containerId, cmd, timeout: String(timeout) }, deadline);
    return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exitCode: r.exitCode };
  }

  async exec(req: { containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }): Promise<string> {
    return (await this.call<{ url: string }>('Exec', req)).url;
  }

  async attach(req: { containerId: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }): Promise<string> {
    return (await this.call<{ url: string }>('Attach', req)).url;
  }

  async portForward(req: { podSandboxId: string; port: number[] }): Promise<string> {
    return (await this.call<{ url: string }>('PortForward', req)).url;
  }

  // ---- stats ----

  async listContainerStats(filter?: { id?: string; podSandboxId?: string }): Promise<ContainerStats[]> {
    const wire = filter && { id: filter.id ?? '', podSandboxId: filter.podSandboxId ?? '', labelSelector: {} };
    const r = await this.call<{ stats: WireContainerStats[] }>('ListContainerStats', { filter: wire });
    return r.stats.map(toContainerStats);
  }

  // ---- images ----

  async listImages(): Promise<Image[]> {
    const r = await this.call<{ images: WireImage[] }>('ListImages', {});
    return r.images.map(toImage);
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    const r = await this.call<{ image: WireImage | null }>('ImageStatus', { image: { image } });
    return r.image ? toImage(r.image) : undefined;
  }

  async pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const r = await this.call<{ imageRef: string }>('PullImage', { image: { image }, auth, sandboxConfig }, this.pullTimeoutMs);
    return r.imageRef;
  }

  async removeImage(image: string): Promise<void> {
    await this.call('RemoveImage', { image: { image } });
  }

  async imageFsInfo(): Promise<{ usedBytes: string; inodesUsed: string; mountpoint: string }[]> {
    const r = await this.call<{ imageFilesystems: WireFilesystemUsage[] }>('ImageFsInfo', {});
    return r.imageFilesystems.map(toFsUsage);
  }

  close(): void {
    this.client.close();
  }
}
