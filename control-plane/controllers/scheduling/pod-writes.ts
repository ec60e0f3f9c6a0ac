/**
 * The scheduler's writes besides bindings, each fire-and-forget through a
 * bounded pool so the scheduling loop never waits on them:
 * - markUnschedulable: the PodScheduled condition (and nominatedNodeName)
 *   as a strategic merge patch of pods/status;
 * - preemptVictims: upstream's prepareCandidate — per victim the
 *   DisruptionTarget condition, a DELETE with the pod's own grace period,
 *   and a Normal "Preempted" event `Preempted by pod <uid> on node <node>`.
 * A pod gone meanwhile (404) is not worth a log line; other failures are
 * logged, and the next attempt writes again.
 */
import type { ApiClient } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import type { Clock, KubeObject } from '../../api/meta.js';
import type { DisruptionBudget, PreemptionCandidate } from '../../scheduler/preemption.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import { inNamespace, refs } from '../framework/refs.js';
import { AsyncPool } from './async-pool.js';
import { victimPatch } from './pod-status-patches.js';

const SMP = 'application/strategic-merge-patch+json';

interface PdbShape {
  spec?: { selector?: DisruptionBudget['selector'] };
  status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };
}

/** policy/v1 PodDisruptionBudgets as preempt() reads them. */
export function disruptionBudgets(pdbs: readonly KubeObject[]): DisruptionBudget[] {
  return pdbs.map((o) => {
    const p = o as KubeObject & PdbShape;
    return {
      namespace: o.metadata.namespace ?? '',
      selector: p.spec?.selector,
      disruptionsAllowed: p.status?.disruptionsAllowed ?? 0,
      disruptedPods: Object.keys(p.status?.disruptedPods ?? {}),
    };
  });
}

export class PodWrites {
  private readonly pool: AsyncPool;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly recorder: EventRecorder,
    private readonly schedulerName: string,
    private readonly log: (msg: string) => void,
    concurrency: number,
  ) {
    this.pool = new AsyncPool(concurrency);
  }

  /** Patches pods/status with `patch` (see pod-status-patches.ts). */
  patchStatus(pod: KubeObject, patch: Record<string, unknown>): void {
    const { namespace, name = '' } = pod.metadata;
    this.pool.submit(async () => {
      try {
        await this.client.patch(inNamespace(refs.pods, namespace), name, patch, SMP, { subresource: 'status' });
      } catch (err) {
        if (!notFound(err)) this.log(`scheduler: status of ${namespace ?? ''}/${name} not updated: ${String(err)}`);
      }
    });
  }

  preemptVictims(preemptor: KubeObject, c: PreemptionCandidate): void {
    for (const victim of c.victims) {
      const { namespace, name = '' } = victim.metadata;
      const ref = inNamespace(refs.pods, namespace);
      this.pool.submit(async () => {
        try {
          await this.client.patch(ref, name, victimPatch(this.schedulerName, this.clock.now()), SMP, { subresource: 'status' });
          await this.client.delete(ref, name, {});
          this.recorder.record(victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid ?? ''} on node ${c.nodeName}`);
        } catch (err) {
          if (!notFound(err)) this.log(`scheduler: preempting ${namespace ?? ''}/${name} failed: ${String(err)}`);
        }
      });
    }
  }

  idle(): Promise<void> {
    return this.pool.idle();
  }

  close(): void {
    this.pool.close();
  }
}

function notFound(err: unknown): boolean {
  return isApiError(err) && err.code === 'SKIFF_NOT_FOUND';
}
