/**
 * The writes of upstream's ControllerRefManager, shared by the ReplicaSet
 * controller (claiming pods) and the Deployment controller (claiming
 * ReplicaSets): adopt matching orphans by patching in a controller ref,
 * release owned objects that stopped matching by patching it out, and
 * adopt only if a live read (not the cache) confirms the owner still
 * exists with the same uid and is not being deleted
 * (RecheckDeletionTimestamp).
 *
 * An object that vanished or changed meanwhile (NotFound, Conflict, or the
 * uid guard failing as Invalid) is skipped: the next sync sees the truth.
 */
import type { ApiClient, ResourceRef } from '../../api/client/api-client.js';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { adoptPatch, newControllerRef, releasePatch, STRATEGIC_MERGE_PATCH } from '../framework/controller-ref.js';
import { boundedAll, MAX_IN_FLIGHT } from './slow-start.js';

function skippable(err: unknown): boolean {
  return isApiError(err) && (err.code === 'SKIFF_NOT_FOUND' || err.code === 'SKIFF_CONFLICT' || err.code === 'SKIFF_INVALID');
}

/** Whether owner may adopt: a fresh GET agrees on its uid and it is not being deleted. */
export async function canAdopt(client: ApiClient, ownerRef: ResourceRef, owner: KubeObject): Promise<boolean> {
  try {
    const fresh = await client.get(ownerRef, owner.metadata.name ?? '');
    return fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (isApiError(err) && err.code === 'SKIFF_NOT_FOUND') return false;
    throw err;
  }
}

/** Patches owner's controller ref into each object; resolves to the adopted objects as the server returned them. */
export async function adoptAll<T extends KubeObject>(client: ApiClient, ref: ResourceRef, objs: readonly T[], owner: KubeObject, apiVersion: string, kind: string): Promise<T[]> {
  const controllerRef = newControllerRef(owner, apiVersion, kind);
  const adopted: T[] = [];
  const res = await boundedAll(objs.length, MAX_IN_FLIGHT, async (i) => {
    const o = objs[i]!;
    try {
      adopted.push(await client.patch<T>(ref, o.metadata.name ?? '', adoptPatch(o, controllerRef), STRATEGIC_MERGE_PATCH));
    } catch (err) {
      if (!skippable(err)) throw err;
    }
  });
  if (res.errors.length > 0) throw res.errors[0];
  return adopted;
}

/** Patches owner's ref out of each object. */
export async function releaseAll(client: ApiClient, ref: ResourceRef, objs: readonly KubeObject[], ownerUid: string): Promise<void> {
  const res = await boundedAll(objs.length, MAX_IN_FLIGHT, async (i) => {
    const o = objs[i]!;
    try {
      await client.patch(ref, o.metadata.name ?? '', releasePatch(o, ownerUid), STRATEGIC_MERGE_PATCH);
    } catch (err) {
      if (!skippable(err)) throw err;
    }
  });
  if (res.errors.length > 0) throw res.errors[0];
}
