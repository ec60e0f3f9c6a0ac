/**
 * The namespace life cycle in the REST layer, as upstream's namespace
 * storage (pkg/registry/core/namespace/storage):
 * - DELETE of an Active namespace only marks it: deletionTimestamp now,
 *   status.phase Terminating, and the garbage collector's orphan /
 *   foregroundDeletion finalizers per the propagation policy. The
 *   namespace controller then empties it and removes its `kubernetes`
 *   finalizer through the finalize subresource.
 * - DELETE of a namespace already terminating answers it unchanged while
 *   spec.finalizers remain; once they are gone it is an ordinary delete.
 * (PUT namespaces/<name>/finalize is namespace-finalize.ts.)
 * Why here and not in writer.ts: only namespaces carry a second finalizer
 * list in their spec, and upstream special-cases them the same way.
 */
import { isApiError, notFound } from '../../api/errors.js';
import { formatTime, isPlainObject } from '../../api/meta.js';
import { decodeEntry, encodeForStorage, groupResource, rewriteStoreError, storageKey } from './codec.js';
import { checkPreconditions, type DeleteOptions } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { specFinalizers } from './namespace-update.js';
import { deleteObject, type DeleteResult } from './writer.js';

const MAX_RETRIES = 16;

/** upstream shouldHaveOrphanFinalizer / shouldHaveDeleteDependentsFinalizer. */
function gcFinalizers(current: string[], opts: DeleteOptions): string[] {
  const has = (f: string): boolean => current.includes(f);
  let orphan = has('orphan');
  let foreground = has('foregroundDeletion');
  if (opts.orphanDependents !== undefined) orphan = opts.orphanDependents;
  else if (opts.propagationPolicy) orphan = opts.propagationPolicy === 'Orphan';
  if (opts.orphanDependents !== undefined) foreground = false;
  else if (opts.propagationPolicy) foreground = opts.propagationPolicy === 'Foreground';
  const out = current.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (orphan) out.push('orphan');
  if (foreground) out.push('foregroundDeletion');
  return out;
}

/** DELETE /api/v1/namespaces/<name>. */
export async function deleteNamespace(rc: RestContext, req: RestRequest, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const entry = req.target.resolved.entry;
  const gr = groupResource(entry);
  const key = storageKey(entry, '', name);
  for (let attempt = 0; ; attempt++) {
    const cur = await rc.deps.store.get(key);
    if (!cur) throw notFound(gr, name);
    const ns = decodeEntry(cur);
    checkPreconditions(gr, name, ns, opts.preconditions);
    if (ns.metadata.deletionTimestamp) {
      // Terminating: wait for the namespace controller while its finalizers remain.
      if (specFinalizers(ns).length > 0) return { object: ns, deleted: false };
      return deleteObject(rc, req, name, opts);
    }
    await rc.deps.admission.run({
      operation: 'DELETE', resource: req.target.resolved, subresource: '', namespace: '', name, object: undefined, oldObject: ns, user: req.user, dryRun: opts.dryRun,
    });
    const next = structuredClone(ns);
    next.metadata.deletionTimestamp = formatTime(rc.deps.clock.now());
    const status = isPlainObject(next.status) ? next.status : (next.status = {});
    status.phase = 'Terminating';
    const finalizers = gcFinalizers(ns.metadata.finalizers ?? [], opts);
    if (finalizers.length > 0) next.metadata.finalizers = finalizers;
    else delete next.metadata.finalizers;
    if (opts.dryRun) return { object: next, deleted: false };
    try {
      return { object: decodeEntry(await rc.deps.store.update(key, encodeForStorage(entry, next), cur.modRevision)), deleted: false };
    } catch (e) {
      if (isApiError(e) && e.code === 'SKIFF_CONFLICT' && attempt < MAX_RETRIES) continue;
      throw rewriteStoreError(e, gr, name);
    }
  }
}
