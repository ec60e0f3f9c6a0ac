/**
 * The taint eviction controller, as upstream's taint-eviction-controller
 * (pkg/controller/tainteviction, formerly the node lifecycle controller's
 * taint manager): pods on a node with NoExecute taints they do not
 * tolerate are deleted; pods tolerating them for tolerationSeconds are
 * deleted when that runs out (taint-eviction.ts decides, from the injected
 * clock).
 *
 * Contract:
 * - Reacts to a node's NoExecute taints changing (not to other node
 *   updates) and to a pod being bound, moved or changing tolerations.
 * - Before deleting, the pod gets the condition DisruptionTarget True
 *   (reason DeletionByTaintManager, "Taint manager: deleting due to
 *   NoExecute taint") and the event Normal TaintManagerEviction "Marking
 *   for deletion Pod <ns>/<name>"; the delete uses the pod's own grace
 *   period. A cancelled eviction records "Cancelling deletion of Pod
 *   <ns>/<name>".
 * - Deletions are not rate limited here (as upstream); how fast nodes get
 *   NoExecute taints is limited per zone by the node lifecycle controller.
 */
import { isApiError } from '../../api/errors.js';
import { formatTime } from '../../api/meta.js';
import type { Toleration } from '../../scheduler/types.js';
import type { Controller, ControllerContext } from '../framework/controller.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Informer } from '../framework/informer.js';
import type { Pod } from '../framework/pod-util.js';
import { STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import { inNamespace, objectKey, refs, splitKey } from '../framework/refs.js';
import { WorkQueue, type WorkResult } from '../framework/work-queue.js';
import type { LifecycleNode, Taint } from './node-health.js';
import { POD_NODE_INDEX, podNodeIndex } from './node-lifecycle-controller.js';
import { evictionDecision, noExecuteTaints, type ScheduledEviction } from './taint-eviction.js';

const COMPONENT = 'taint-eviction-controller';

function tolerationsOf(p: Pod): Toleration[] {
  const t = (p.spec as { tolerations?: unknown } | undefined)?.tolerations;
  return Array.isArray(t) ? (t as Toleration[]) : [];
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return a.length === b.length && a.every((t, i) => t.key === b[i]!.key && t.value === b[i]!.value && t.effect === b[i]!.effect);
}

export class TaintEvictionController implements Controller {
  readonly name = COMPONENT;
  private ctx!: ControllerContext;
  private recorder!: EventRecorder;
  private nodes!: Informer<LifecycleNode>;
  private pods!: Informer<Pod>;
  /** Pods to (re)consider against their node's taints. */
  private podQueue!: WorkQueue;
  /** Pending evictions, fired by the eviction queue. */
  private evictQueue!: WorkQueue;
  private readonly scheduled = new Map<string, ScheduledEviction>();
  /** The NoExecute taints of each tainted node, as last processed. */
  private readonly tainted = new Map<string, Taint[]>();

  setup(ctx: ControllerContext): void {
    this.ctx = ctx;
    this.recorder = ctx.recorder(COMPONENT);
    this.nodes = ctx.informers.informer<LifecycleNode>(refs.nodes);
    this.pods = ctx.informers.informer<Pod>(refs.pods);
    this.pods.addIndex(POD_NODE_INDEX, podNodeIndex);
    const onError = (key: string, err: unknown): void => ctx.log(`taint-eviction: ${key}: ${err instanceof Error ? err.message : String(err)}`);
    this.podQueue = new WorkQueue((key) => this.processPod(key), { name: 'taint-eviction-pods', onError });
    this.evictQueue = new WorkQueue((key) => this.evict(key), { name: 'taint-eviction', workers: 4, onError });
    this.nodes.addHandler({
      add: (n) => this.nodeChanged(n),
      update: (o, n) => {
        if (!sameTaints(noExecuteTaints(o.spec?.taints), noExecuteTaints(n.spec?.taints))) this.nodeChanged(n);
      },
      delete: (n) => this.nodeChanged(n, true),
    });
    this.pods.addHandler({
      add: (p) => this.podQueue.add(objectKey(p)),
      update: (o, p) => {
        if (o.spec?.nodeName !== p.spec?.nodeName || JSON.stringify(tolerationsOf(o)) !== JSON.stringify(tolerationsOf(p))) this.podQueue.add(objectKey(p));
      },
      delete: (p) => this.cancel(objectKey(p), false),
    });
  }

  run(): void {
    this.podQueue.start();
    this.evictQueue.start();
  }

  stop(): void {
    this.podQueue.stop();
    this.evictQueue.stop();
  }

  /** handleNodeUpdate: remember the node's NoExecute taints and reconsider its pods. */
  private nodeChanged(node: LifecycleNode, deleted = false): void {
    const name = node.metadata.name ?? '';
    const taints = deleted ? [] : noExecuteTaints(node.spec?.taints);
    if (taints.length === 0) {
      const had = this.tainted.delete(name);
      if (had || deleted) for (const p of this.pods.byIndex(POD_NODE_INDEX, name)) this.cancel(objectKey(p), !deleted);
      return;
    }
    this.tainted.set(name, taints);
    for (const p of this.pods.byIndex(POD_NODE_INDEX, name)) this.podQueue.add(objectKey(p));
  }

  private async processPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.getByName(namespace, name);
    if (!pod) return this.cancel(key, false);
    const nodeName = pod.spec?.nodeName;
    const taints = nodeName ? this.tainted.get(nodeName) : undefined;
    if (!taints) return this.cancel(key, true);
    const nowMs = this.ctx.clock.now().getTime();
    const d = evictionDecision(taints, tolerationsOf(pod), this.scheduled.get(key), nowMs);
    if (d.kind === 'cancel') return this.cancel(key, true);
    if (d.kind === 'keep') return;
    this.scheduled.set(key, d.eviction);
    this.evictQueue.add(key);
  }

  /** cancelWorkWithEvent. */
  private cancel(key: string, withEvent: boolean): void {
    if (!this.scheduled.delete(key)) return;
    if (!withEvent) return;
    const { namespace, name } = splitKey(key);
    const pod = this.pods.getByName(namespace, name);
    if (pod) this.recorder.record(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async evict(key: string): Promise<WorkResult | void> {
    const s = this.scheduled.get(key);
    if (!s) return;
    const left = s.fireAtMs - this.ctx.clock.now().getTime();
    if (left > 0) return { requeueAfterMs: left };
    const { namespace, name } = splitKey(key);
    const pod = this.pods.getByName(namespace, name);
    if (pod) this.recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    await this.addConditionAndDelete(namespace ?? 'default', name);
    if (this.scheduled.get(key) === s) this.scheduled.delete(key);
  }

  /** addConditionAndDeletePod. */
  private async addConditionAndDelete(namespace: string, name: string): Promise<void> {
    const ref = inNamespace(refs.pods, namespace);
    try {
      const live = await this.ctx.client.get<Pod>(ref, name);
      const current = live.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      const reason = 'DeletionByTaintManager';
      if (current?.status !== 'True' || current.reason !== reason) {
        const condition = {
          type: 'DisruptionTarget',
          status: 'True',
          reason,
          message: 'Taint manager: deleting due to NoExecute taint',
          lastTransitionTime: formatTime(this.ctx.clock.now()),
        };
        await this.ctx.client.patch(ref, name, { metadata: { uid: live.metadata.uid }, status: { conditions: [condition] } }, STRATEGIC_MERGE_PATCH, {
          subresource: 'status',
        });
      }
      await this.ctx.client.delete(ref, name, {});
      this.ctx.log(`taint-eviction: deleted pod ${namespace}/${name}`);
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return;
      throw err;
    }
  }
}
