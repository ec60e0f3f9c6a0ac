/**
 * The Recreate strategy's guard (upstream's recreate.go oldPodsRunning):
 * the new ReplicaSet is scaled up only once no old ReplicaSet reports
 * replicas and no pod of an old ReplicaSet is still in a non-terminal
 * phase (a pod being deleted still counts until it is gone), so old and
 * new pods never run together. Pure.
 */
import type { Pod } from '../framework/pod-util.js';
import type { ReplicaSet } from '../replicaset/types.js';
import { actualReplicaCount } from './deployment-util.js';

export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podsByRs: ReadonlyMap<string, readonly Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByRs) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
