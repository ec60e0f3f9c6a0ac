/**
 * PUT /api/v1/namespaces/<name>/finalize, as upstream's FinalizeREST: the
 * write replaces spec.finalizers only (everything else is kept from the
 * stored namespace), validated as upstream's ValidateNamespaceFinalizeUpdate.
 * The write that leaves a terminating namespace with no spec or metadata
 * finalizers removes it (namespace-update.ts, applied by writer.ts). The
 * namespace controller calls this once the namespace is empty.
 */
import { badRequest, methodNotAllowed } from '../../api/errors.js';
import { invalid } from '../../api/field-errors.js';
import { isPlainObject } from '../../api/meta.js';
import { bodyBuffer, decodeObject } from './body.js';
import { toServed } from './codec.js';
import type { RawBody, Reply } from './handlers.js';
import { checkTypeMeta } from './object-meta.js';
import { isDryRun } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { updateObject } from './writer.js';

export async function handleNamespaceFinalize(rc: RestContext, req: RestRequest, method: string, raw: RawBody): Promise<Reply> {
  if (method !== 'PUT') throw methodNotAllowed();
  const { resolved, name } = req.target;
  const entry = resolved.entry;
  const body = decodeObject(bodyBuffer(raw.body), raw.contentType);
  checkTypeMeta(body, 'v1', 'Namespace');
  const bodyName = body.metadata.name;
  if (bodyName !== undefined && bodyName !== '' && bodyName !== name) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  }
  const wanted = isPlainObject(body.spec) && Array.isArray(body.spec.finalizers) ? body.spec.finalizers : [];
  const res = await updateObject(rc, req, {
    name,
    subresource: 'finalize',
    dryRun: isDryRun(req.query),
    mutate: (cur) => {
      const next = structuredClone(cur);
      next.spec = { ...(isPlainObject(next.spec) ? next.spec : {}), finalizers: wanted };
      const errs = (entry.validate?.(next, cur) ?? []).filter((e) => e.field.startsWith('spec.finalizers'));
      if (errs.length > 0) throw invalid(entry.kind, name, errs, entry.group);
      const rv = body.metadata.resourceVersion;
      if (typeof rv === 'string' && rv !== '') next.metadata.resourceVersion = rv;
      else delete next.metadata.resourceVersion;
      return next;
    },
  });
  return { code: 200, body: toServed(resolved, res.object) };
}
