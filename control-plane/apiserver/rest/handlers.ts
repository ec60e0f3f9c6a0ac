/**
 * The verbs on a resource and its objects: create, get, list, update,
 * patch, delete and deletecollection. Each decodes the request, converts
 * between the served and stored group-version and calls the shared write
 * paths (writer.ts). Answers are served-form objects.
 */
import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import { apiVersionOf, type KubeList, type KubeObject } from '../../api/meta.js';
import { patchApplierFor } from '../patch/registry.js';
import { APPLY_PATCH_TYPE, handleApply } from '../fieldmanager/apply-request.js';
import { bodyBuffer, decodeDocument, decodeObject, mediaType } from './body.js';
import { decodeEntry, groupResource, rewriteStoreError, storageKey, toServed, toStored } from './codec.js';
import { readList, toListResponse } from './list.js';
import { checkMetadataShape, checkTypeMeta } from './object-meta.js';
import { deleteOptions, isDryRun, queryBool, queryParam } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { compileSelection } from './selection.js';
import { createObject, deleteObject, updateObject } from './writer.js';
import { deleteNamespace } from './namespace-deletion.js';
import { isNamespaceEntry } from './namespace-update.js';
import { validatePatchedFields, validateWriteFields } from '../validation/field-validation.js';
import { notFound, isApiError } from '../../api/errors.js';

export interface Reply {
  code: number;
  body: unknown;
  /** `Warning` header values to send (field validation). */
  warnings?: string[];
}

export interface RawBody {
  body: unknown;
  contentType: string | undefined;
}

function servedApiVersion(req: RestRequest): string {
  return apiVersionOf(req.target.resolved.group, req.target.resolved.version);
}

/** Decodes an object body for create/update and checks it against the route. */
export function decodeWriteBody(req: RestRequest, raw: RawBody): KubeObject {
  const obj = decodeObject(bodyBuffer(raw.body), raw.contentType);
  checkTypeMeta(obj, servedApiVersion(req), req.target.resolved.kind);
  checkMetadataShape(obj);
  const ns = obj.metadata.namespace;
  if (req.target.resolved.entry.namespaced && ns !== undefined && ns !== '' && ns !== req.target.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return obj;
}

export async function handleCreate(rc: RestContext, req: RestRequest, raw: RawBody): Promise<Reply> {
  const obj = decodeWriteBody(req, raw);
  const warnings = validateWriteFields(req.target.resolved, req.query, obj, bodyBuffer(raw.body), raw.contentType, 'create');
  const created = await createObject(rc, req, toStored(req.target.resolved, obj), isDryRun(req.query));
  return { code: 201, body: toServed(req.target.resolved, created), warnings };
}

export async function handleGet(rc: RestContext, req: RestRequest): Promise<Reply> {
  const { resolved, namespace, name } = req.target;
  const gr = groupResource(resolved.entry);
  let e;
  try {
    e = await rc.deps.store.get(storageKey(resolved.entry, namespace, name));
  } catch (err) {
    throw rewriteStoreError(err, gr, name);
  }
  if (!e) throw notFound(gr, name);
  return { code: 200, body: toServed(resolved, decodeEntry(e)) };
}

export async function handleUpdate(rc: RestContext, req: RestRequest, raw: RawBody, subresource: '' | 'status'): Promise<Reply> {
  const { resolved, name } = req.target;
  const obj = decodeWriteBody(req, raw);
  const warnings = validateWriteFields(resolved, req.query, obj, bodyBuffer(raw.body), raw.contentType, 'update');
  const bodyName = obj.metadata.name;
  if (bodyName !== undefined && bodyName !== '' && bodyName !== name) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  }
  obj.metadata.name = name;
  const stored = toStored(resolved, obj);
  // The write path may change what mutate returns, so a retry after a conflict decodes the body afresh.
  const fresh = (): KubeObject => {
    const again = decodeWriteBody(req, raw);
    again.metadata.name = name;
    return toStored(resolved, again);
  };
  let attempts = 0;
  const res = await updateObject(rc, req, {
    name,
    subresource,
    dryRun: isDryRun(req.query),
    replaces: true,
    mutate: () => (attempts++ === 0 ? stored : fresh()),
  });
  return { code: 200, body: toServed(resolved, res.object), warnings };
}

export async function handlePatch(rc: RestContext, req: RestRequest, raw: RawBody, subresource: '' | 'status'): Promise<Reply> {
  const { resolved, name } = req.target;
  const type = mediaType(raw.contentType);
  if (type === APPLY_PATCH_TYPE) return handleApply(rc, req, raw, subresource);
  const applier = patchApplierFor(type);
  if (!applier) throw unsupportedMediaType(raw.contentType ?? '');
  const patch = bodyBuffer(raw.body) ?? Buffer.alloc(0);
  if (patch.length === 0) throw badRequest('the patch body is empty');
  const ctx = { resource: resolved, subresource, fieldManager: queryParam(req.query, 'fieldManager'), force: queryBool(req.query, 'force') };
  let warnings: string[] = [];
  const res = await updateObject(rc, req, {
    name,
    subresource,
    dryRun: isDryRun(req.query),
    mutate: (cur) => {
      const served = toServed(resolved, cur);
      const before = structuredClone(served);
      const patched = applier(served, patch, ctx);
      warnings = validatePatchedFields(resolved, req.query, before, patched, patch, raw.contentType);
      checkTypeMeta(patched, servedApiVersion(req), resolved.kind);
      checkMetadataShape(patched);
      if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
        throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
      }
      const ns = patched.metadata.namespace;
      if (resolved.entry.namespaced && ns !== undefined && ns !== req.target.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      return toStored(resolved, patched);
    },
  });
  return { code: 200, body: toServed(resolved, res.object), warnings };
}

export async function handleDelete(rc: RestContext, req: RestRequest, raw: RawBody): Promise<Reply> {
  const opts = deleteOptions(req.query, decodeDocument(bodyBuffer(raw.body), raw.contentType));
  const del = isNamespaceEntry(req.target.resolved.entry) ? deleteNamespace : deleteObject;
  const res = await del(rc, req, req.target.name, opts);
  return { code: 200, body: toServed(req.target.resolved, res.object) };
}

export async function handleList(rc: RestContext, req: RestRequest): Promise<Reply> {
  const selection = compileSelection(req.target.resolved, queryParam(req.query, 'labelSelector'), queryParam(req.query, 'fieldSelector'));
  return { code: 200, body: toListResponse(req, await readList(rc, req, selection)) };
}

/** DELETE on a collection: deletes every selected object, answering the list of them as they were. */
export async function handleDeleteCollection(rc: RestContext, req: RestRequest, raw: RawBody): Promise<Reply> {
  const opts = deleteOptions(req.query, decodeDocument(bodyBuffer(raw.body), raw.contentType));
  const selection = compileSelection(req.target.resolved, queryParam(req.query, 'labelSelector'), queryParam(req.query, 'fieldSelector'));
  const listReq: RestRequest = { ...req, query: { ...req.query, limit: undefined, continue: undefined } };
  const listed = await readList(rc, listReq, selection);
  for (const obj of listed.items) {
    const name = obj.metadata.name ?? '';
    const itemReq: RestRequest = { ...req, target: { ...req.target, namespace: obj.metadata.namespace ?? '', name } };
    try {
      await deleteObject(rc, itemReq, name, opts);
    } catch (e) {
      if (!(isApiError(e) && e.code === 'SKIFF_NOT_FOUND')) throw e;
    }
  }
  const list: KubeList = toListResponse(req, { items: listed.items, revision: listed.revision });
  return { code: 200, body: list };
}
