/**
 * The pod garbage collector, as upstream's PodGC controller: every 20 s
 * (gcCheckPeriod) it plans from the pod and node caches (pod-gc.ts) and
 * force-deletes what the plan names.
 *
 * Contract:
 * - A pod not yet terminated is first patched to phase Failed (with the
 *   DisruptionTarget condition, reason DeletionByPodGC, for orphans), so a
 *   pod whose kubelet is gone does not stay Running for ever; then it is
 *   deleted with gracePeriodSeconds 0.
 * - Orphans are deleted only after their node was missing from the cache
 *   for the 40 s quarantine and a live GET says NotFound.
 * - Time decisions use the injected clock; the pass runs on a real timer.
 */
import { isApiError } from '../../api/errors.js';
import { formatTime, type KubeObject } from '../../api/meta.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import { STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import { GC_CHECK_PERIOD_MS, TAINT_OUT_OF_SERVICE, orphanedPods, planGc, type GcNode } from './pod-gc.js';

type Node = KubeObject & {
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
};

export function gcNode(n: Node): GcNode {
  return {
    name: n.metadata.name ?? '',
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    outOfService: n.spec?.taints?.some((t) => t.key === TAINT_OUT_OF_SERVICE) ?? false,
  };
}

export class PodGcController implements Controller {
  readonly name = 'pod-garbage-collector';
  private ctx!: ControllerContext;
  private pods!: Informer<Pod>;
  private nodes!: Informer<Node>;
  private readonly quarantine = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.nodes = ctx.informers.informer<Node>(refs.nodes);
  }

  run(): void {
    // As wait.Until: a pass at once, then one every period.
    void this.gc();
    this.timer = setInterval(() => void this.gc(), GC_CHECK_PERIOD_MS);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One garbage-collection pass (never two at once). */
  async gc(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      const pods = this.pods.list();
      const plan = planGc({
        pods,
        nodes: this.nodes.list().map(gcNode),
        terminatedPodThreshold: this.ctx.config.terminatedPodGcThreshold,
        quarantine: this.quarantine,
        nowMs: this.ctx.clock.now().getTime(),
      });
      for (const { pod } of plan.delete) await this.markFailedAndDelete(pod);
      const gone = new Set<string>();
      for (const name of plan.suspectNodes) {
        this.quarantine.delete(name);
        if (this.nodes.get(name)) continue;
        try {
          await this.ctx.client.get(refs.nodes, name);
        } catch (err) {
          if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') gone.add(name);
          else this.ctx.log(`pod-gc: checking node ${name}: ${message(err)}`);
        }
      }
      for (const pod of orphanedPods(pods, gone)) {
        await this.markFailedAndDelete(pod, { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
      }
    } catch (err) {
      this.ctx.log(`pod-gc: pass failed: ${message(err)}`);
    } finally {
      this.running = false;
    }
  }

  private async markFailedAndDelete(pod: Pod, disruption?: { reason: string; message: string }): Promise<void> {
    const ref = inNamespace(refs.pods, pod.metadata.namespace);
    const name = pod.metadata.name ?? '';
    try {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const status: Record<string, unknown> = { phase: 'Failed' };
        if (disruption) {
          status.conditions = [{ type: 'DisruptionTarget', status: 'True', ...disruption, lastTransitionTime: formatTime(this.ctx.clock.now()) }];
        }
        await this.ctx.client.patch(ref, name, { metadata: { uid: pod.metadata.uid }, status }, STRATEGIC_MERGE_PATCH, { subresource: 'status' });
      }
      await this.ctx.client.delete(ref, name, { gracePeriodSeconds: 0 });
      this.ctx.log(`pod-gc: force-deleted pod ${objectKey(pod)}`);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
      this.ctx.log(`pod-gc: deleting pod ${objectKey(pod)}: ${message(err)}`);
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
