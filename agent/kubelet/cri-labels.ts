/**
 * The labels and annotations the kubelet puts on CRI sandboxes and
 * containers, with upstream's keys (kuberuntime/labels.go), plus Skiff's
 * `skiff.dev/managed=true` that marks what cleanup may touch. Reading them
 * back is how a restarted agent adopts its pods: the pod UID, the container
 * name, the restart count and the spec hash all live on the container.
 *
 * The container hash must be stable across agent restarts and versions of
 * Node: it is a sha256 of the container spec serialized with sorted keys
 * (never of object insertion order). Pure.
 */
import { createHash } from 'node:crypto';
import type { ContainerSpec, Pod } from './pod-deps.js';

export const POD_NAME = 'io.kubernetes.pod.name';
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const POD_UID = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME = 'io.kubernetes.container.name';
export const MANAGED = 'skiff.dev/managed';
export const MANAGED_SELECTOR: Record<string, string> = { [MANAGED]: 'true' };

export const CONTAINER_HASH = 'io.kubernetes.container.hash';
export const CONTAINER_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';
export const POD_TERMINATION_GRACE_PERIOD = 'io.kubernetes.pod.terminationGracePeriod';
export const POD_DELETION_GRACE_PERIOD = 'io.kubernetes.pod.deletionGracePeriod';
/** Skiff: marks a restartable init container (sidecar) and init containers in general. */
export const CONTAINER_TYPE = 'skiff.dev/container-type';

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = stable((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** A stable hash of a container spec (hex, 16 chars). */
export function containerHash(container: ContainerSpec): string {
  return createHash('sha256').update(JSON.stringify(stable(container))).digest('hex').slice(0, 16);
}

export function podIdentity(pod: Pod): { name: string; namespace: string; uid: string } {
  return { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid ?? '' };
}

/** Sandbox labels: the pod's labels plus the identity labels and the managed mark. */
export function sandboxLabels(pod: Pod): Record<string, string> {
  const id = podIdentity(pod);
  return { ...(pod.metadata.labels ?? {}), [POD_NAME]: id.name, [POD_NAMESPACE]: id.namespace, [POD_UID]: id.uid, [MANAGED]: 'true' };
}

export function containerLabels(pod: Pod, container: ContainerSpec): Record<string, string> {
  const id = podIdentity(pod);
  return { [POD_NAME]: id.name, [POD_NAMESPACE]: id.namespace, [POD_UID]: id.uid, [CONTAINER_NAME]: container.name, [MANAGED]: 'true' };
}

export function terminationGracePeriod(pod: Pod): number {
  const g = pod.spec?.terminationGracePeriodSeconds;
  return typeof g === 'number' && g >= 0 ? g : 30;
}

export function containerAnnotations(pod: Pod, container: ContainerSpec, restartCount: number, kind: 'init' | 'sidecar' | 'regular'): Record<string, string> {
  const out: Record<string, string> = {
    [CONTAINER_HASH]: containerHash(container),
    [CONTAINER_RESTART_COUNT]: String(restartCount),
    [TERMINATION_MESSAGE_PATH]: typeof container.terminationMessagePath === 'string' ? container.terminationMessagePath : '/dev/termination-log',
    [TERMINATION_MESSAGE_POLICY]: typeof container.terminationMessagePolicy === 'string' ? container.terminationMessagePolicy : 'File',
    [POD_TERMINATION_GRACE_PERIOD]: String(terminationGracePeriod(pod)),
    [CONTAINER_TYPE]: kind,
  };
  const dg = pod.metadata.deletionGracePeriodSeconds;
  if (typeof dg === 'number') out[POD_DELETION_GRACE_PERIOD] = String(dg);
  return out;
}

export function isSidecar(c: ContainerSpec): boolean {
  return c.restartPolicy === 'Always';
}

export function podContainers(pod: Pod): ContainerSpec[] {
  return Array.isArray(pod.spec?.containers) ? (pod.spec.containers as ContainerSpec[]) : [];
}

export function podInitContainers(pod: Pod): ContainerSpec[] {
  return Array.isArray(pod.spec?.initContainers) ? (pod.spec.initContainers as ContainerSpec[]) : [];
}

export function restartPolicy(pod: Pod): 'Always' | 'OnFailure' | 'Never' {
  const p = pod.spec?.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

export function isHostNetwork(pod: Pod): boolean {
  return pod.spec?.hostNetwork === true;
}
