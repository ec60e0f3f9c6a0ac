/**
 * The simulated "container runtime" state of one pod: which containers run
 * since when, under which container ID, how often they restarted, and the
 * pod's phase. Pure: the caller passes the time and an ID generator.
 *
 * A pod starts with its init containers already Completed (sidecars, init
 * containers with restartPolicy Always, keep running) and its containers
 * running. A sim restart adopts what the pod's status already says (IP,
 * start times, container IDs, restart counts) instead of starting over.
 * exit-after ends the containers with exit code 0 once; restartPolicy
 * Always restarts them (new ID, restartCount+1, lastState terminated),
 * Never and OnFailure end the pod Succeeded.
 */
import type { KubeObject } from '../../control-plane/api/meta.js';

export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: Date;
  finishedAt: Date;
  containerID: string;
}

export interface ContainerRun {
  name: string;
  image: string;
  id: string;
  startedAt: Date;
  restartCount: number;
  /** Set while the container has ended and is not restarted. */
  terminated?: Terminated;
  /** The previous run's end (after a restart). */
  last?: Terminated;
  /** Init container with restartPolicy Always (a sidecar): keeps running. */
  sidecar?: boolean;
}

export type PodPhase = 'Running' | 'Succeeded' | 'Failed';

export interface PodRun {
  uid: string;
  podIP: string;
  hostIP: string;
  startTime: Date;
  init: ContainerRun[];
  containers: ContainerRun[];
  phase: PodPhase;
  /** exit-after has fired for this pod (it fires once). */
  exited: boolean;
}

export interface ContainerSpec {
  name: string;
  image: string;
  restartPolicy?: string;
}

interface ContainerStatusIn {
  name?: string;
  containerID?: string;
  restartCount?: number;
  state?: { running?: { startedAt?: string }; terminated?: Record<string, unknown> };
  lastState?: { terminated?: Record<string, unknown> };
}

export function containerSpecs(pod: KubeObject, field: 'containers' | 'initContainers'): ContainerSpec[] {
  const spec = pod.spec as Record<string, unknown> | undefined;
  const list = spec?.[field];
  if (!Array.isArray(list)) return [];
  return list.map((c: Record<string, unknown>) => ({
    name: typeof c.name === 'string' ? c.name : '',
    image: typeof c.image === 'string' ? c.image : '',
    restartPolicy: typeof c.restartPolicy === 'string' ? c.restartPolicy : undefined,
  }));
}

export function restartPolicy(pod: KubeObject): string {
  const p = (pod.spec as Record<string, unknown> | undefined)?.restartPolicy;
  return typeof p === 'string' ? p : 'Always';
}

/** Seconds from the exit-after annotation, or undefined when absent or not a number ≥ 0. */
export function exitAfterSeconds(pod: KubeObject, annotation: string): number | undefined {
  const v = pod.metadata.annotations?.[annotation];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function date(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function terminatedFrom(t: Record<string, unknown> | undefined, fallbackId: string): Terminated | undefined {
  if (!t) return undefined;
  const startedAt = date(t.startedAt) ?? new Date(0);
  return {
    exitCode: typeof t.exitCode === 'number' ? t.exitCode : 0,
    reason: typeof t.reason === 'string' ? t.reason : 'Completed',
    startedAt,
    finishedAt: date(t.finishedAt) ?? startedAt,
    containerID: typeof t.containerID === 'string' ? t.containerID : fallbackId,
  };
}

/** A fresh run: init containers completed at `now`, containers running since `now`. */
export function startPodRun(pod: KubeObject, podIP: string, hostIP: string, now: Date, newId: () => string): PodRun {
  const init = containerSpecs(pod, 'initContainers').map((c): ContainerRun => {
    const id = newId();
    const sidecar = c.restartPolicy === 'Always';
    const run: ContainerRun = { name: c.name, image: c.image, id, startedAt: now, restartCount: 0, sidecar };
    if (!sidecar) run.terminated = { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now, containerID: `sim://${id}` };
    return run;
  });
  const containers = containerSpecs(pod, 'containers').map((c): ContainerRun => ({ name: c.name, image: c.image, id: newId(), startedAt: now, restartCount: 0 }));
  return { uid: pod.metadata.uid ?? '', podIP, hostIP, startTime: now, init, containers, phase: 'Running', exited: false };
}

/**
 * Rebuilds a run from a pod status the sim wrote before (it restarted):
 * keeps container IDs, start times, restart counts and last states.
 * Containers the status does not know start now.
 */
export function adoptPodRun(pod: KubeObject, podIP: string, hostIP: string, now: Date, newId: () => string): PodRun {
  const fresh = startPodRun(pod, podIP, hostIP, now, newId);
  const status = (pod.status ?? {}) as Record<string, unknown>;
  const adopt = (runs: ContainerRun[], list: unknown): void => {
    const byName = new Map<string, ContainerStatusIn>();
    if (Array.isArray(list)) for (const s of list as ContainerStatusIn[]) if (s.name) byName.set(s.name, s);
    for (const r of runs) {
      const s = byName.get(r.name);
      const id = s?.containerID?.replace(/^[a-z]+:\/\//, '');
      if (!s || !id) continue;
      r.id = id;
      r.restartCount = s.restartCount ?? 0;
      r.last = terminatedFrom(s.lastState?.terminated, s.containerID ?? '');
      if (s.state?.running) {
        r.startedAt = date(s.state.running.startedAt) ?? now;
        delete r.terminated;
      } else if (s.state?.terminated) {
        r.terminated = terminatedFrom(s.state.terminated, s.containerID ?? '');
        r.startedAt = r.terminated?.startedAt ?? now;
      }
    }
  };
  adopt(fresh.init, status.initContainerStatuses);
  adopt(fresh.containers, status.containerStatuses);
  fresh.startTime = date(status.startTime) ?? now;
  const phase = status.phase;
  if (phase === 'Succeeded' || phase === 'Failed') fresh.phase = phase;
  fresh.exited = fresh.containers.some((c) => c.restartCount > 0 || c.terminated !== undefined);
  return fresh;
}

function terminate(c: ContainerRun, now: Date, exitCode: number, reason: string): Terminated {
  return { exitCode, reason, startedAt: c.startedAt, finishedAt: now, containerID: `sim://${c.id}` };
}

/** The exit-after moment: every container exits 0; Always restarts them, Never/OnFailure end the pod. */
export function exitContainers(run: PodRun, policy: string, now: Date, newId: () => string): void {
  run.exited = true;
  if (run.phase !== 'Running') return;
  for (const c of run.containers) {
    if (c.terminated) continue;
    const t = terminate(c, now, 0, 'Completed');
    if (policy === 'Always') {
      c.last = t;
      c.restartCount++;
      c.id = newId();
      c.startedAt = now;
    } else {
      c.terminated = t;
    }
  }
  if (policy !== 'Always') {
    for (const s of run.init) if (s.sidecar && !s.terminated) s.terminated = terminate(s, now, 0, 'Completed');
    run.phase = 'Succeeded';
  }
}

/** The end of a graceful deletion: whatever still runs stops with exit code 0; the pod ends Succeeded unless it already failed. */
export function terminateForDeletion(run: PodRun, now: Date): void {
  for (const c of [...run.init, ...run.containers]) if (!c.terminated) c.terminated = terminate(c, now, 0, 'Completed');
  if (run.phase === 'Running') {
    const failed = run.containers.some((c) => (c.terminated?.exitCode ?? 0) !== 0);
    run.phase = failed ? 'Failed' : 'Succeeded';
  }
}
