/**
 * A DaemonSet's ControllerRevision history (upstream's daemon/update.go
 * constructHistory, snapshot, dedupCurHistories and cleanupHistory):
 * - the current revision is the one whose data equals the template patch;
 *   it is created as `<ds>-<ComputeHash(template, collisionCount)>`
 *   labelled controller-revision-hash=<hash>, carrying the DaemonSet's
 *   annotations; duplicates are deleted and it is renumbered above every
 *   other revision;
 * - a name held by a revision with other data bumps status.collisionCount
 *   (from a fresh read, only if the count was not stale) and fails the
 *   sync, which retries with the new hash;
 * - cleanup deletes the oldest old revisions beyond revisionHistoryLimit
 *   whose hash no pod carries.
 */
import type { ApiClient } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import type { OwnerReference } from '../../api/meta.js';
import { matchesLabels, type LabelRequirement } from '../../api/selectors/label-selector.js';
import type { Pod } from '../framework/pod-util.js';
import { inNamespace, refs } from '../framework/refs.js';
import { nextRevision, sortRevisions, templatePatch, type ControllerRevision } from '../history/controller-revision.js';
import { canonicalJson, computeTemplateHash } from '../history/revision-hash.js';
import type { RevisionStore } from '../history/revision-store.js';
import { REVISION_HASH_LABEL, type DaemonSet } from './daemon-pods.js';

export class DaemonHistory {
  constructor(
    private readonly client: ApiClient,
    private readonly store: RevisionStore,
  ) {}

  /** constructHistory: the revision matching the template (created, renumbered or deduplicated) and the others. */
  async construct(ds: DaemonSet, sel: LabelRequirement[], ref: () => OwnerReference): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const owned = sortRevisions(await this.store.ownedRevisions(ds, (l) => matchesLabels(sel, l), ref));
    const data = templatePatch(ds.spec?.template ?? {});
    const matching = owned.filter((r) => canonicalJson(r.data) === canonicalJson(data));
    const old = owned.filter((r) => !matching.includes(r));
    const next = nextRevision(old);
    if (matching.length === 0) return { cur: await this.snapshot(ds, data, next, ref()), old };
    // Keep the newest of equal revisions (dedupCurHistories).
    let cur = matching[matching.length - 1]!;
    for (const dup of matching.slice(0, -1)) await this.store.deleteRevision(dup);
    if ((cur.revision ?? 0) < next) cur = await this.store.updateRevisionNumber(cur, next);
    return { cur, old };
  }

  /** Creates the revision for the template; a name taken by other data bumps status.collisionCount. */
  private async snapshot(ds: DaemonSet, data: unknown, revision: number, ref: OwnerReference): Promise<ControllerRevision> {
    const ns = ds.metadata.namespace;
    const hash = computeTemplateHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
    const name = `${ds.metadata.name ?? ''}-${hash}`;
    const revRef = inNamespace(refs.controllerRevisions, ns);
    const body: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [ref],
      },
      data,
      revision,
    };
    try {
      return await this.client.create(revRef, body);
    } catch (err) {
      if (!isApiError(err) || err.code !== 'SKIFF_ALREADY_EXISTS') throw err;
      const existing = await this.client.get<ControllerRevision>(revRef, name);
      if (canonicalJson(existing.data) === canonicalJson(data)) return existing;
      const dsRef = inNamespace(refs.daemonSets, ns);
      const fresh = await this.client.get<DaemonSet>(dsRef, ds.metadata.name ?? '');
      if ((fresh.status?.collisionCount ?? 0) !== (ds.status?.collisionCount ?? 0)) throw new Error(`found a stale collision count of DaemonSet ${ds.metadata.name ?? ''}; will retry`);
      fresh.status = { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
      await this.client.update(dsRef, fresh, { subresource: 'status' });
      throw err;
    }
  }

  /** cleanupHistory: delete the oldest revisions beyond revisionHistoryLimit that no pod uses. */
  async cleanup(ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
    let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
    if (toKill <= 0) return;
    const live = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL]).filter((h) => h));
    for (const r of sortRevisions(old)) {
      if (toKill <= 0) break;
      if (live.has(r.metadata.labels?.[REVISION_HASH_LABEL])) continue;
      await this.store.deleteRevision(r);
      toKill--;
    }
  }
}
