/**
 * What an informer event means to the scheduler, with upstream's rules
 * (pkg/scheduler/eventhandlers.go):
 * - a pod is this scheduler's to place when its spec.schedulerName is ours
 *   ("default-scheduler" when unset), it has no spec.nodeName, is not being
 *   deleted, has not terminated and carries no scheduling gates;
 * - an update of a queued pod may make it schedulable only if more than its
 *   status changed (upstream's isPodUpdated ignores resourceVersion,
 *   generation, managedFields and status) — so the scheduler's own status
 *   patches never retrigger it;
 * - a node update is a cluster change only if something the filters read
 *   changed: spec.unschedulable, allocatable, labels, taints, conditions'
 *   status (upstream's nodeSchedulingPropertiesChange), never heartbeats.
 * Pure.
 */
import type { KubeObject } from '../../api/meta.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

interface PodShape {
  spec?: { nodeName?: string; schedulerName?: string; schedulingGates?: unknown[] };
  status?: { phase?: string };
}

interface NodeShape {
  spec?: { unschedulable?: boolean; taints?: unknown[] };
  status?: { allocatable?: unknown; conditions?: { type?: string; status?: string }[] };
}

export function isAssigned(pod: KubeObject): boolean {
  return !!(pod as PodShape).spec?.nodeName;
}

export function isTerminal(pod: KubeObject): boolean {
  const phase = (pod as PodShape).status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isOurs(pod: KubeObject, schedulerName = DEFAULT_SCHEDULER_NAME): boolean {
  return ((pod as PodShape).spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === schedulerName;
}

/** The pod waits for this scheduler to pick a node. */
export function needsScheduling(pod: KubeObject, schedulerName = DEFAULT_SCHEDULER_NAME): boolean {
  const p = pod as PodShape;
  return (
    isOurs(pod, schedulerName) &&
    !p.spec?.nodeName &&
    !pod.metadata.deletionTimestamp &&
    !isTerminal(pod) &&
    (p.spec?.schedulingGates?.length ?? 0) === 0
  );
}

function withoutStatus(pod: KubeObject): unknown {
  const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = pod.metadata;
  const { status: _s, metadata: _m, ...rest } = pod as KubeObject & { status?: unknown };
  return { ...rest, metadata: meta };
}

/** Upstream's isPodUpdated: more than status and bookkeeping changed. */
export function podChanged(oldPod: KubeObject, newPod: KubeObject): boolean {
  return JSON.stringify(withoutStatus(oldPod)) !== JSON.stringify(withoutStatus(newPod));
}

function conditionStatuses(n: NodeShape): string {
  return JSON.stringify((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
}

/** Upstream's nodeSchedulingPropertiesChange, as a boolean. */
export function nodeChanged(oldNode: KubeObject, newNode: KubeObject): boolean {
  const o = oldNode as KubeObject & NodeShape;
  const n = newNode as KubeObject & NodeShape;
  return (
    (o.spec?.unschedulable === true) !== (n.spec?.unschedulable === true) ||
    JSON.stringify(o.status?.allocatable ?? null) !== JSON.stringify(n.status?.allocatable ?? null) ||
    JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(n.metadata.labels ?? {}) ||
    JSON.stringify(o.spec?.taints ?? []) !== JSON.stringify(n.spec?.taints ?? []) ||
    conditionStatuses(o) !== conditionStatuses(n)
  );
}
