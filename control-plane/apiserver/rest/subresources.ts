/**
 * Subresources beyond status: scale (autoscaling/v1 Scale read and written
 * through the entry's ScaleAccess), binding (assigns a pod to a node) and
 * the connect-style ones (eviction; exec, attach, portforward without an
 * upgrade; log and proxy where the streaming path is not installed).
 */
import { ApiError, badRequest, conflict, methodNotAllowed, unavailable, unsupportedMediaType } from '../../api/errors.js';
import { invalid } from '../../api/field-errors.js';
import { formatTime, isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ScaleAccess } from '../../api/resource-table.js';
import { handleEviction } from '../eviction/eviction.js';
import { handleTokenRequest } from '../auth/service-account-token-request.js';
import { patchApplierFor } from '../patch/registry.js';
import { bodyBuffer, decodeObject, mediaType } from './body.js';
import { groupResource } from './codec.js';
import { handleGet, type RawBody, type Reply } from './handlers.js';
import { checkTypeMeta } from './object-meta.js';
import { isDryRun, queryBool, queryParam } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { updateObject } from './writer.js';

function scaleAccess(req: RestRequest): ScaleAccess {
  const s = req.target.resolved.entry.subresources?.scale;
  if (!s) throw new ApiError('SKIFF_NOT_FOUND', 'the server could not find the requested resource');
  return s;
}

/** The autoscaling/v1 Scale of a stored object. */
export function scaleOf(access: ScaleAccess, obj: KubeObject): KubeObject {
  const m = obj.metadata;
  const metadata: KubeObject['metadata'] = { name: m.name };
  if (m.namespace) metadata.namespace = m.namespace;
  metadata.uid = m.uid;
  metadata.resourceVersion = m.resourceVersion;
  metadata.creationTimestamp = m.creationTimestamp;
  const status: Record<string, unknown> = { replicas: access.statusReplicas(obj) };
  const selector = access.selector(obj);
  if (selector) status.selector = selector;
  return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: access.specReplicas(obj) }, status };
}

function desiredReplicas(scale: KubeObject, name: string): number {
  const spec = isPlainObject(scale.spec) ? scale.spec : {};
  const r = spec.replicas ?? 0;
  if (typeof r !== 'number' || !Number.isInteger(r)) {
    throw invalid('Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: r, detail: 'must be an integer' }], 'autoscaling');
  }
  if (r < 0) throw invalid('Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: r, detail: 'must be greater than or equal to 0' }], 'autoscaling');
  return r;
}

/** Applies a desired Scale to the stored object, honouring its resourceVersion precondition. */
function applyScale(req: RestRequest, access: ScaleAccess, cur: KubeObject, scale: KubeObject): KubeObject {
  const name = req.target.name;
  checkTypeMeta(scale, 'autoscaling/v1', 'Scale');
  const meta = isPlainObject(scale.metadata) ? scale.metadata : {};
  if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  const rv = meta.resourceVersion;
  if (typeof rv === 'string' && rv !== '' && rv !== cur.metadata.resourceVersion) throw conflict(groupResource(req.target.resolved.entry), name);
  const replicas = desiredReplicas(scale, name);
  const next = structuredClone(cur);
  access.setReplicas(next, replicas);
  delete next.metadata.resourceVersion;
  return next;
}

export async function handleScale(rc: RestContext, req: RestRequest, method: string, raw: RawBody): Promise<Reply> {
  const access = scaleAccess(req);
  if (method === 'GET') {
    const got = await handleGet(rc, { ...req, target: { ...req.target, resolved: { ...req.target.resolved, alias: undefined } } });
    return { code: 200, body: scaleOf(access, got.body as KubeObject) };
  }
  let mutate: (cur: KubeObject) => KubeObject;
  if (method === 'PUT') {
    const body = decodeObject(bodyBuffer(raw.body), raw.contentType);
    mutate = (cur) => applyScale(req, access, cur, structuredClone(body));
  } else if (method === 'PATCH') {
    const applier = patchApplierFor(mediaType(raw.contentType));
    if (!applier) throw unsupportedMediaType(raw.contentType ?? '');
    const patch = bodyBuffer(raw.body) ?? Buffer.alloc(0);
    if (patch.length === 0) throw badRequest('the patch body is empty');
    const ctx = { resource: req.target.resolved, subresource: 'scale', fieldManager: queryParam(req.query, 'fieldManager'), force: queryBool(req.query, 'force') };
    mutate = (cur) => applyScale(req, access, cur, applier(scaleOf(access, cur), patch, ctx));
  } else {
    throw new ApiError('SKIFF_METHOD_NOT_ALLOWED', 'the server does not allow this method on the requested resource');
  }
  const res = await updateObject(rc, req, { name: req.target.name, subresource: 'scale', dryRun: isDryRun(req.query), mutate });
  return { code: 200, body: scaleOf(access, res.object) };
}

/** POST pods/<name>/binding: assigns the pod to a node once. */
export async function handleBinding(rc: RestContext, req: RestRequest, raw: RawBody): Promise<Reply> {
  const { resolved, name } = req.target;
  const binding = decodeObject(bodyBuffer(raw.body), raw.contentType);
  checkTypeMeta(binding, 'v1', 'Binding');
  if (binding.metadata.name !== undefined && binding.metadata.name !== name) throw badRequest('name in URL does not match name in Binding object');
  const target = isPlainObject(binding.target) ? binding.target : {};
  const kind = target.kind ?? '';
  if (kind !== '' && kind !== 'Node') {
    throw invalid('Binding', name, [{ type: 'FieldValueNotSupported', field: 'target.kind', value: kind, supported: ['Node', '<empty>'] }]);
  }
  const node = target.name;
  if (typeof node !== 'string' || node === '') throw invalid('Binding', name, [{ type: 'FieldValueRequired', field: 'target.name' }]);
  const dryRun = isDryRun(req.query);
  await rc.deps.admission.run({
    operation: 'CREATE', resource: resolved, subresource: 'binding', namespace: req.target.namespace, name, object: binding, user: req.user, dryRun,
  });
  const gr = { group: resolved.entry.group, resource: `${resolved.entry.resource}/binding` };
  await updateObject(rc, req, {
    name,
    subresource: 'binding',
    dryRun,
    skipAdmission: true,
    mutate: (cur) => {
      if (cur.metadata.deletionTimestamp) throw conflict(gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      const spec = isPlainObject(cur.spec) ? cur.spec : (cur.spec = {});
      if (typeof spec.nodeName === 'string' && spec.nodeName !== '') throw conflict(gr, name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
      spec.nodeName = node;
      const ann = binding.metadata.annotations;
      if (ann && Object.keys(ann).length > 0) cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), ...ann };
      const status = isPlainObject(cur.status) ? cur.status : (cur.status = {});
      const conds = Array.isArray(status.conditions) ? (status.conditions as Record<string, unknown>[]) : [];
      const now = formatTime(rc.deps.clock.now());
      const existing = conds.find((c) => isPlainObject(c) && c.type === 'PodScheduled');
      if (existing) {
        if (existing.status !== 'True') existing.lastTransitionTime = now;
        existing.status = 'True';
        delete existing.reason;
        delete existing.message;
      } else {
        conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      }
      status.conditions = conds;
      delete cur.metadata.resourceVersion;
      return cur;
    },
  });
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}

/**
 * The connect-style subresources reaching the generic REST routes:
 * eviction (apiserver/eviction), serviceaccounts/token (TokenRequest,
 * apiserver/auth/service-account-token-request.ts), and exec/attach/portforward without a
 * protocol upgrade (upstream answers 400: the streaming path in
 * apiserver/streaming serves the upgrades, pods/log and nodes/proxy).
 * log and proxy only arrive here on a server without that path: 503.
 */
export async function handleConnect(rc: RestContext, req: RestRequest, method: string, raw: RawBody): Promise<Reply> {
  const { resolved, name, subresource } = req.target;
  if (subresource === 'eviction') {
    if (method !== 'POST') throw methodNotAllowed();
    return handleEviction(rc, req, raw);
  }
  if (subresource === 'token' && resolved.entry.group === '' && resolved.entry.resource === 'serviceaccounts') return handleTokenRequest(rc, req, method, raw);
  const got = (await handleGet(rc, { ...req, target: { ...req.target, subresource: '' } })).body as KubeObject;
  const what = `${resolved.entry.resource}/${subresource}`;
  if (resolved.entry.resource === 'pods') {
    if (subresource === 'log' && method !== 'GET') throw methodNotAllowed();
    if (subresource !== 'log' && method !== 'GET' && method !== 'POST') throw methodNotAllowed();
    const spec = isPlainObject(got.spec) ? got.spec : {};
    const node = typeof spec.nodeName === 'string' ? spec.nodeName : '';
    if (subresource !== 'log') throw badRequest('Upgrade request required');
    if (!node) throw badRequest(`pod ${name} does not have a host assigned`);
    throw unavailable(`no agent serves node ${JSON.stringify(node)}; ${what} needs a running agent`);
  }
  if (resolved.entry.resource === 'nodes') throw unavailable(`no agent serves node ${JSON.stringify(name)}; ${what} needs a running agent`);
  throw unavailable(`${what} is not available yet`);
}
