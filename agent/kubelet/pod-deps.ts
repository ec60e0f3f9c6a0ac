/**
 * The seams inside the kubelet: what the pod sync loop (pod-sync.ts and
 * friends) consumes from the parts that prepare a container (env,
 * volumes, images, the CRI config) and the parts that watch one (probes,
 * hooks, log rotation). Each interface is implemented in its own module;
 * the sync loop depends on these declarations only, so every part can be
 * unit-tested against the fake runtime and a fake of its neighbours.
 */
import type { KubeObject } from '../../control-plane/api/meta.js';
import type { ContainerConfig, KeyValue, PodSandboxConfig, Runtime } from '../cri/runtime.js';

/** A Pod as the kubelet reads it (spec and status stay loosely typed, as everywhere in Skiff). */
export type Pod = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
/** One entry of spec.containers / spec.initContainers. */
export type ContainerSpec = Record<string, unknown> & { name: string; image?: string };

/**
 * A failure that keeps one container from being created, with the waiting
 * reason the kubelet reports (CreateContainerConfigError,
 * CreateContainerError, ErrImagePull, ImagePullBackOff, ErrImageNeverPull…).
 */
export class ContainerStartError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

/** Reads the kubelet needs from the API (namespaced objects; undefined when missing). */
export interface ObjectSource {
  getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  getSecret(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** Services of a namespace, for the `{SVC}_SERVICE_HOST` variables (plus those of `default` for the kubernetes Service). */
  listServices(namespace: string): Promise<KubeObject[]>;
  /** TokenRequest (serviceaccounts/token) for projected serviceAccountToken volumes. */
  requestServiceAccountToken(namespace: string, serviceAccount: string, req: { audiences: string[]; expirationSeconds: number; podName: string; podUid: string }): Promise<{ token: string; expirationTimestamp: string }>;
}

/** Node facts env and downward API need. */
export interface NodeFacts {
  nodeName: string;
  hostIP: string;
}

/** env.ts: the container's final environment (env, envFrom, valueFrom, Service variables). Throws ContainerStartError('CreateContainerConfigError', …). */
export type ResolveEnv = (pod: Pod, container: ContainerSpec, podIPs: string[]) => Promise<KeyValue[]>;

/**
 * volumes/volume-manager.ts: the pod's volumes on disk under the pod
 * directory. setUp is idempotent and also refreshes configMap, secret,
 * downwardAPI and projected contents in place (atomically, as upstream's
 * `..data` symlink swap), so the sync loop calls it on every sync.
 * Returns the host path of every volume by name. tearDown removes all of
 * the pod's volume directories (unmounting tmpfs first).
 */
export interface VolumeManager {
  setUp(pod: Pod): Promise<Map<string, string>>;
  tearDown(podUid: string): Promise<void>;
}

/** container-config.ts: everything CRI needs to create one container. */
export interface ContainerConfigInput {
  pod: Pod;
  container: ContainerSpec;
  /** CRI attempt number = restartCount. */
  attempt: number;
  env: KeyValue[];
  volumePaths: Map<string, string>;
  /** The pod's directory (DIR/pods/UID); termination-log and etc-hosts live under it. */
  podDir: string;
  sandboxConfig: PodSandboxConfig;
  /** The image reference to run (as resolved by the image puller). */
  imageRef: string;
}
/** Throws ContainerStartError('CreateContainerConfigError', …) for a volumeMount naming no volume, a bad subPath… */
export type BuildContainerConfig = (input: ContainerConfigInput) => ContainerConfig;

/**
 * image-puller.ts: makes the container's image present per imagePullPolicy
 * (Always, IfNotPresent, Never; defaulted by the server), with the pod's
 * imagePullSecrets as auth and per-image backoff (10 s doubling to 5 min).
 * Resolves with the image ref; throws ContainerStartError with
 * ErrImagePull, ImagePullBackOff (while backing off) or ErrImageNeverPull.
 */
export interface ImagePuller {
  ensureImage(pod: Pod, container: ContainerSpec, sandboxConfig: PodSandboxConfig): Promise<string>;
}

/** Probe results the status computation reads. */
export interface ProbeResults {
  /** undefined: no readiness probe (ready when running) or not yet probed. */
  isReady(podUid: string, containerName: string, containerId: string): boolean | undefined;
  /** false while a startup probe has not yet succeeded. */
  isStarted(podUid: string, containerName: string, containerId: string): boolean | undefined;
}

/**
 * probes/prober-manager.ts: runs startup, liveness and readiness probes
 * (exec through the runtime, httpGet, tcpSocket; every timing field) for
 * the running containers the sync loop reports. A failed liveness or
 * startup probe calls onUnhealthy; the sync loop kills the container
 * (with the grace period) and restarts it per restartPolicy.
 */
export interface ProberManager extends ProbeResults {
  /** Called after every sync with the pod and its running containers (name → CRI id, started at). */
  update(pod: Pod, running: Map<string, { id: string; startedAt: Date }>, podIP: string | undefined): void;
  removePod(podUid: string): void;
  onUnhealthy(cb: (podUid: string, containerName: string, containerId: string, message: string) => void): void;
  onResult(cb: (podUid: string) => void): void;
  stop(): void;
}

/** lifecycle-hooks.ts: postStart/preStop handlers (exec, httpGet, tcpSocket, sleep). Resolves with an error message on failure. */
export type RunHook = (pod: Pod, container: ContainerSpec, containerId: string, hook: 'postStart' | 'preStop', podIP: string | undefined, runtime: Runtime) => Promise<string | undefined>;
