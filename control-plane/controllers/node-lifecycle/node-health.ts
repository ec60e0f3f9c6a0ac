/**
 * Node health as the node lifecycle controller judges it (upstream's
 * nodeHealthData and tryUpdateNodeHealth in pkg/controller/nodelifecycle).
 * Pure: times come in as arguments.
 *
 * Why "observed" times: a node's own timestamps (lastHeartbeatTime, the
 * Lease's renewTime) come from the node's clock, which may be skewed. The
 * controller therefore remembers when *it* saw a heartbeat change (the
 * probe timestamp) and judges the grace period against its own clock:
 * - first sight of a node: probe = now (a restarted controller gives every
 *   node a fresh grace period); a node that never posted a Ready condition
 *   is judged from its creationTimestamp with the startup grace period;
 * - the Ready condition's lastHeartbeatTime changed, or it appeared: probe = now;
 * - the Lease's renewTime moved forward: probe = now.
 * When now is past probe + grace period, Ready, MemoryPressure,
 * DiskPressure and PIDPressure become Unknown (reason NodeStatusUnknown,
 * "Kubelet stopped posting node status."; a condition never posted is added
 * as NodeStatusNeverUpdated, "Kubelet never posted node status."). The
 * status is written only when the Ready condition changes, as upstream.
 */
import { formatTime } from '../../api/meta.js';
import type { KubeObject } from '../../api/meta.js';
import type { NodeCondition } from '../../api/conditions.js';

export type { NodeCondition } from '../../api/conditions.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export type LifecycleNode = KubeObject & {
  spec?: { unschedulable?: boolean; taints?: Taint[]; [k: string]: unknown };
  status?: { conditions?: NodeCondition[]; [k: string]: unknown };
};

export type Lease = KubeObject & { spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } };

export interface NodeHealth {
  /** When this controller last saw the node or its Lease show signs of life (ms). */
  probeMs: number;
  /** When this controller saw the Ready condition last change (ms). */
  readyTransitionMs: number;
  /** The Ready condition as last seen (its heartbeat and transition times). */
  readyHeartbeat?: string;
  readyTransition?: string;
  hasReady: boolean;
  /** The Lease renewTime last seen. */
  leaseRenew?: string;
}

/** Upstream's nodeConditionTypes: what goes Unknown when the kubelet falls silent. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** Upstream's default --node-startup-grace-period. */
export const NODE_STARTUP_GRACE_PERIOD_MS = 60_000;

export function readyCondition(node: LifecycleNode): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Ready's status, 'Unknown' when the node never posted one. */
export function readyStatus(node: LifecycleNode): string {
  return readyCondition(node)?.status ?? 'Unknown';
}

function creationMs(node: LifecycleNode): number {
  const t = Date.parse(node.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function renewMs(lease: Lease | undefined): number {
  const t = Date.parse(lease?.spec?.renewTime ?? '');
  return Number.isNaN(t) ? -Infinity : t;
}

/** The health record after seeing `node` (and its Lease) at nowMs. */
export function observeHealth(prev: NodeHealth | undefined, node: LifecycleNode, lease: Lease | undefined, nowMs: number): NodeHealth {
  const ready = readyCondition(node);
  let h: NodeHealth;
  if (!ready) {
    h = prev
      ? { ...prev, hasReady: false, readyHeartbeat: undefined, readyTransition: undefined }
      : { probeMs: creationMs(node), readyTransitionMs: creationMs(node), hasReady: false };
  } else if (!prev) {
    h = { probeMs: nowMs, readyTransitionMs: nowMs, hasReady: true, readyHeartbeat: ready.lastHeartbeatTime, readyTransition: ready.lastTransitionTime };
  } else if (!prev.hasReady) {
    h = { ...prev, probeMs: nowMs, readyTransitionMs: nowMs, hasReady: true, readyHeartbeat: ready.lastHeartbeatTime, readyTransition: ready.lastTransitionTime };
  } else if (prev.readyHeartbeat !== ready.lastHeartbeatTime) {
    h = {
      ...prev,
      probeMs: nowMs,
      readyTransitionMs: prev.readyTransition !== ready.lastTransitionTime ? nowMs : prev.readyTransitionMs,
      readyHeartbeat: ready.lastHeartbeatTime,
      readyTransition: ready.lastTransitionTime,
    };
  } else {
    h = { ...prev, readyTransition: ready.lastTransitionTime };
  }
  if (lease?.spec?.renewTime && (h.leaseRenew === undefined || renewMs(lease) > Date.parse(h.leaseRenew))) {
    h = { ...h, leaseRenew: lease.spec.renewTime, probeMs: nowMs };
  }
  return h;
}

export function gracePeriodMs(node: LifecycleNode, monitorGracePeriodMs: number, startupGracePeriodMs = NODE_STARTUP_GRACE_PERIOD_MS): number {
  return readyCondition(node) ? monitorGracePeriodMs : startupGracePeriodMs;
}

/** Whether the grace period has run out at nowMs. */
export function isSilent(h: NodeHealth, graceMs: number, nowMs: number): boolean {
  return nowMs > h.probeMs + graceMs;
}

/**
 * The node's conditions with the monitored ones turned Unknown, or
 * undefined when Ready would not change (then nothing is written).
 */
export function unknownConditions(node: LifecycleNode, now: Date): NodeCondition[] | undefined {
  const ts = formatTime(now);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  const before = readyCondition(node);
  for (const type of MONITORED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp,
        lastTransitionTime: ts,
      });
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = ts;
    }
  }
  const after = conditions.find((x) => x.type === 'Ready');
  if (before && after && before.status === after.status && before.reason === after.reason && before.message === after.message) return undefined;
  return conditions;
}
