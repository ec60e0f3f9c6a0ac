/**
 * What the kubelet observed of one pod in the runtime: its sandboxes and
 * containers, newest first (upstream's kubecontainer.PodStatus), with CRI's
 * nanosecond strings turned into epoch milliseconds and the labels and
 * annotations read back (container name, restart count, spec hash). The
 * pure cores (pod-actions, pod-status) consume this shape only. Pure.
 */
import {
  CONTAINER_CREATED,
  CONTAINER_EXITED,
  CONTAINER_RUNNING,
  SANDBOX_READY,
  type ContainerStatus,
  type PodSandboxStatus,
} from '../cri/runtime.js';
import { CONTAINER_HASH, CONTAINER_NAME, CONTAINER_RESTART_COUNT } from './cri-labels.js';

export type ContainerRunState = 'created' | 'running' | 'exited' | 'unknown';

export interface ObservedContainer {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  state: ContainerRunState;
  createdAt: number;
  /** 0 when never started. */
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** Completed, Error, OOMKilled… (from the runtime). */
  reason: string;
  /** The termination message (read by the observer from the termination-log). */
  message: string;
  image: string;
  imageRef: string;
  hash: string;
  restartCount: number;
  logPath: string;
  annotations: Record<string, string>;
}

export interface ObservedSandbox {
  id: string;
  attempt: number;
  ready: boolean;
  createdAt: number;
  ips: string[];
}

export interface PodRuntimeState {
  uid: string;
  /** Newest first. */
  sandboxes: ObservedSandbox[];
  /** Newest first. */
  containers: ObservedContainer[];
}

export function emptyState(uid: string): PodRuntimeState {
  return { uid, sandboxes: [], containers: [] };
}

/** CRI int64 nanoseconds (decimal string) → epoch milliseconds; 0 for unset. */
export function nsToMs(ns: string | undefined): number {
  if (!ns || ns === '0') return 0;
  try {
    return Number(BigInt(ns) / 1_000_000n);
  } catch {
    return 0;
  }
}

export function msToNs(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function runState(s: number): ContainerRunState {
  if (s === CONTAINER_RUNNING) return 'running';
  if (s === CONTAINER_EXITED) return 'exited';
  if (s === CONTAINER_CREATED) return 'created';
  return 'unknown';
}

export function observeContainer(st: ContainerStatus, sandboxId: string, message = ''): ObservedContainer {
  const restarts = Number(st.annotations[CONTAINER_RESTART_COUNT]);
  return {
    id: st.id,
    sandboxId,
    name: st.labels[CONTAINER_NAME] ?? st.metadata.name,
    attempt: st.metadata.attempt,
    state: runState(st.state),
    createdAt: nsToMs(st.createdAt),
    startedAt: nsToMs(st.startedAt),
    finishedAt: nsToMs(st.finishedAt),
    exitCode: st.exitCode,
    reason: st.reason,
    message: message || st.message,
    image: st.image.image,
    imageRef: st.imageRef,
    hash: st.annotations[CONTAINER_HASH] ?? '',
    restartCount: Number.isFinite(restarts) ? restarts : st.metadata.attempt,
    logPath: st.logPath,
    annotations: st.annotations,
  };
}

export function observeSandbox(st: PodSandboxStatus): ObservedSandbox {
  const ips: string[] = [];
  if (st.network?.ip) ips.push(st.network.ip);
  for (const a of st.network?.additionalIps ?? []) if (a.ip) ips.push(a.ip);
  return { id: st.id, attempt: st.metadata.attempt, ready: st.state === SANDBOX_READY, createdAt: nsToMs(st.createdAt), ips };
}

export function sortNewestFirst<T extends { createdAt: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.createdAt - a.createdAt);
}

/** Every instance of a container name, newest first. */
export function containersNamed(state: PodRuntimeState, name: string): ObservedContainer[] {
  return state.containers.filter((c) => c.name === name);
}

/** The newest instance of a container name (upstream FindContainerStatusByName). */
export function newestContainer(state: PodRuntimeState, name: string): ObservedContainer | undefined {
  return state.containers.find((c) => c.name === name);
}

export function runningContainers(state: PodRuntimeState): ObservedContainer[] {
  return state.containers.filter((c) => c.state === 'running');
}
