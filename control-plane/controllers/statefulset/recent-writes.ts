/**
 * The pod writes a controller made that its informer has not shown yet
 * (the job of upstream's ControllerExpectations): a sync that runs before
 * the watch delivers them would otherwise create a pod twice (DaemonSet,
 * generated names) or delete one twice (StatefulSet scale-down).
 *
 * Contract:
 * - noteCreated(owner, pod) / noteDeleted(owner, pod) after a successful write;
 * - observe(pod, gone) from the pod informer's handlers: a created pod seen
 *   in the cache, or a deleted one seen terminating or gone, is forgotten;
 * - overlay(owner, pods) returns the cached pods plus the owner's created
 *   pods not yet seen, with pods it deleted marked terminating; pending(owner)
 *   tells whether any of the owner's writes is still unseen;
 * - entries expire after ttlMs, so a lost event cannot wedge the owner.
 * Shared by the StatefulSet and DaemonSet controllers. Clock injected.
 */
import { formatTime, type Clock } from '../../api/meta.js';
import type { Pod } from '../framework/pod-util.js';
import { objectKey } from '../framework/refs.js';

export class RecentWrites {
  private readonly created = new Map<string, { owner: string; pod: Pod; at: number }>();
  private readonly deleted = new Map<string, { owner: string; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 15_000,
  ) {}

  noteCreated(owner: string, pod: Pod): void {
    this.created.set(objectKey(pod), { owner, pod, at: this.clock.now().getTime() });
  }

  noteDeleted(owner: string, pod: Pod): void {
    if (pod.metadata.uid) this.deleted.set(pod.metadata.uid, { owner, at: this.clock.now().getTime() });
  }

  /** The informer saw `pod` (gone: it was deleted from the store). */
  observe(pod: Pod, gone = false): void {
    this.created.delete(objectKey(pod));
    if ((gone || pod.metadata.deletionTimestamp) && pod.metadata.uid) this.deleted.delete(pod.metadata.uid);
  }

  /** Whether any write for `owner` is still unseen. */
  pending(owner: string): boolean {
    this.expire();
    for (const c of this.created.values()) if (c.owner === owner) return true;
    for (const d of this.deleted.values()) if (d.owner === owner) return true;
    return false;
  }

  overlay(owner: string, pods: readonly Pod[]): Pod[] {
    this.expire();
    const now = formatTime(this.clock.now());
    const out = pods.map((p) => {
      if (!p.metadata.deletionTimestamp && p.metadata.uid && this.deleted.has(p.metadata.uid)) {
        const copy = structuredClone(p);
        copy.metadata.deletionTimestamp = now;
        return copy;
      }
      return p;
    });
    const seen = new Set(pods.map(objectKey));
    for (const [k, c] of this.created) if (c.owner === owner && !seen.has(k)) out.push(c.pod);
    return out;
  }

  private expire(): void {
    const cutoff = this.clock.now().getTime() - this.ttlMs;
    for (const [k, c] of this.created) if (c.at < cutoff) this.created.delete(k);
    for (const [k, d] of this.deleted) if (d.at < cutoff) this.deleted.delete(k);
  }
}
