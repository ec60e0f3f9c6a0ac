/**
 * Stopping and removing what a pod has on the node (upstream's
 * killContainer / killPodWithSyncResult and the pod cleanup): preStop
 * (exec/http/tcp/sleep through the hook runner, bounded by the grace
 * period), then StopContainer with what is left of the grace period (at
 * least 2 s, upstream's minimum), regular containers before init
 * containers and sidecars, then StopPodSandbox. removePodResources takes
 * away containers, sandboxes, volumes, the pod cgroup, the pod directory
 * and the pod's logs. NOT_FOUND from the runtime means already gone.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isRuntimeError, type Runtime } from '../cri/runtime.js';
import { podContainers, podInitContainers } from './cri-labels.js';
import type { PodCgroups } from './pod-cgroups.js';
import type { ContainerSpec, Pod, ProberManager, RunHook, VolumeManager } from './pod-deps.js';
import type { RuntimeObserver } from './runtime-observer.js';
import type { ObservedContainer, PodRuntimeState } from './runtime-state.js';
import { podLogDirectory } from './sandbox-config.js';

/** Upstream's minimumGracePeriodInSeconds. */
export const MIN_GRACE_SECONDS = 2;

/** Where the kubelet's events go (Created, Started, Killing, BackOff…): the pod, type, reason, message, and the container's fieldPath. */
export type PodEventSink = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string) => void;

/** The involvedObject.fieldPath of a container, as upstream: `spec.containers{app}`. */
export function containerFieldPath(pod: Pod, name: string): string {
  return podInitContainers(pod).some((c) => c.name === name) ? `spec.initContainers{${name}}` : `spec.containers{${name}}`;
}

export interface KillerDeps {
  event?: PodEventSink;
  runtime: Runtime;
  observer: RuntimeObserver;
  log: (msg: string) => void;
  volumes: VolumeManager;
  prober?: ProberManager;
  runHook?: RunHook;
  cgroups?: PodCgroups;
  podsDir: string;
  logRoot: string;
}

export class PodKiller {
  constructor(private readonly d: KillerDeps) {}

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    try {
      await this.d.runtime.stopContainer(id, Math.max(MIN_GRACE_SECONDS, Math.ceil(graceSeconds)));
    } catch (e) {
      if (!isRuntimeError(e, 'NOT_FOUND')) throw e;
    }
    this.d.observer.forget([id]);
  }

  /** preStop (when the spec has one), then StopContainer with what is left of the grace period. */
  async killContainer(pod: Pod, c: ObservedContainer, spec: ContainerSpec | undefined, graceSeconds: number, podIP: string | undefined): Promise<void> {
    if (c.state !== 'running' && c.state !== 'unknown') return;
    let grace = graceSeconds;
    const lifecycle = spec?.lifecycle as { preStop?: unknown } | undefined;
    if (spec && lifecycle?.preStop && this.d.runHook && c.state === 'running' && grace > 0) {
      const began = Date.now();
      const hook = this.d.runHook(pod, spec, c.id, 'preStop', podIP, this.d.runtime);
      const timeout = new Promise<string>((r) => setTimeout(() => r('timeout'), grace * 1000).unref());
      const failure = await Promise.race([hook, timeout]);
      if (failure) {
        this.d.log(`FailedPreStopHook ${pod.metadata.namespace}/${pod.metadata.name} ${spec.name}: ${failure}`);
        this.d.event?.(pod, 'Warning', 'FailedPreStopHook', failure, containerFieldPath(pod, spec.name));
      }
      grace -= (Date.now() - began) / 1000;
    }
    await this.stopContainer(c.id, grace);
  }

  /** Kills every container (regular ones first, then init/sidecars) and stops the sandboxes. */
  async killPod(pod: Pod, state: PodRuntimeState, graceSeconds: number): Promise<void> {
    const podIP = state.sandboxes[0]?.ips[0];
    const specs = new Map([...podInitContainers(pod), ...podContainers(pod)].map((c) => [c.name, c] as const));
    const regular = new Set(podContainers(pod).map((c) => c.name));
    const live = state.containers.filter((c) => c.state === 'running' || c.state === 'unknown' || c.state === 'created');
    await Promise.all(live.filter((c) => regular.has(c.name)).map((c) => this.killContainer(pod, c, specs.get(c.name), graceSeconds, podIP)));
    await Promise.all(live.filter((c) => !regular.has(c.name)).map((c) => this.killContainer(pod, c, specs.get(c.name), graceSeconds, podIP)));
    for (const sb of state.sandboxes) {
      if (!sb.ready) continue;
      await this.d.runtime.stopPodSandbox(sb.id);
      this.d.observer.forget([sb.id]);
    }
    this.d.prober?.removePod(pod.metadata.uid ?? '');
  }

  /** Removes containers, sandboxes, volumes, the pod cgroup, the pod directory and the pod's logs. */
  async removePodResources(uid: string, state: PodRuntimeState, pod?: Pod): Promise<void> {
    for (const c of state.containers) await this.d.runtime.removeContainer(c.id).catch((e: unknown) => this.d.log(`remove container ${c.id}: ${(e as Error).message}`));
    for (const sb of state.sandboxes) {
      await this.d.runtime.stopPodSandbox(sb.id).catch(() => undefined);
      await this.d.runtime.removePodSandbox(sb.id).catch((e: unknown) => this.d.log(`remove sandbox ${sb.id}: ${(e as Error).message}`));
    }
    this.d.observer.forget([...state.containers.map((c) => c.id), ...state.sandboxes.map((s) => s.id)]);
    await this.d.volumes.tearDown(uid).catch((e: unknown) => this.d.log(`tear down volumes of ${uid}: ${(e as Error).message}`));
    if (this.d.cgroups && !this.d.cgroups.remove(uid)) this.d.log(`pod cgroup of ${uid} still busy; cleanup retries`);
    rmSync(join(this.d.podsDir, uid), { recursive: true, force: true });
    if (pod) rmSync(podLogDirectory(this.d.logRoot, pod), { recursive: true, force: true });
  }
}
