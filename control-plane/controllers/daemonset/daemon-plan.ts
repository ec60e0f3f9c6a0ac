/**
 * What one DaemonSet sync does, decided from the cache: upstream's
 * manage/podsShouldBeOnNode, rollingUpdate and updateDaemonSetStatus as
 * pure functions over nodes, the DaemonSet's pods and the current hash.
 *
 * Contract:
 * - pods are grouped by their target node (spec.nodeName, else the node
 *   their affinity pins them to);
 * - manage: an eligible node without a pod gets one; on a node where a pod
 *   may stay, failed pods are (backoff permitting, decided by the caller)
 *   and succeeded pods are deleted, and extra pods beyond the oldest (or,
 *   with surge, beyond one old and one new) are deleted; pods on nodes that
 *   no longer qualify are deleted; unscheduled pods aimed at vanished nodes
 *   are deleted;
 * - rolling update without surge: delete old available pods while fewer
 *   than maxUnavailable pods are unavailable (unavailable old pods always
 *   go); with surge: create new pods next to old ones up to maxSurge, and
 *   delete an old pod once the new one on its node is available;
 * - status: desired/current/misscheduled/ready/available/updated counts
 *   from the oldest pod on each node.
 * Pure: `now` is passed in.
 */
import { scaledValue, type IntOrString } from '../../api/intstr.js';
import { isPodAvailable, isPodReady, podPhase, type Pod } from '../framework/pod-util.js';
import type { NodeView } from '../../scheduler/types.js';
import { isPodUpdated, nodeShouldRunDaemonPod, REVISION_HASH_LABEL, targetNodeName, templateGeneration, type DaemonSet } from './daemon-pods.js';
import { byCreationThenName } from '../framework/ordering.js';

export interface DaemonInput {
  ds: DaemonSet;
  nodes: NodeView[];
  /** The DaemonSet's claimed pods. */
  pods: Pod[];
  hash: string;
  now: Date;
}

export interface ManagePlan {
  /** Nodes needing a new daemon pod. */
  create: string[];
  delete: Pod[];
  /** Failed pods to delete if the per-node backoff allows (event FailedDaemonPod). */
  failed: { pod: Pod; node: string }[];
  /** Succeeded pods to delete (event SucceededDaemonPod). */
  succeeded: { pod: Pod; node: string }[];
}

export interface DaemonSetStatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

const nodeName = (n: NodeView): string => n.metadata.name ?? '';

export function nodesToDaemonPods(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = targetNodeName(p);
    if (n === undefined) continue;
    const list = out.get(n);
    if (list) list.push(p);
    else out.set(n, [p]);
  }
  return out;
}

/** podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function byAge(a: Pod, b: Pod): number {
  const sa = a.spec?.nodeName ? 0 : 1;
  const sb = b.spec?.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  return byCreationThenName(a, b);
}

export function allowsSurge(ds: DaemonSet): boolean {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  return ds.spec?.updateStrategy?.type === 'RollingUpdate' && ru?.maxSurge !== undefined && scaledValue(ru.maxSurge as IntOrString, 1, true) !== 0;
}

export function planManage(input: DaemonInput): ManagePlan {
  const { ds, hash, now } = input;
  const plan: ManagePlan = { create: [], delete: [], failed: [], succeeded: [] };
  const byNode = nodesToDaemonPods(input.pods);
  const surge = allowsSurge(ds);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const nodes = [...input.nodes].sort((a, b) => (nodeName(a) < nodeName(b) ? -1 : 1));
  for (const node of nodes) {
    const name = nodeName(node);
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name);
    if (shouldRun && !pods) {
      plan.create.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const p of pods ?? []) {
        if (p.metadata.deletionTimestamp) continue;
        if (podPhase(p) === 'Failed') plan.failed.push({ pod: p, node: name });
        else if (podPhase(p) === 'Succeeded') plan.succeeded.push({ pod: p, node: name });
        else running.push(p);
      }
      running.sort(byAge);
      if (!surge) {
        plan.delete.push(...running.slice(1));
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) plan.create.push(name);
        continue;
      }
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const p of running) {
        if (p.metadata.labels?.[REVISION_HASH_LABEL] === hash) {
          if (!oldestNew) {
            oldestNew = p;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = p;
          continue;
        }
        plan.delete.push(p);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) plan.delete.push(oldestOld);
    } else if (pods) {
      for (const p of pods) if (!p.metadata.deletionTimestamp) plan.delete.push(p);
    }
  }
  // Unscheduled pods aimed at nodes that no longer exist.
  const existing = new Set(nodes.map(nodeName));
  for (const [n, pods] of byNode) if (!existing.has(n)) for (const p of pods) if (!p.spec?.nodeName) plan.delete.push(p);
  return plan;
}

/** findUpdatedPodsOnNode: the one new and one old live pod on a node; ok=false with more. */
function updatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  const generation = templateGeneration(ds);
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** updatedDesiredNodeCounts: maxSurge, maxUnavailable (1 when both resolve to 0) and the desired count. */
export function desiredCounts(input: DaemonInput, byNode: Map<string, Pod[]>): { maxSurge: number; maxUnavailable: number; desired: number } {
  let desired = 0;
  for (const node of input.nodes) {
    if (!nodeShouldRunDaemonPod(node, input.ds).shouldRun) continue;
    desired++;
    if (!byNode.has(nodeName(node))) byNode.set(nodeName(node), []);
  }
  const ru = input.ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValue((ru?.maxUnavailable ?? 0) as IntOrString, desired, true);
  const maxSurge = scaledValue((ru?.maxSurge ?? 0) as IntOrString, desired, true);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

export function planRollingUpdate(input: DaemonInput): { create: string[]; delete: Pod[] } {
  const { ds, hash, now } = input;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = nodesToDaemonPods(input.pods);
  const { maxSurge, maxUnavailable, desired } = desiredCounts(input, byNode);
  const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
  const nodes = new Map(input.nodes.map((n) => [nodeName(n), n]));
  const entries = [...byNode].sort(([a], [b]) => (a < b ? -1 : 1));

  if (maxSurge === 0) {
    let unavailable = 0;
    const allowed: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [, pods] of entries) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(ds, pods, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        unavailable++;
      } else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          allowed.push(oldPod);
          unavailable++;
        } else if (unavailable < maxUnavailable) {
          candidates.push(oldPod);
        }
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { create: [], delete: [...allowed, ...candidates.slice(0, remaining)] };
  }

  const toDelete: Pod[] = [];
  const shouldNotRun: Pod[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  let surged = 0;
  let numAvailable = 0;
  for (const [name, pods] of entries) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(ds, pods, hash);
    if (!ok) {
      surged++;
      continue;
    }
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue;
    const node = nodes.get(name);
    const shouldRun = node ? nodeShouldRunDaemonPod(node, ds).shouldRun : false;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun) toDelete.push(oldPod);
        else allowedNodes.push(name);
      } else if (!shouldRun) {
        shouldNotRun.push(oldPod);
      } else if (surged < maxSurge) {
        candidateNodes.push(name);
      }
    } else if (!available(newPod)) {
      surged++;
    } else {
      toDelete.push(oldPod);
    }
  }
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  toDelete.push(...shouldNotRun.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - surged), candidateNodes.length);
  return { create: [...allowedNodes, ...candidateNodes.slice(0, remaining)], delete: toDelete };
}

export function daemonSetStatus(input: DaemonInput): DaemonSetStatusCounts {
  const { ds, hash, now } = input;
  const byNode = nodesToDaemonPods(input.pods);
  const generation = templateGeneration(ds);
  const s: DaemonSetStatusCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  for (const node of input.nodes) {
    const pods = byNode.get(nodeName(node)) ?? [];
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (pods.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(byAge)[0]!;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  return s;
}
