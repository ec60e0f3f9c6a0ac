/**
 * PATCH with `application/apply-patch+yaml`: server-side apply of a YAML
 * or JSON configuration. Requires `fieldManager` (422 as upstream's
 * PatchOptions validation), honours `force` and `dryRun`, answers 409 on
 * field conflicts, and creates a missing object (201). The write goes
 * through the shared writer (admission, optimistic retries) with the
 * managedFields the apply computed, so the writer does not track it again.
 */
import { badRequest, isApiError } from '../../api/errors.js';
import { invalid } from '../../api/field-errors.js';
import { apiVersionOf, isPlainObject, type KubeObject } from '../../api/meta.js';
import { bodyBuffer, decodeDocument } from '../rest/body.js';
import { toServed, toStored } from '../rest/codec.js';
import { checkMetadataShape, checkTypeMeta } from '../rest/object-meta.js';
import { isDryRun, queryBool, queryParam } from '../rest/query.js';
import type { RestContext, RestRequest } from '../rest/rest-context.js';
import { createObject, updateObject } from '../rest/writer.js';
import { applyToObject, type ApplyInfo } from './apply-op.js';
import { servedType, writeInfo } from './write-hooks.js';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/** The shapes of handlers.ts's RawBody and Reply (not imported: handlers.ts imports this module). */
interface RawBody {
  body: unknown;
  contentType: string | undefined;
}
interface Reply {
  code: number;
  body: unknown;
}

function decodeConfig(req: RestRequest, raw: RawBody): KubeObject {
  const doc = decodeDocument(bodyBuffer(raw.body), APPLY_PATCH_TYPE);
  if (doc === undefined) throw badRequest('the patch body is empty');
  if (!isPlainObject(doc)) throw badRequest('error decoding patch: the applied configuration must be an object');
  if (doc.metadata === undefined || doc.metadata === null) doc.metadata = {};
  if (!isPlainObject(doc.metadata)) throw badRequest('metadata must be an object');
  const cfg = doc as KubeObject;
  const r = req.target.resolved;
  checkTypeMeta(cfg, apiVersionOf(r.group, r.version), r.kind);
  checkMetadataShape(cfg);
  if (cfg.metadata.managedFields !== undefined && cfg.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const name = cfg.metadata.name;
  if (name !== undefined && name !== req.target.name) {
    throw badRequest(`the name of the object (${String(name)}) does not match the name on the URL (${req.target.name})`);
  }
  const ns = cfg.metadata.namespace;
  if (r.entry.namespaced && ns !== undefined && ns !== '' && ns !== req.target.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return cfg;
}

/** Upstream ignores status in an apply to the main resource of a kind with a status subresource. */
function scopeConfig(cfg: KubeObject, subresource: string, hasStatus: boolean): KubeObject {
  if (subresource === '' && hasStatus) {
    const { status: _s, ...rest } = cfg;
    return rest as KubeObject;
  }
  return cfg;
}

export async function handleApply(rc: RestContext, req: RestRequest, raw: RawBody, subresource: '' | 'status'): Promise<Reply> {
  const { resolved, name } = req.target;
  const fieldManager = queryParam(req.query, 'fieldManager');
  if (!fieldManager) {
    throw invalid('PatchOptions', '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }], 'meta.k8s.io');
  }
  const dryRun = isDryRun(req.query);
  const info: ApplyInfo = { ...writeInfo(rc, req, subresource, servedType(req)), force: queryBool(req.query, 'force') };
  const config = scopeConfig(decodeConfig(req, raw), subresource, info.hasStatusSubresource);
  try {
    const res = await updateObject(rc, req, {
      name,
      subresource,
      dryRun,
      applied: true,
      mutate: (cur) => toStored(resolved, applyToObject(toServed(resolved, cur), config, info)),
    });
    return { code: 200, body: toServed(resolved, res.object) };
  } catch (e) {
    if (!(isApiError(e) && e.code === 'SKIFF_NOT_FOUND' && subresource === '')) throw e;
  }
  // Create on apply: the configuration applied to an empty object.
  const empty: KubeObject = { apiVersion: apiVersionOf(resolved.group, resolved.version), kind: resolved.kind, metadata: { name } };
  if (resolved.entry.namespaced) empty.metadata.namespace = req.target.namespace;
  const created = await createObject(rc, req, toStored(resolved, applyToObject(empty, config, info)), dryRun, true);
  return { code: 201, body: toServed(resolved, created) };
}
