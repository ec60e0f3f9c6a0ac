/**
 * One pod's sync, carried out (upstream's SyncPod, SyncTerminatingPod and
 * killPodWithSyncResult): observe the runtime, computePodActions, then
 * kill, create the sandbox, start init containers or containers, and
 * publish the status. A pod past spec.activeDeadlineSeconds (from its
 * startTime) is killed and failed with DeadlineExceeded. Termination (deletion) stops containers gracefully
 * (preStop, then StopContainer with what is left of the grace period),
 * stops and removes the sandbox, removes the pod cgroup, volumes, pod
 * directory and logs, then writes the final status and confirms the
 * deletion. The pure decisions live in pod-actions, pod-status and
 * restart-backoff, stopping and removing in pod-killer; this module only
 * sequences them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../control-plane/api/meta.js';
import type { DnsConfig, PodSandboxConfig, Runtime } from '../cri/runtime.js';
import {
  containerAnnotations,
  containerLabels,
  isHostNetwork,
  isSidecar,
  podContainers,
  podIdentity,
  podInitContainers,
  terminationGracePeriod,
} from './cri-labels.js';
import { computePodActions } from './pod-actions.js';
import type { PodCgroups } from './pod-cgroups.js';
import { containerFieldPath, PodKiller, type PodEventSink } from './pod-killer.js';
import { ContainerStartError, type BuildContainerConfig, type ContainerSpec, type ImagePuller, type Pod, type ProberManager, type ResolveEnv, type RunHook, type VolumeManager } from './pod-deps.js';
import { generatePodStatus, KUBELET_CONDITIONS, type ApiPodStatus } from './pod-status.js';
import { backoffKey, crashLoopMessage, RestartBackoff } from './restart-backoff.js';
import type { RuntimeObserver } from './runtime-observer.js';
import { containersNamed, newestContainer, type PodRuntimeState } from './runtime-state.js';
import { buildSandboxConfig, podLogDirectory } from './sandbox-config.js';
import type { StatusManager } from './status-manager.js';

export interface KubeletMetrics {
  /** Pod start latency: first seen by the agent → Running published. */
  podStarted?(ms: number): void;
  containerRestarted?(namespace: string, pod: string, container: string): void;
  /** A container was started, or failed to (with the waiting reason as the code). */
  containerStarted?(kind: 'init' | 'sidecar' | 'regular', errorCode?: string): void;
  syncDone?(ms: number, error: boolean): void;
}

export interface SyncDeps {
  event?: PodEventSink;
  runtime: Runtime;
  observer: RuntimeObserver;
  statuses: StatusManager;
  clock: Clock;
  log: (msg: string) => void;
  resolveEnv: ResolveEnv;
  volumes: VolumeManager;
  imagePuller: ImagePuller;
  buildContainerConfig: BuildContainerConfig;
  prober?: ProberManager;
  runHook?: RunHook;
  cgroups?: PodCgroups;
  podsDir: string;
  logRoot: string;
  nodeHostname: string;
  hostIPs: () => string[];
  clusterDns: string[];
  clusterDomain: string;
  hostDns: () => DnsConfig;
  metrics?: KubeletMetrics;
  /** Asks for another sync of the pod after `ms`. */
  requeue: (uid: string, ms: number) => void;
}

interface PodMemory {
  reasons: Map<string, { reason: string; message: string }>;
  unhealthy: Map<string, 'liveness' | 'startup'>;
  firstSeen: number | undefined;
  startReported: boolean;
  deletionSeen: number | undefined;
}

export class PodSyncer {
  readonly backoff = new RestartBackoff();
  private readonly memory = new Map<string, PodMemory>();
  /** The latest observed state per pod (for the accessors). */
  readonly states = new Map<string, PodRuntimeState>();

  readonly killer: PodKiller;

  constructor(private readonly d: SyncDeps) {
    this.killer = new PodKiller(d);
  }

  private mem(uid: string): PodMemory {
    let m = this.memory.get(uid);
    if (!m) this.memory.set(uid, (m = { reasons: new Map(), unhealthy: new Map(), firstSeen: undefined, startReported: false, deletionSeen: undefined }));
    return m;
  }

  /** The pod was first seen by the agent (not yet running): start of the latency clock. */
  noteSeen(pod: Pod): void {
    const m = this.mem(pod.metadata.uid ?? '');
    if (m.firstSeen === undefined && !m.startReported) m.firstSeen = this.d.clock.now().getTime();
  }

  waitingReason(uid: string, container: string): { reason: string; message: string } | undefined {
    return this.memory.get(uid)?.reasons.get(container);
  }

  markUnhealthy(uid: string, containerId: string, kind: 'liveness' | 'startup'): void {
    this.mem(uid).unhealthy.set(containerId, kind);
  }

  podDir(uid: string): string {
    return join(this.d.podsDir, uid);
  }

  sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    return buildSandboxConfig({
      pod,
      attempt,
      nodeHostname: this.d.nodeHostname,
      logRoot: this.d.logRoot,
      clusterDns: this.d.clusterDns,
      clusterDomain: this.d.clusterDomain,
      hostDns: this.d.hostDns(),
      ...(this.d.cgroups ? { cgroupRoot: this.d.cgroups.parent } : {}),
    });
  }

  private async observe(uid: string): Promise<PodRuntimeState> {
    const s = await this.d.observer.podState(uid);
    this.states.set(uid, s);
    return s;
  }

  /** A pod bound here, not being deleted. */
  async sync(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const mem = this.mem(uid);
    let state = await this.observe(uid);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await this.killer.killPod(pod, state, terminationGracePeriod(pod));
      state = await this.observe(uid);
      this.publish(pod, state, true);
      return;
    }
    const deadline = this.activeDeadline(pod);
    if (deadline !== undefined) {
      const left = deadline - this.d.clock.now().getTime();
      if (left <= 0) {
        await this.killer.killPod(pod, state, terminationGracePeriod(pod));
        state = await this.observe(uid);
        this.publish(pod, state, true, { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
        return;
      }
      this.d.requeue(uid, left);
    }
    const actions = computePodActions(pod, state, {
      unhealthy: mem.unhealthy,
      isStarted: (name, id) => this.d.prober?.isStarted(uid, name, id) !== false,
    });
    if (actions.killPod) {
      await this.killer.killPod(pod, state, terminationGracePeriod(pod));
      if (!actions.createSandbox) {
        state = await this.observe(uid);
        this.publish(pod, state, false);
        return;
      }
    }
    let sandboxId = actions.sandboxId;
    let attempt = actions.attempt;
    // A new sandbox takes ~300 ms: the volumes (token request, tmpfs mount, files) are set up meanwhile.
    let volumesEarly: Promise<Map<string, string>> | undefined;
    if (actions.createSandbox) {
      // Pending with ContainerCreating/PodInitializing while the sandbox and images come.
      this.publish(pod, state, false);
      mkdirSync(this.podDir(uid), { recursive: true });
      volumesEarly = this.d.volumes.setUp(pod);
      volumesEarly.catch(() => undefined); // awaited below; a failure is handled there
      const created = await this.createSandbox(pod, attempt);
      if (!created) {
        this.publish(pod, await this.observe(uid), false);
        this.d.requeue(uid, 5000);
        return;
      }
      sandboxId = created;
      state = await this.observe(uid);
    }
    const sandbox = state.sandboxes.find((s) => s.id === sandboxId);
    attempt = sandbox?.attempt ?? attempt;
    const sandboxConfig = this.sandboxConfig(pod, attempt);
    const podIPs = isHostNetwork(pod) ? this.d.hostIPs() : (sandbox?.ips ?? []);

    for (const k of actions.containersToKill) {
      const c = state.containers.find((x) => x.id === k.id);
      const spec = [...podInitContainers(pod), ...podContainers(pod)].find((s) => s.name === k.name);
      this.d.log(`killing ${k.name} of ${pod.metadata.namespace}/${pod.metadata.name}: ${k.message}`);
      this.d.event?.(pod, 'Normal', 'Killing', k.reason ? k.message : `Stopping container ${k.name}`, containerFieldPath(pod, k.name));
      if (c) await this.killer.killContainer(pod, c, spec, this.probeGrace(pod, spec, k.reason), podIPs[0]);
      mem.unhealthy.delete(k.id);
    }

    const toStart: { spec: ContainerSpec; kind: 'init' | 'sidecar' | 'regular' }[] = [];
    for (const name of actions.initContainersToStart) {
      const spec = podInitContainers(pod).find((c) => c.name === name);
      if (spec) toStart.push({ spec, kind: isSidecar(spec) ? 'sidecar' : 'init' });
    }
    for (const name of actions.containersToStart) {
      const spec = podContainers(pod).find((c) => c.name === name);
      if (spec) toStart.push({ spec, kind: 'regular' });
    }
    if (toStart.length) {
      let volumePaths: Map<string, string>;
      try {
        volumePaths = await (volumesEarly ?? this.d.volumes.setUp(pod));
      } catch (e) {
        this.d.log(`volumes of ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
        this.publish(pod, state, false);
        this.d.requeue(uid, 2000);
        return;
      }
      if (actions.containersToKill.length) state = await this.observe(uid);
      for (const { spec, kind } of toStart) {
        await this.startContainer(pod, spec, kind, sandboxId, sandboxConfig, podIPs, state, volumePaths);
      }
      state = await this.observe(uid);
    } else {
      // Refresh configMap/secret/downwardAPI contents in place.
      await this.d.volumes.setUp(pod).catch((e: unknown) => this.d.log(`volumes of ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`));
    }
    await this.pruneDead(state);
    this.publish(pod, state, false);
    this.updateProber(pod, state, podIPs[0]);
  }

  private probeGrace(pod: Pod, spec: ContainerSpec | undefined, reason: string): number {
    if (spec && (reason === 'LivenessProbe' || reason === 'StartupProbe')) {
      const probe = (reason === 'LivenessProbe' ? spec.livenessProbe : spec.startupProbe) as { terminationGracePeriodSeconds?: number } | undefined;
      if (typeof probe?.terminationGracePeriodSeconds === 'number') return probe.terminationGracePeriodSeconds;
    }
    return terminationGracePeriod(pod);
  }

  private async createSandbox(pod: Pod, attempt: number): Promise<string | undefined> {
    const uid = pod.metadata.uid ?? '';
    try {
      mkdirSync(this.podDir(uid), { recursive: true });
      mkdirSync(podLogDirectory(this.d.logRoot, pod), { recursive: true });
      this.d.cgroups?.ensure(pod);
      const config = this.sandboxConfig(pod, attempt);
      const id = await this.d.runtime.runPodSandbox(config);
      this.d.log(`sandbox ${id.slice(0, 12)} for ${pod.metadata.namespace}/${pod.metadata.name} (attempt ${attempt})`);
      return id;
    } catch (e) {
      this.d.log(`FailedCreatePodSandBox ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
      this.d.event?.(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      return undefined;
    }
  }

  private async startContainer(
    pod: Pod,
    spec: ContainerSpec,
    kind: 'init' | 'sidecar' | 'regular',
    sandboxId: string,
    sandboxConfig: PodSandboxConfig,
    podIPs: string[],
    state: PodRuntimeState,
    volumePaths: Map<string, string>,
  ): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const mem = this.mem(uid);
    const prev = newestContainer(state, spec.name);
    const restartCount = prev ? prev.restartCount + 1 : 0;
    const now = this.d.clock.now().getTime();
    if (prev && prev.state === 'exited') {
      const key = backoffKey(uid, spec.name);
      const wait = this.backoff.restartDelay(key, prev.finishedAt || now, now);
      if (wait > 0) {
        mem.reasons.set(spec.name, { reason: 'CrashLoopBackOff', message: crashLoopMessage(this.backoff.get(key), spec.name, podIdentity(pod)) });
        const id = podIdentity(pod);
        this.d.event?.(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${id.name}_${id.namespace}(${id.uid})`, containerFieldPath(pod, spec.name));
        this.d.requeue(uid, wait);
        return;
      }
    }
    let stage = 'config';
    try {
      const imageRef = await this.d.imagePuller.ensureImage(pod, spec, sandboxConfig);
      const env = await this.d.resolveEnv(pod, spec, podIPs);
      // podIPs rides along for builders that read it (downward API before the first status write).
      const input = { pod, container: spec, attempt: restartCount, env, volumePaths, podDir: this.podDir(uid), sandboxConfig, imageRef, podIPs };
      const cfg = this.d.buildContainerConfig(input);
      cfg.metadata = { name: spec.name, attempt: restartCount };
      cfg.labels = { ...cfg.labels, ...containerLabels(pod, spec) };
      cfg.annotations = { ...cfg.annotations, ...containerAnnotations(pod, spec, restartCount, kind) };
      if (!cfg.logPath) cfg.logPath = `${spec.name}/${restartCount}.log`;
      stage = 'create';
      const id = await this.d.runtime.createContainer(sandboxId, cfg, sandboxConfig);
      this.d.event?.(pod, 'Normal', 'Created', `Created container: ${spec.name}`, containerFieldPath(pod, spec.name));
      stage = 'start';
      await this.d.runtime.startContainer(id);
      this.d.event?.(pod, 'Normal', 'Started', `Started container ${spec.name}`, containerFieldPath(pod, spec.name));
      mem.reasons.delete(spec.name);
      this.d.metrics?.containerStarted?.(kind);
      if (prev) this.d.metrics?.containerRestarted?.(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', spec.name);
      const lifecycle = spec.lifecycle as { postStart?: unknown } | undefined;
      if (lifecycle?.postStart && this.d.runHook) {
        const failure = await this.d.runHook(pod, spec, id, 'postStart', podIPs[0], this.d.runtime);
        if (failure) {
          this.d.log(`FailedPostStartHook ${pod.metadata.namespace}/${pod.metadata.name} ${spec.name}: ${failure}`);
          this.d.event?.(pod, 'Warning', 'FailedPostStartHook', failure, containerFieldPath(pod, spec.name));
          await this.killer.stopContainer(id, terminationGracePeriod(pod));
          mem.reasons.set(spec.name, { reason: 'PostStartHookError', message: failure });
        }
      }
    } catch (e) {
      if (e instanceof ContainerStartError) mem.reasons.set(spec.name, { reason: e.reason, message: e.message });
      else {
        const reason = stage === 'start' ? 'RunContainerError' : stage === 'create' ? 'CreateContainerError' : 'CreateContainerConfigError';
        mem.reasons.set(spec.name, { reason, message: (e as Error).message });
      }
      this.d.log(`start ${spec.name} of ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
      const why = mem.reasons.get(spec.name);
      this.d.metrics?.containerStarted?.(kind, why?.reason ?? 'Error');
      this.d.event?.(pod, 'Warning', 'Failed', `Error: ${why?.reason ?? 'Error'}`, containerFieldPath(pod, spec.name));
      this.d.requeue(uid, 2000);
    }
  }

  /** Keeps the newest two instances of a container name (status and lastState) and the newest sandbox; removes older dead ones. */
  private async pruneDead(state: PodRuntimeState): Promise<void> {
    const names = new Set(state.containers.map((c) => c.name));
    for (const name of names) {
      for (const old of containersNamed(state, name).slice(2)) {
        if (old.state !== 'exited') continue;
        await this.d.runtime.removeContainer(old.id).catch(() => undefined);
      }
    }
    const used = new Set(state.containers.map((c) => c.sandboxId));
    for (const sb of state.sandboxes.slice(1)) {
      if (sb.ready || used.has(sb.id)) continue;
      await this.d.runtime.removePodSandbox(sb.id).catch(() => undefined);
    }
  }

  /**
   * The pod with the kubelet-owned part of its status taken from our last
   * write when the server's copy (the informer's) may not show it yet, so
   * lastTransitionTime and startTime stay put across quick syncs.
   */
  private withLastWritten(pod: Pod): Pod {
    const written = this.d.statuses.latest(pod.metadata.uid ?? '');
    if (!written) return pod;
    const server = (pod.status ?? {}) as Record<string, unknown>;
    const foreign = (Array.isArray(server.conditions) ? (server.conditions as { type: string }[]) : []).filter((c) => !KUBELET_CONDITIONS.includes(c.type));
    const mine = (Array.isArray(written.conditions) ? (written.conditions as { type: string }[]) : []).filter((c) => KUBELET_CONDITIONS.includes(c.type));
    return { ...pod, status: { ...server, ...written, conditions: [...mine, ...foreign] } };
  }

  /** When spec.activeDeadlineSeconds runs out (epoch ms), counted from status.startTime. */
  private activeDeadline(pod: Pod): number | undefined {
    const secs = pod.spec?.activeDeadlineSeconds;
    if (typeof secs !== 'number') return undefined;
    const start = this.d.statuses.latest(pod.metadata.uid ?? '')?.startTime ?? pod.status?.startTime;
    const t = typeof start === 'string' ? Date.parse(start) : NaN;
    return Number.isFinite(t) ? t + secs * 1000 : undefined;
  }

  private publish(pod: Pod, state: PodRuntimeState, podIsTerminal: boolean, failed?: { reason: string; message: string }): ApiPodStatus {
    const uid = pod.metadata.uid ?? '';
    const mem = this.mem(uid);
    const status = generatePodStatus({
      pod: this.withLastWritten(pod),
      state,
      now: this.d.clock.now(),
      hostIPs: this.d.hostIPs(),
      waiting: mem.reasons,
      probes: this.d.prober,
      podIsTerminal,
      failed,
    });
    this.d.statuses.setStatus(pod, status);
    if (status.phase === 'Running' && !mem.startReported) {
      mem.startReported = true;
      if (mem.firstSeen !== undefined) this.d.metrics?.podStarted?.(this.d.clock.now().getTime() - mem.firstSeen);
    }
    return status;
  }

  private updateProber(pod: Pod, state: PodRuntimeState, podIP: string | undefined): void {
    if (!this.d.prober) return;
    const running = new Map<string, { id: string; startedAt: Date }>();
    for (const c of state.containers) {
      if (c.state !== 'running' || running.has(c.name)) continue;
      if (newestContainer(state, c.name)?.id !== c.id) continue;
      running.set(c.name, { id: c.id, startedAt: new Date(c.startedAt || c.createdAt) });
    }
    this.d.prober.update(pod, running, podIP);
  }

  /**
   * A pod being deleted (or gone from the server when `confirm` is false):
   * graceful stop, then everything the pod had on the node is removed, then
   * (confirm) the final status and the deletion with grace 0.
   */
  async terminate(pod: Pod, confirm: boolean): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const mem = this.mem(uid);
    const now = this.d.clock.now().getTime();
    if (mem.deletionSeen === undefined) mem.deletionSeen = now;
    const dg = pod.metadata.deletionGracePeriodSeconds;
    const grace = typeof dg === 'number' ? dg : terminationGracePeriod(pod);
    const remaining = Math.max(0, grace - (now - mem.deletionSeen) / 1000);
    let state = await this.observe(uid);
    await this.killer.killPod(pod, state, remaining);
    state = await this.observe(uid);
    const status = generatePodStatus({ pod, state, now: this.d.clock.now(), hostIPs: this.d.hostIPs(), waiting: new Map(), probes: this.d.prober, podIsTerminal: true });
    await this.killer.removePodResources(uid, state, pod);
    if (confirm) await this.d.statuses.finalize(pod, status);
    else this.d.statuses.removePod(uid);
    this.forget(uid);
  }

  forget(uid: string): void {
    this.memory.delete(uid);
    this.states.delete(uid);
    this.backoff.removePod(uid);
    this.d.prober?.removePod(uid);
  }
}
