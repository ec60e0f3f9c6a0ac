/**
 * Controller expectations, as upstream's ControllerExpectations and
 * UIDTrackingControllerExpectations (pkg/controller/controller_utils.go).
 *
 * Why: a controller's informer lags behind its own writes. Right after it
 * creates 500 pods the cache may still show none, and a second sync would
 * create 500 more. So before acting the controller records what it expects
 * to observe (n creations, or the deletion of these pod keys); the pod
 * informer's handlers lower the counts as the events arrive; and a sync only
 * manages replicas once the expectations are met (or have expired after
 * 5 minutes, in case an event was lost).
 *
 * Deletions track pod keys, so a pod observed twice as going away (update
 * with deletionTimestamp, then delete) lowers the count once.
 */

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(private readonly nowMs: () => number) {}

  /** True when nothing is expected for key, everything expected was seen, or the record expired. */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.nowMs() - e.at > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, count: number): void {
    this.items.set(key, { add: count, del: 0, deleting: new Set(), at: this.nowMs() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.items.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), at: this.nowMs() });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    const e = this.items.get(key);
    if (e?.deleting.delete(podKey)) e.del--;
  }

  /** What is still expected (for logs and tests). */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.items.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }

  forget(key: string): void {
    this.items.delete(key);
  }
}
