/**
 * The write paths every verb shares: create, the optimistic update loop
 * (upstream's GuaranteedUpdate) and delete with grace periods, finalizers
 * and preconditions. Objects here are in stored form (the entry's own
 * group-version) with metadata.resourceVersion injected; handlers convert.
 *
 * Every write runs the admission chain; dryRun runs everything but the
 * store write and returns what would have been stored.
 */
import { alreadyExists, badRequest, conflict, isApiError, notFound } from '../../api/errors.js';
import { invalid } from '../../api/field-errors.js';
import { formatTime, type KubeObject } from '../../api/meta.js';
import type { AdmissionOperation } from '../admission/admission.js';
import { decodeEntry, decodeStored, encodeForStorage, groupResource, rewriteStoreError, storageKey } from './codec.js';
import { addedFinalizersDuringDeletion, prepareForCreate, prepareForUpdate, shouldDeleteDuringUpdate } from './object-meta.js';
import { checkPreconditions, type DeleteOptions } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { recordWrite } from '../fieldmanager/write-hooks.js';
import { isNamespaceEntry, shouldDeleteNamespaceDuringUpdate } from './namespace-update.js';

const MAX_RETRIES = 16;

/**
 * The object just written, as a read would answer it: the stored string is
 * exactly encodeForStorage(obj), so parsing it back would only cost a copy.
 */
function withRevision(obj: KubeObject, revision: number): KubeObject {
  obj.metadata.resourceVersion = String(revision);
  return obj;
}
const GENERATE_NAME_ATTEMPTS = 8;

async function admit(
  rc: RestContext,
  req: RestRequest,
  operation: AdmissionOperation,
  subresource: string,
  name: string,
  object: KubeObject | undefined,
  oldObject: KubeObject | undefined,
  dryRun: boolean,
): Promise<KubeObject | undefined> {
  const attrs = {
    operation,
    resource: req.target.resolved,
    subresource,
    namespace: req.target.namespace,
    name,
    object,
    oldObject,
    user: req.user,
    dryRun,
  };
  await rc.deps.admission.run(attrs);
  return attrs.object;
}

/** Creates a stored-form object; answers the stored result. */
export async function createObject(rc: RestContext, req: RestRequest, obj: KubeObject, dryRun: boolean, applied = false): Promise<KubeObject> {
  const entry = req.target.resolved.entry;
  const m = obj.metadata;
  const generate = !m.name && typeof m.generateName === 'string' && m.generateName !== '';
  if (!m.name && !generate) {
    throw invalid(entry.kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }], entry.group);
  }
  if (entry.namespaced) m.namespace = req.target.namespace;
  else delete m.namespace;
  prepareForCreate(entry, obj, rc.deps);
  for (let attempt = 0; ; attempt++) {
    if (generate) m.name = `${m.generateName as string}${rc.deps.randomSuffix(5)}`;
    const name = m.name as string;
    let admitted = (await admit(rc, req, 'CREATE', '', name, obj, undefined, dryRun)) ?? obj;
    // Server-side apply (`applied`) set managedFields itself.
    if (!applied) admitted = recordWrite(rc, req, '', undefined, admitted);
    const key = storageKey(entry, req.target.namespace, name);
    const value = encodeForStorage(entry, admitted);
    if (dryRun) {
      const existing = await rc.deps.store.get(key);
      if (existing) throw alreadyExists(groupResource(entry), name);
      const out = decodeStored(value, 0);
      delete out.metadata.resourceVersion;
      return out;
    }
    try {
      return withRevision(admitted, (await rc.deps.store.create(key, value)).modRevision);
    } catch (e) {
      if (generate && isApiError(e) && e.code === 'SKIFF_ALREADY_EXISTS' && attempt < GENERATE_NAME_ATTEMPTS) continue;
      throw rewriteStoreError(e, groupResource(entry), name);
    }
  }
}

export interface UpdateSpec {
  name: string;
  /** '' (main resource), 'status' or 'scale'. */
  subresource: string;
  dryRun: boolean;
  /**
   * Computes the new stored-form object from the current one. A
   * metadata.resourceVersion left in the result is a precondition.
   */
  mutate(current: KubeObject): KubeObject | Promise<KubeObject>;
  /** mutate ignores `current` (a PUT replaces the object), so no copy of it is made. */
  replaces?: boolean;
  /** The caller already ran admission for this write (binding). */
  skipAdmission?: boolean;
  /** mutate is a server-side apply and set managedFields itself. */
  applied?: boolean;
}

export interface UpdateResult {
  object: KubeObject;
  /** The last finalizer went and the object was removed. */
  deleted: boolean;
}

/** Read, mutate, admit and write with the read revision; retries unconditional writes on conflict. */
export async function updateObject(rc: RestContext, req: RestRequest, spec: UpdateSpec): Promise<UpdateResult> {
  const entry = req.target.resolved.entry;
  const gr = groupResource(entry);
  const key = storageKey(entry, req.target.namespace, spec.name);
  for (let attempt = 0; ; attempt++) {
    const cur = await rc.deps.store.get(key);
    if (!cur) throw notFound(gr, spec.name);
    const old = decodeEntry(cur);
    // A second parse is cheaper than structuredClone, and a PUT needs no copy at all.
    const mutated = await spec.mutate(spec.replaces ? old : decodeEntry(cur));
    const wantedRv = mutated.metadata.resourceVersion;
    if (wantedRv !== undefined && wantedRv !== '' && wantedRv !== old.metadata.resourceVersion) throw conflict(gr, spec.name);
    let next = prepareForUpdate(entry, spec.subresource, mutated, old, () => decodeEntry(cur));
    if (!spec.skipAdmission) next = (await admit(rc, req, 'UPDATE', spec.subresource, spec.name, next, old, spec.dryRun)) ?? next;
    if (!spec.skipAdmission && !spec.applied) next = recordWrite(rc, req, spec.subresource, old, next);
    const added = addedFinalizersDuringDeletion(next, old);
    if (added.length > 0) {
      throw invalid(entry.kind, spec.name, [
        { type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
      ], entry.group);
    }
    const value = encodeForStorage(entry, next);
    const removeNow = isNamespaceEntry(entry) ? shouldDeleteNamespaceDuringUpdate(next, old) : shouldDeleteDuringUpdate(next, old);
    // The stored string is what encodeForStorage wrote, so comparing with it
    // detects a no-op write without serializing the old object again (a
    // value in another layout is rewritten once, then compares equal).
    if (value === cur.value && !removeNow) return { object: old, deleted: false };
    if (spec.dryRun) return { object: decodeStored(value, cur.modRevision), deleted: removeNow };
    try {
      const written = await rc.deps.store.update(key, value, cur.modRevision);
      if (!removeNow) return { object: withRevision(next, written.modRevision), deleted: false };
      const gone = await rc.deps.store.delete(key, written.modRevision);
      return { object: decodeStored(value, gone.modRevision), deleted: true };
    } catch (e) {
      // A stale precondition is caught by the check above on the next turn.
      const retry = isApiError(e) && e.code === 'SKIFF_CONFLICT' && attempt < MAX_RETRIES;
      if (retry) continue;
      throw rewriteStoreError(e, gr, spec.name);
    }
  }
}

const GC_FINALIZERS = ['orphan', 'foregroundDeletion'];

/**
 * Resources whose upstream DefaultGarbageCollectionPolicy is
 * OrphanDependents (backwards compatibility): batch/v1 Jobs. A delete
 * naming no policy orphans their dependents unless the object's own
 * finalizers say otherwise.
 */
const ORPHAN_BY_DEFAULT = new Set(['batch/v1/jobs']);

function finalizersFor(obj: KubeObject, opts: DeleteOptions, orphanByDefault = false): string[] {
  const current = obj.metadata.finalizers ?? [];
  let policy = opts.propagationPolicy;
  if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? 'Orphan' : 'Background';
  if (!policy && orphanByDefault && !current.some((f) => GC_FINALIZERS.includes(f))) policy = 'Orphan';
  if (!policy) return current;
  const want = policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;
  const out = current.filter((f) => !GC_FINALIZERS.includes(f) || f === want);
  if (want && !out.includes(want)) out.push(want);
  return out;
}

export interface DeleteResult {
  object: KubeObject;
  /** false: only marked (grace period or finalizers pending). */
  deleted: boolean;
}

/**
 * Deletes one object: preconditions, admission, then either marks it
 * (deletionTimestamp; graceful kinds and pending finalizers) or removes it.
 */
export async function deleteObject(rc: RestContext, req: RestRequest, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const entry = req.target.resolved.entry;
  const gr = groupResource(entry);
  const key = storageKey(entry, req.target.namespace, name);
  for (let attempt = 0; ; attempt++) {
    const cur = await rc.deps.store.get(key);
    if (!cur) throw notFound(gr, name);
    const obj = decodeEntry(cur);
    checkPreconditions(gr, name, obj, opts.preconditions);
    await admit(rc, req, 'DELETE', '', name, undefined, obj, opts.dryRun);
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) throw badRequest('gracePeriodSeconds must be non-negative');
    const decision = entry.deletion ? entry.deletion(obj, opts.gracePeriodSeconds) : { graceful: false };
    const grace = decision.graceful ? Math.max(0, decision.gracePeriodSeconds ?? opts.gracePeriodSeconds ?? 30) : 0;
    const graceful = decision.graceful && grace > 0;
    const served = req.target.resolved;
    const finalizers = finalizersFor(obj, opts, ORPHAN_BY_DEFAULT.has(`${served.group}/${served.version}/${entry.resource}`));
    const m = obj.metadata;
    let next: KubeObject | undefined;
    if (graceful || finalizers.length > 0) {
      next = structuredClone(obj);
      const nm = next.metadata;
      if (finalizers.length > 0) nm.finalizers = finalizers;
      else delete nm.finalizers;
      const due = new Date(rc.deps.clock.now().getTime() + grace * 1000);
      const shorter = m.deletionGracePeriodSeconds === undefined || grace < m.deletionGracePeriodSeconds;
      if (!m.deletionTimestamp || shorter) {
        nm.deletionTimestamp = formatTime(due);
        nm.deletionGracePeriodSeconds = grace;
        if (!m.deletionTimestamp && typeof nm.generation === 'number') nm.generation += 1;
      }
      if (encodeForStorage(entry, next) === encodeForStorage(entry, obj)) return { object: obj, deleted: false };
      if (opts.dryRun) return { object: next, deleted: false };
    } else if (opts.dryRun) {
      return { object: obj, deleted: true };
    }
    try {
      if (next) return { object: decodeEntry(await rc.deps.store.update(key, encodeForStorage(entry, next), cur.modRevision)), deleted: false };
      const gone = await rc.deps.store.delete(key, cur.modRevision);
      return { object: decodeStored(gone.value, gone.modRevision), deleted: true };
    } catch (e) {
      const retry = isApiError(e) && e.code === 'SKIFF_CONFLICT' && opts.preconditions?.resourceVersion === undefined && attempt < MAX_RETRIES;
      if (retry) continue;
      throw rewriteStoreError(e, gr, name);
    }
  }
}
