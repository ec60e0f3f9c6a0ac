/**
 * Mutating admission plug-in `DefaultTolerationSeconds`, as upstream's
 * (plugin/pkg/admission/defaulttolerationseconds): a Pod written (create or
 * update of the pod itself, not a subresource) without a toleration for
 * the node.kubernetes.io/not-ready:NoExecute taint gets
 *   {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
 * and likewise for node.kubernetes.io/unreachable. A toleration counts as
 * covering a taint when its key is that taint's or empty and its effect is
 * NoExecute or empty (upstream's check, whatever its operator).
 *
 * Why: without it a pod on a node that stops responding would be evicted
 * by the taint eviction controller the moment the node is tainted; five
 * minutes lets a brief network blip pass. On update the defaults only
 * re-add what a client dropped (pod updates may add tolerations).
 */
import { isPlainObject } from '../../api/meta.js';
import type { AdmissionAttributes, MutatingPlugin } from './admission.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** Upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

function covers(t: unknown, key: string): boolean {
  if (!isPlainObject(t)) return false;
  const k = typeof t.key === 'string' ? t.key : '';
  const effect = typeof t.effect === 'string' ? t.effect : '';
  return (k === key || k === '') && (effect === 'NoExecute' || effect === '');
}

export function defaultTolerationSecondsPlugin(opts: { notReadySeconds?: number; unreachableSeconds?: number } = {}): MutatingPlugin {
  const seconds: Record<string, number> = {
    [TAINT_NODE_NOT_READY]: opts.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS,
    [TAINT_NODE_UNREACHABLE]: opts.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS,
  };
  return {
    name: 'DefaultTolerationSeconds',
    admit(attrs: AdmissionAttributes): void {
      if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
      if (attrs.subresource !== '' || attrs.resource.entry.group !== '' || attrs.resource.entry.resource !== 'pods') return;
      const spec = attrs.object?.spec;
      if (!isPlainObject(spec)) return;
      const existing: unknown[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
      const added = [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]
        .filter((key) => !existing.some((t) => covers(t, key)))
        .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds[key] }));
      if (added.length > 0) spec.tolerations = [...existing, ...added];
    },
  };
}
