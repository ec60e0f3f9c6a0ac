/**
 * StatefulSet pod identity, as upstream's stateful_set_utils.go:
 * - a member pod is named `<set>-<ordinal>`; the ordinal is parsed from the
 *   name's last `-<digits>` (names that do not parse have ordinal -1 and are
 *   ignored by the controller);
 * - ordinals run from spec.ordinals.start (default 0) for spec.replicas;
 * - a pod carries the labels statefulset.kubernetes.io/pod-name,
 *   apps.kubernetes.io/pod-index and controller-revision-hash (the name of
 *   the ControllerRevision it was made from), spec.hostname = its name and
 *   spec.subdomain = spec.serviceName (set at creation only).
 * Pure.
 */
import type { OwnerReference } from '../../api/meta.js';
import type { Pod } from '../framework/pod-util.js';
import type { PodTemplate } from '../history/controller-revision.js';
import type { StatefulSet } from './statefulset-types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

const ORDINAL = /^(.*)-([0-9]+)$/;

export function parentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ORDINAL.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1] ?? '', ordinal } : { parent: '', ordinal: -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentNameAndOrdinal(pod).ordinal;
}

/** The pod belongs to the set by name (isMemberOf). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentNameAndOrdinal(pod).parent === set.metadata.name;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The last ordinal in range (start - 1 when replicas is 0). */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function inOrdinalRange(set: StatefulSet, ordinal: number): boolean {
  return ordinal >= startOrdinal(set) && ordinal <= endOrdinal(set);
}

export function podRevision(pod: Pod): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}

/** The pod's name, namespace and identity labels agree with the set (identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** Restores the identity labels on a copy of the pod (updateIdentity). */
export function withIdentity(set: StatefulSet, pod: Pod): Pod {
  const out = structuredClone(pod);
  const ordinal = ordinalOf(pod);
  out.metadata.name = podName(set, ordinal);
  out.metadata.namespace = set.metadata.namespace;
  out.metadata.labels = { ...(out.metadata.labels ?? {}), [POD_NAME_LABEL]: out.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
  return out;
}

/**
 * A new pod for `ordinal` from `template` (the template of the revision
 * named `revision`), as newStatefulSetPod + setPodRevision.
 */
export function newStatefulSetPod(set: StatefulSet, template: PodTemplate, ordinal: number, revision: string, controllerRef: OwnerReference): Pod {
  const name = podName(set, ordinal);
  const meta = template.metadata ?? {};
  const spec = structuredClone(template.spec ?? {});
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${set.metadata.name ?? ''}-`,
      namespace: set.metadata.namespace,
      labels: { ...(meta.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision },
      ownerReferences: [controllerRef],
    },
    spec,
  };
  if (meta.annotations && Object.keys(meta.annotations).length > 0) pod.metadata.annotations = { ...meta.annotations };
  const finalizers = (meta as { finalizers?: string[] }).finalizers;
  if (finalizers?.length) pod.metadata.finalizers = [...finalizers];
  return pod;
}
