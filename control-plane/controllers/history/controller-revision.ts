/**
 * ControllerRevisions: immutable snapshots of a workload's pod template
 * that StatefulSets and DaemonSets roll between (upstream's
 * pkg/controller/history and the controllers' getPatch/ApplyRevision).
 *
 * Contract:
 * - a revision's data is `{"spec":{"template":{…,"$patch":"replace"}}}`,
 *   the strategic-merge patch that restores the template exactly;
 * - revisions are ordered by revision number, then creation time, then name;
 *   the next revision number is the highest plus one (1 for none);
 * - two revisions are equal when their data is (and their hash labels, when
 *   both have one, agree).
 * Pure.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { canonicalJson, controllerRevisionName, hashControllerRevision } from './revision-hash.js';
import { byCreationThenName } from '../framework/ordering.js';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision?: number;
}

/** The label history.NewControllerRevision puts on every revision. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export type PodTemplate = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown }; spec?: Record<string, unknown> };

/** The revision data for a template: a patch replacing spec.template. */
export function templatePatch(template: unknown): { spec: { template: Record<string, unknown> } } {
  const t = structuredClone((template ?? {}) as Record<string, unknown>);
  return { spec: { template: { ...t, $patch: 'replace' } } };
}

/** The template a revision restores (ApplyRevision for the template field). */
export function templateOfRevision(rev: ControllerRevision): PodTemplate {
  const spec = (rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec;
  const t = structuredClone(spec?.template ?? {});
  delete t.$patch;
  return t as PodTemplate;
}

export function revisionNumber(rev: ControllerRevision): number {
  return typeof rev.revision === 'number' ? rev.revision : 0;
}

/** Ascending by revision, then creationTimestamp, then name (history.SortControllerRevisions). */
export function sortRevisions<T extends ControllerRevision>(revs: readonly T[]): T[] {
  return [...revs].sort((a, b) => {
    const d = revisionNumber(a) - revisionNumber(b);
    if (d !== 0) return d;
    return byCreationThenName(a, b);
  });
}

/** The highest revision number plus one; 1 when there is none. */
export function nextRevision(revs: readonly ControllerRevision[]): number {
  let max = 0;
  for (const r of revs) max = Math.max(max, revisionNumber(r));
  return max + 1;
}

export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return canonicalJson(a.data) === canonicalJson(b.data);
}

/** The revisions equal to `needle`, in the order given. */
export function findEqualRevisions<T extends ControllerRevision>(revs: readonly T[], needle: ControllerRevision): T[] {
  return revs.filter((r) => equalRevision(r, needle));
}

/**
 * history.NewControllerRevision: labels copied from the template plus the
 * hash label, a controller reference to the parent, named
 * `<parent>-<hash(data, collisionCount)>`.
 */
export function newControllerRevision(
  parent: KubeObject,
  controllerRef: OwnerReference,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number,
): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name ?? '', hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerRef],
    },
    data,
    revision,
  };
}

export type UpdateRevisionChoice =
  | { action: 'reuse'; revision: ControllerRevision }
  | { action: 'renumber'; revision: ControllerRevision; to: number }
  | { action: 'create' };

/**
 * How the StatefulSet controller gets its update revision from the sorted
 * history and a candidate made from the current template: the latest
 * revision if it already equals the candidate; an older equal revision
 * renumbered to the candidate's number (a rollback); else a new one.
 */
export function chooseUpdateRevision(sorted: readonly ControllerRevision[], candidate: ControllerRevision): UpdateRevisionChoice {
  const equal = findEqualRevisions(sorted, candidate);
  const lastEqual = equal[equal.length - 1];
  if (!lastEqual) return { action: 'create' };
  if (equalRevision(sorted[sorted.length - 1], lastEqual)) return { action: 'reuse', revision: lastEqual };
  return { action: 'renumber', revision: lastEqual, to: candidate.revision ?? nextRevision(sorted) };
}
