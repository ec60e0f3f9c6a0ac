/**
 * The I/O half of ControllerRevision history, shared by the StatefulSet and
 * DaemonSet controllers (upstream's history.realHistory):
 * - ownedRevisions: the revisions a parent controls, adopting orphans its
 *   selector matches (never while the parent is being deleted) and
 *   releasing owned ones it no longer matches;
 * - createRevision: creates under `<parent>-<hash>`; when the name is
 *   taken by a revision with other data, bumps the collision count and
 *   tries the next hash, returning the count it ended with;
 * - updateRevisionNumber / deleteRevision: rollback renumbering and
 *   history truncation.
 * Reads come from the shared informer cache; writes go through the client.
 */
import type { ApiClient } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { adoptPatch, claimAction, releasePatch, STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import type { Informer } from '../framework/informer.js';
import { inNamespace, refs } from '../framework/refs.js';
import { canonicalJson, controllerRevisionName, hashControllerRevision } from './revision-hash.js';
import type { ControllerRevision } from './controller-revision.js';

export class RevisionStore {
  constructor(
    private readonly client: ApiClient,
    private readonly informer: Informer<ControllerRevision>,
  ) {}

  private ref(namespace: string | undefined): ReturnType<typeof inNamespace> {
    return inNamespace(refs.controllerRevisions, namespace);
  }

  /** The parent's revisions (cache copies), after adopting and releasing. */
  async ownedRevisions(
    parent: KubeObject,
    matches: (labels: Record<string, string> | undefined) => boolean,
    controllerRef: () => OwnerReference,
  ): Promise<ControllerRevision[]> {
    const out: ControllerRevision[] = [];
    for (const rev of this.informer.list(parent.metadata.namespace)) {
      const action = claimAction(parent, rev, matches(rev.metadata.labels));
      if (action === 'keep') out.push(rev);
      else if (action === 'adopt') {
        try {
          out.push(
            await this.client.patch<ControllerRevision>(this.ref(rev.metadata.namespace), rev.metadata.name ?? '', adoptPatch(rev, controllerRef()), STRATEGIC_MERGE_PATCH),
          );
        } catch (err) {
          if (!isApiError(err) || err.code !== 'SKIFF_NOT_FOUND') throw err;
        }
      } else if (action === 'release') {
        try {
          await this.client.patch(this.ref(rev.metadata.namespace), rev.metadata.name ?? '', releasePatch(rev, parent.metadata.uid ?? ''), STRATEGIC_MERGE_PATCH);
        } catch (err) {
          if (!isApiError(err) || (err.code !== 'SKIFF_NOT_FOUND' && err.code !== 'SKIFF_INVALID')) throw err;
        }
      }
    }
    return out;
  }

  /**
   * Creates `rev` (named by its data and the collision count), bumping the
   * count past names held by revisions with other data. An existing
   * revision with the same data is returned as is.
   */
  async createRevision(parentName: string, rev: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    let count = collisionCount;
    for (let attempt = 0; attempt < 100; attempt++) {
      const body = structuredClone(rev);
      body.metadata.name = controllerRevisionName(parentName, hashControllerRevision(rev.data, count));
      try {
        return { revision: await this.client.create(this.ref(rev.metadata.namespace), body), collisionCount: count };
      } catch (err) {
        if (!isApiError(err) || err.code !== 'SKIFF_ALREADY_EXISTS') throw err;
        const existing = await this.client.get<ControllerRevision>(this.ref(rev.metadata.namespace), body.metadata.name);
        if (canonicalJson(existing.data) === canonicalJson(rev.data)) return { revision: existing, collisionCount: count };
        count++;
      }
    }
    throw new Error(`no free ControllerRevision name for ${parentName} after 100 collisions`);
  }

  async updateRevisionNumber(rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
    if (rev.revision === revision) return rev;
    const body = structuredClone(rev);
    body.revision = revision;
    return this.client.update(this.ref(rev.metadata.namespace), body);
  }

  async deleteRevision(rev: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(this.ref(rev.metadata.namespace), rev.metadata.name ?? '', { preconditions: { uid: rev.metadata.uid } });
    } catch (err) {
      if (!isApiError(err) || (err.code !== 'SKIFF_NOT_FOUND' && err.code !== 'SKIFF_CONFLICT')) throw err;
    }
  }
}
