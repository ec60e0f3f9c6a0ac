/**
 * Housekeeping for what belongs to no pod bound here (upstream's
 * HandlePodCleanups and container GC, restricted to Skiff's own things):
 * - managed sandboxes and containers whose pod UID is not among the pods
 *   the kubelet knows are stopped (with the grace period recorded on the
 *   container, at least 2 s) and removed;
 * - pod directories (after tearing their volumes down), pod log
 *   directories and pod cgroups of unknown UIDs are removed.
 * Only runs after the pod informer has synced, so a restarted agent never
 * mistakes its running pods for orphans.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { POD_TERMINATION_GRACE_PERIOD } from './cri-labels.js';
import type { PodCgroups } from './pod-cgroups.js';
import type { Pod, VolumeManager } from './pod-deps.js';
import type { PodSyncer } from './pod-sync.js';
import type { PodRuntimeState } from './runtime-state.js';

export interface CleanupDeps {
  syncer: PodSyncer;
  volumes: VolumeManager;
  cgroups?: PodCgroups;
  podsDir: string;
  logRoot: string;
  log: (msg: string) => void;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Grace period for a pod we no longer have the spec of: what its containers recorded. */
function recordedGrace(state: PodRuntimeState): number {
  for (const c of state.containers) {
    const g = Number(c.annotations[POD_TERMINATION_GRACE_PERIOD]);
    if (Number.isFinite(g)) return g;
  }
  return 2;
}

/**
 * Removes what belongs to no known pod. `busy(uid)` says a pod worker still
 * owns the UID (e.g. a termination in progress), which is then skipped.
 */
export async function cleanupOrphans(d: CleanupDeps, states: Map<string, PodRuntimeState>, known: Set<string>, busy: (uid: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const [uid, state] of states) {
    if (known.has(uid) || busy(uid)) continue;
    const pod: Pod = { metadata: { uid } };
    d.log(`removing orphaned pod ${uid} (${state.sandboxes.length} sandboxes, ${state.containers.length} containers)`);
    try {
      await d.syncer.killer.killPod(pod, state, recordedGrace(state));
      await d.syncer.killer.removePodResources(uid, state);
      d.syncer.forget(uid);
      removed.push(uid);
    } catch (e) {
      d.log(`orphan ${uid}: ${(e as Error).message}`);
    }
  }
  const live = (uid: string): boolean => known.has(uid) || states.has(uid) || busy(uid);
  for (const uid of list(d.podsDir)) {
    if (live(uid)) continue;
    await d.volumes.tearDown(uid).catch((e: unknown) => d.log(`tear down volumes of ${uid}: ${(e as Error).message}`));
    rmSync(join(d.podsDir, uid), { recursive: true, force: true });
  }
  for (const name of list(d.logRoot)) {
    const uid = name.slice(name.lastIndexOf('_') + 1);
    if (!uid || live(uid)) continue;
    rmSync(join(d.logRoot, name), { recursive: true, force: true });
  }
  if (d.cgroups) for (const uid of d.cgroups.listPods()) if (!live(uid)) d.cgroups.remove(uid);
  return removed;
}
