/**
 * Verbs on virtual entries: resources served without storage. A review
 * (SelfSubjectReview, later SubjectAccessReview) answers a POST with the
 * object's status filled in and keeps nothing; a metrics resource answers
 * get and list from live readings. Verbs without a handler answer 405.
 */
import { methodNotAllowed, notFound } from '../../api/errors.js';
import { apiVersionOf, formatTime, type KubeObject } from '../../api/meta.js';
import { listKindOf } from '../../api/resource-table.js';
import type { Reply, RawBody } from './handlers.js';
import { decodeWriteBody } from './handlers.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { queryParam } from './query.js';
import { resourceNotFound } from './request-target.js';

function typed(req: RestRequest, obj: KubeObject): KubeObject {
  const { group, version, kind } = req.target.resolved;
  return { ...obj, apiVersion: apiVersionOf(group, version), kind };
}

export async function dispatchVirtual(rc: RestContext, req: RestRequest, method: string, raw: RawBody): Promise<Reply> {
  const { entry } = req.target.resolved;
  const v = entry.virtual;
  if (req.target.subresource) throw resourceNotFound();
  if (method === 'POST' && !req.target.name && v?.create) {
    const obj = decodeWriteBody(req, raw);
    // Reviews are nameless questions, not objects: no admission, no storage.
    obj.metadata.creationTimestamp ??= formatTime(rc.deps.clock.now());
    return { code: 201, body: typed(req, await v.create(obj, req.user)) };
  }
  if (method === 'GET' && req.target.name && v?.get) {
    const got = await v.get(req.target.namespace, req.target.name);
    if (!got) throw notFound({ group: entry.group, resource: entry.resource }, req.target.name);
    return { code: 200, body: typed(req, got) };
  }
  if (method === 'GET' && !req.target.name && v?.list) {
    const labelSelector = queryParam(req.query, 'labelSelector');
    const items = (await v.list(req.target.namespace, labelSelector ? { labelSelector } : {})).map((o) => typed(req, o));
    const { group, version } = req.target.resolved;
    return { code: 200, body: { apiVersion: apiVersionOf(group, version), kind: listKindOf(req.target.resolved.kind), metadata: {}, items } };
  }
  throw methodNotAllowed();
}
