/**
 * The node lifecycle controller's writes, as upstream's controller utils:
 * - updateNodeTaints (AddOrUpdateTaintOnNode / RemoveTaintOffNode): GET the
 *   live node, apply the taint change it calls for, PUT it with its
 *   resourceVersion; a conflict starts over (up to 5 retries). An empty
 *   taint list is written as no field (upstream's omitempty).
 * - markPodsNotReady (MarkPodsNotReady): each pod's Ready condition set
 *   False (lastTransitionTime now) through pods/status, then the event
 *   Warning NodeNotReady "Node is not ready" on the pod; pods without a
 *   Ready condition, already not ready or on another node are skipped.
 * Both report failure as false (and log it) rather than throwing, so a
 * pass over many nodes goes on.
 */
import type { ApiClient } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import { formatTime, type Clock } from '../../api/meta.js';
import type { EventRecorder } from '../framework/event-recorder.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, objectKey, refs } from '../framework/refs.js';
import type { LifecycleNode } from './node-health.js';
import { applyTaintChange, type TaintChange } from './node-taints.js';

export const WRITE_RETRIES = 5;

export interface WriteDeps {
  client: ApiClient;
  clock: Clock;
  log(msg: string): void;
}

export async function updateNodeTaints(d: WriteDeps, name: string, changeFor: (live: LifecycleNode) => TaintChange | undefined): Promise<boolean> {
  for (let attempt = 0; attempt <= WRITE_RETRIES; attempt++) {
    try {
      const live = await d.client.get<LifecycleNode>(refs.nodes, name);
      const change = changeFor(live);
      const taints = change && applyTaintChange(live.spec?.taints, change, formatTime(d.clock.now()));
      if (!taints) return true;
      const next = structuredClone(live);
      next.spec = { ...(next.spec ?? {}), taints };
      if (taints.length === 0) delete next.spec.taints;
      await d.client.update(refs.nodes, next);
      return true;
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return true;
      if (!isApiError(err) || err.code !== 'SKIFF_CONFLICT' || attempt === WRITE_RETRIES) {
        d.log(`node-lifecycle: tainting node ${name}: ${message(err)}`);
        return false;
      }
    }
  }
  return false;
}

export async function markPodsNotReady(d: WriteDeps & { recorder: EventRecorder }, nodeName: string, pods: readonly Pod[]): Promise<boolean> {
  let ok = true;
  for (const p of pods) {
    if (p.spec?.nodeName !== nodeName) continue;
    const i = p.status?.conditions?.findIndex((c) => c.type === 'Ready') ?? -1;
    if (i < 0 || p.status!.conditions![i]!.status === 'False') continue;
    const next = structuredClone(p);
    const c = next.status!.conditions![i]!;
    c.status = 'False';
    c.lastTransitionTime = formatTime(d.clock.now());
    try {
      await d.client.update(inNamespace(refs.pods, p.metadata.namespace), next, { subresource: 'status' });
      d.recorder.record(p, 'Warning', 'NodeNotReady', 'Node is not ready');
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') continue;
      d.log(`node-lifecycle: marking pod ${objectKey(p)} not ready: ${message(err)}`);
      ok = false;
    }
  }
  return ok;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
