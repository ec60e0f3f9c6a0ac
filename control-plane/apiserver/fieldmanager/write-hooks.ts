/**
 * The REST writer's hook: every create, update and patch that is not a
 * server-side apply records its manager's changes in managedFields
 * (upstream records them before mutating admission; Skiff records the
 * admitted object, so server defaults count as the writer's, as upstream's
 * decode-time defaulting does). Objects here are in stored form; entries
 * name the group-version the request was served under.
 *
 * Type information comes from the schema graph (loaded once; without it
 * every value is deduced).
 */
import { apiVersionOf, formatTime, type KubeObject } from '../../api/meta.js';
import { loadSchemaGraph } from '../../api/schema/proto-schema.js';
import type { SchemaGraph } from '../../api/schema/schema-types.js';
import type { RestContext, RestRequest } from '../rest/rest-context.js';
import { queryParam } from '../rest/query.js';
import { managerOrUserAgent } from './manager-name.js';
import { rootType, type TypeDesc } from './type-info.js';
import { updateManagedFields, type WriteInfo } from './update-op.js';

/** The process's schema graph (proto/k8s, loaded once by loadSchemaGraph). */
export function schemaGraph(): SchemaGraph {
  return loadSchemaGraph();
}

/** The type of objects as stored (the entry's own group-version). */
export function storedType(req: RestRequest): TypeDesc {
  const e = req.target.resolved.entry;
  return rootType(schemaGraph(), e.group, e.version, e.kind);
}

/** The type of objects as served to this request. */
export function servedType(req: RestRequest): TypeDesc {
  const r = req.target.resolved;
  return rootType(schemaGraph(), r.group, r.version, r.kind);
}

export function writeInfo(rc: RestContext, req: RestRequest, subresource: string, type: TypeDesc): WriteInfo {
  const r = req.target.resolved;
  return {
    type,
    manager: managerOrUserAgent(queryParam(req.query, 'fieldManager'), req.userAgent),
    apiVersion: apiVersionOf(r.group, r.version),
    subresource,
    hasStatusSubresource: r.entry.subresources?.status === true,
    now: formatTime(rc.deps.clock.now()),
  };
}

/** Sets `next.metadata.managedFields` after a non-apply write; `old` is undefined on create. */
export function recordWrite(rc: RestContext, req: RestRequest, subresource: string, old: KubeObject | undefined, next: KubeObject): KubeObject {
  const managed = updateManagedFields(old, next, writeInfo(rc, req, subresource, storedType(req)));
  if (managed) next.metadata.managedFields = managed;
  else delete next.metadata.managedFields;
  return next;
}
