/**
 * Renders a pod's status from its simulated run, as the kubelet's
 * generateAPIPodStatus does: phase, the five kubelet conditions,
 * container and init container statuses, IPs, startTime. Pure.
 *
 * Conditions the sim does not own (readiness gates others set) are kept
 * as they are, and Ready follows them as upstream's GeneratePodReadyCondition
 * does. A condition keeps its lastTransitionTime while its status stays.
 * podStatusEqual compares what matters, so a status the server already
 * holds is not written again.
 */
import { formatTime, type KubeObject } from '../../control-plane/api/meta.js';
import type { ContainerRun, PodRun, Terminated } from './pod-runtime.js';
import { createHash } from 'node:crypto';
import { sameValue } from './same-value.js';
import type { PodCondition } from '../../control-plane/api/conditions.js';

export type { PodCondition } from '../../control-plane/api/conditions.js';

export type PodStatus = Record<string, unknown> & { conditions?: PodCondition[]; phase?: string };

/** The conditions the kubelet (here: the sim) owns, in the kubelet's order. */
export const OWNED_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const;

/** A deterministic image digest, so imageID looks like a runtime's `repo@sha256:…`. */
export function imageID(image: string): string {
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

function t(d: Date): string {
  return formatTime(d);
}

function terminatedState(x: Terminated): Record<string, unknown> {
  return { exitCode: x.exitCode, reason: x.reason, startedAt: t(x.startedAt), finishedAt: t(x.finishedAt), containerID: x.containerID };
}

function containerStatus(c: ContainerRun, init: boolean): Record<string, unknown> {
  const running = !c.terminated;
  // Init containers that completed with 0 count as ready (upstream); sidecars and containers while running.
  const ready = init && !c.sidecar ? c.terminated?.exitCode === 0 : running;
  return {
    name: c.name,
    state: running ? { running: { startedAt: t(c.startedAt) } } : { terminated: terminatedState(c.terminated!) },
    lastState: c.last ? { terminated: terminatedState(c.last) } : {},
    ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: imageID(c.image),
    containerID: `sim://${c.id}`,
    started: running,
  };
}

function readinessGates(pod: KubeObject): string[] {
  const gates = (pod.spec as Record<string, unknown> | undefined)?.readinessGates;
  if (!Array.isArray(gates)) return [];
  return gates.map((g: Record<string, unknown>) => (typeof g.conditionType === 'string' ? g.conditionType : '')).filter((s) => s !== '');
}

function cond(type: string, status: string, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** The status to write for `pod` given its run; `now` stamps conditions that change. */
export function renderPodStatus(pod: KubeObject, run: PodRun, now: Date): PodStatus {
  const current = (pod.status ?? {}) as PodStatus;
  const existing = Array.isArray(current.conditions) ? current.conditions : [];
  const byType = new Map(existing.map((c) => [c.type, c] as const));
  const terminal = run.phase !== 'Running';
  const reasonTerminal = run.phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';

  let containersReady: PodCondition;
  if (terminal) containersReady = cond('ContainersReady', 'False', reasonTerminal);
  else {
    const unready = [...run.init.filter((c) => c.sidecar), ...run.containers].filter((c) => c.terminated).map((c) => c.name);
    containersReady = unready.length
      ? cond('ContainersReady', 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`)
      : cond('ContainersReady', 'True');
  }
  let ready: PodCondition;
  if (containersReady.status !== 'True') ready = { ...containersReady, type: 'Ready' };
  else {
    const msgs: string[] = [];
    for (const g of readinessGates(pod)) {
      const c = byType.get(g);
      if (!c) msgs.push(`corresponding condition of pod readiness gate "${g}" does not exist.`);
      else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g}" is not "True", but ${c.status}`);
    }
    ready = msgs.length ? cond('Ready', 'False', 'ReadinessGatesNotReady', msgs.join(', ')) : cond('Ready', 'True');
  }
  const owned: PodCondition[] = [
    cond('PodReadyToStartContainers', terminal ? 'False' : 'True'),
    terminal && run.phase === 'Succeeded' ? cond('Initialized', 'True', 'PodCompleted') : cond('Initialized', 'True'),
    ready,
    containersReady,
    byType.get('PodScheduled')?.status === 'True' ? { ...byType.get('PodScheduled')! } : cond('PodScheduled', 'True'),
  ];
  const stamp = formatTime(now);
  const conditions: PodCondition[] = owned.map((c) => {
    const prev = byType.get(c.type);
    return {
      ...c,
      lastProbeTime: null,
      lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : stamp,
    };
  });
  const ownedSet = new Set<string>(OWNED_CONDITIONS);
  for (const c of existing) if (!ownedSet.has(c.type)) conditions.push(c);

  const status: PodStatus = { ...current };
  delete status.reason;
  delete status.message;
  Object.assign(status, {
    phase: run.phase,
    conditions,
    hostIP: run.hostIP,
    hostIPs: [{ ip: run.hostIP }],
    podIP: run.podIP,
    podIPs: [{ ip: run.podIP }],
    startTime: t(run.startTime),
    containerStatuses: [...run.containers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => containerStatus(c, false)),
  });
  if (run.init.length) status.initContainerStatuses = run.init.map((c) => containerStatus(c, true));
  else delete status.initContainerStatuses;
  return status;
}

export function podStatusEqual(current: unknown, desired: PodStatus): boolean {
  return sameValue(current ?? {}, desired);
}
