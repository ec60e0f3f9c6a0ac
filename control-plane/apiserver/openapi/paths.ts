/**
 * The REST surface of the resource table as OpenAPI operations, in a
 * flavour-neutral form (documents.ts renders it as Swagger 2.0 or OpenAPI
 * 3.0). Per served resource, as upstream lays it out: the collection
 * (list, create, deletecollection), the object (read, replace, patch,
 * delete), the all-namespaces list, the watch paths, and each subresource
 * (status, scale, binding, eviction, token, log, exec, attach,
 * portforward, proxy, finalize). Every write carries the
 * `fieldValidation` query parameter: kubectl decides from the patch
 * operation's parameters whether the server validates fields itself.
 */
import { entryVerbs, type ResolvedResource, type Verb } from '../../api/resource-table.js';
import { protoPackageOf } from '../../api/schema/schema-types.js';
import { META_MESSAGES, groupVersionId } from './names.js';
import type { Gvk } from './schemas.js';

export interface OpParam {
  name: string;
  in: 'query' | 'path';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

/** What a body or response refers to: a protobuf message by name, or a plain string. */
export type Payload = { message: string } | { kind: 'string' };

export interface OperationSpec {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  /** x-kubernetes-action */
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist' | 'connect';
  gvk: Gvk;
  params: OpParam[];
  body?: Payload;
  /** Patch content types accepted (patch operations only). */
  patchTypes?: string[];
  response: Payload;
  codes: string[];
  watch?: boolean;
  tag: string;
}

export interface PathSpec {
  path: string;
  params: OpParam[];
  ops: OperationSpec[];
}

export const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const q = (name: string, description: string, type: OpParam['type'] = 'string'): OpParam => ({ name, in: 'query', description, type });

const P = {
  pretty: q('pretty', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: q(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: unknown fields are silently dropped and the last of any duplicate fields wins. - Warn: a warning is sent in the standard Warning response header for each unknown field that is dropped and each duplicate field; the request still succeeds. This is the default. - Strict: the request fails with a BadRequest error listing every unknown and duplicate field.',
  ),
  force: q('force', 'Force is going to "force" Apply requests: the caller re-acquires fields owned by other managers. Must be unset for non-apply patches.', 'boolean'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Zero means delete immediately.', 'integer'),
  orphanDependents: q('orphanDependents', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.', 'boolean'),
  propagationPolicy: q('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  continue: q('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: q('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  resourceVersion: q('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: q('sendInitialEvents', 'sendInitialEvents=true may be set together with watch=true.', 'boolean'),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: q('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [...WRITE_PARAMS, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

const pathParam = (name: string, description: string): OpParam => ({ name, in: 'path', description, type: 'string', required: true });

/** Connect subresources and the options kind upstream tags them with. */
const CONNECT: Record<string, { suffix: string; methods: OperationSpec['method'][] }> = {
  exec: { suffix: 'Exec', methods: ['get', 'post'] },
  attach: { suffix: 'Attach', methods: ['get', 'post'] },
  portforward: { suffix: 'Portforward', methods: ['get', 'post'] },
  proxy: { suffix: 'Proxy', methods: ['get', 'post', 'put', 'patch', 'delete'] },
};

const CONNECT_OPTIONS: Record<string, string> = { exec: 'ExecOptions', attach: 'AttachOptions', portforward: 'PortForwardOptions', proxy: 'ProxyOptions' };

/** Create-style subresources: the message posted and its GVK. */
const POSTED: Record<string, Gvk> = {
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
};

function messageOf(g: Gvk): Payload {
  return { message: `${protoPackageOf(g.group, g.version)}.${g.kind}` };
}

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

export interface PathOptions {
  /** Strategic merge patch offered (false for kinds without a schema, as for CRDs). */
  strategicMerge: boolean;
}

/** Every path of one served resource. */
export function resourcePaths(r: ResolvedResource, opts: PathOptions): PathSpec[] {
  const { entry, group, version, kind } = r;
  const verbs = new Set<Verb>(entryVerbs(entry));
  const gv = groupVersionId(group, version);
  const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const ns = entry.namespaced ? 'Namespaced' : '';
  const gvk: Gvk = { group, version, kind };
  const tag = `${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}_${version}`;
  const self: Payload = { message: `${protoPackageOf(group, version)}.${kind}` };
  const list: Payload = { message: `${protoPackageOf(group, version)}.${kind}List` };
  const status: Payload = { message: META_MESSAGES.status };
  const patchTypes = opts.strategicMerge ? PATCH_TYPES : PATCH_TYPES.filter((t) => !t.startsWith('application/strategic'));
  const op = (o: Omit<OperationSpec, 'tag'>): OperationSpec => ({ ...o, tag });

  const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const nameParam = pathParam('name', `name of the ${kind}`);
  const collection = `${prefix}${entry.namespaced ? '/namespaces/{namespace}' : ''}/${entry.resource}`;
  const object = `${collection}/{name}`;
  const scopeParams = entry.namespaced ? [nsParam] : [];
  const out: PathSpec[] = [];

  const collOps: OperationSpec[] = [];
  if (verbs.has('list')) collOps.push(op({ method: 'get', operationId: `list${gv}${ns}${kind}`, description: `list or watch objects of kind ${kind}`, action: 'list', gvk, params: LIST_PARAMS, response: list, codes: ['200'] }));
  if (verbs.has('create')) collOps.push(op({ method: 'post', operationId: `create${gv}${ns}${kind}`, description: `create a ${kind}`, action: 'post', gvk, params: WRITE_PARAMS, body: self, response: self, codes: ['200', '201', '202'] }));
  if (verbs.has('deletecollection')) collOps.push(op({ method: 'delete', operationId: `delete${gv}Collection${ns}${kind}`, description: `delete collection of ${kind}`, action: 'deletecollection', gvk, params: [...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'), ...DELETE_PARAMS], body: { message: META_MESSAGES.deleteOptions }, response: status, codes: ['200'] }));
  if (collOps.length) out.push({ path: collection, params: [...scopeParams, P.pretty], ops: collOps });

  const objOps: OperationSpec[] = [];
  if (verbs.has('get')) objOps.push(op({ method: 'get', operationId: `read${gv}${ns}${kind}`, description: `read the specified ${kind}`, action: 'get', gvk, params: [], response: self, codes: ['200'] }));
  if (verbs.has('update')) objOps.push(op({ method: 'put', operationId: `replace${gv}${ns}${kind}`, description: `replace the specified ${kind}`, action: 'put', gvk, params: WRITE_PARAMS, body: self, response: self, codes: ['200', '201'] }));
  if (verbs.has('patch')) objOps.push(op({ method: 'patch', operationId: `patch${gv}${ns}${kind}`, description: `partially update the specified ${kind}`, action: 'patch', gvk, params: PATCH_PARAMS, body: { message: META_MESSAGES.patch }, patchTypes, response: self, codes: ['200', '201'] }));
  if (verbs.has('delete')) objOps.push(op({ method: 'delete', operationId: `delete${gv}${ns}${kind}`, description: `delete a ${kind}`, action: 'delete', gvk, params: DELETE_PARAMS, body: { message: META_MESSAGES.deleteOptions }, response: status, codes: ['200', '202'] }));
  if (objOps.length) out.push({ path: object, params: [nameParam, ...scopeParams, P.pretty], ops: objOps });

  if (entry.namespaced && verbs.has('list')) {
    out.push({ path: `${prefix}/${entry.resource}`, params: [...LIST_PARAMS, P.pretty], ops: [op({ method: 'get', operationId: `list${gv}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, action: 'list', gvk, params: [], response: list, codes: ['200'] })] });
  }
  if (verbs.has('watch')) {
    const watchEvent: Payload = { message: META_MESSAGES.watchEvent };
    const wPrefix = `${prefix}/watch${entry.namespaced ? '/namespaces/{namespace}' : ''}/${entry.resource}`;
    out.push({ path: wPrefix, params: [...LIST_PARAMS, ...scopeParams, P.pretty], ops: [op({ method: 'get', operationId: `watch${gv}${ns}${kind}List`, description: `watch individual changes to a list of ${kind}`, action: 'watchlist', gvk, params: [], response: watchEvent, codes: ['200'], watch: true })] });
    out.push({ path: `${wPrefix}/{name}`, params: [...LIST_PARAMS, nameParam, ...scopeParams, P.pretty], ops: [op({ method: 'get', operationId: `watch${gv}${ns}${kind}`, description: `watch changes to an object of kind ${kind}`, action: 'watch', gvk, params: [], response: watchEvent, codes: ['200'], watch: true })] });
    if (entry.namespaced) {
      out.push({ path: `${prefix}/watch/${entry.resource}`, params: [...LIST_PARAMS, P.pretty], ops: [op({ method: 'get', operationId: `watch${gv}${kind}ListForAllNamespaces`, description: `watch individual changes to a list of ${kind}`, action: 'watchlist', gvk, params: [], response: watchEvent, codes: ['200'], watch: true })] });
    }
  }

  const subParams = [nameParam, ...scopeParams, P.pretty];
  const subs = entry.subresources;
  const rw = (sub: string, payload: Payload, subGvk: Gvk): PathSpec => {
    const suffix = cap(sub);
    return {
      path: `${object}/${sub}`,
      params: subParams,
      ops: [
        op({ method: 'get', operationId: `read${gv}${ns}${kind}${suffix}`, description: `read ${sub} of the specified ${kind}`, action: 'get', gvk: subGvk, params: [], response: payload, codes: ['200'] }),
        op({ method: 'put', operationId: `replace${gv}${ns}${kind}${suffix}`, description: `replace ${sub} of the specified ${kind}`, action: 'put', gvk: subGvk, params: WRITE_PARAMS, body: payload, response: payload, codes: ['200', '201'] }),
        op({ method: 'patch', operationId: `patch${gv}${ns}${kind}${suffix}`, description: `partially update ${sub} of the specified ${kind}`, action: 'patch', gvk: subGvk, params: PATCH_PARAMS, body: { message: META_MESSAGES.patch }, patchTypes: PATCH_TYPES, response: payload, codes: ['200', '201'] }),
      ],
    };
  };
  if (subs?.status) out.push(rw('status', self, gvk));
  if (subs?.scale) out.push(rw('scale', { message: META_MESSAGES.scale }, { group: 'autoscaling', version: 'v1', kind: 'Scale' }));
  for (const sub of subs?.others ?? []) {
    const posted = POSTED[sub];
    if (posted) {
      out.push({ path: `${object}/${sub}`, params: subParams, ops: [op({ method: 'post', operationId: `create${gv}${ns}${kind}${cap(sub)}`, description: `create ${sub} of a ${kind}`, action: 'post', gvk: posted, params: WRITE_PARAMS, body: messageOf(posted), response: messageOf(posted), codes: ['200', '201', '202'] })] });
    } else if (sub === 'log') {
      out.push({ path: `${object}/log`, params: subParams, ops: [op({ method: 'get', operationId: `read${gv}${ns}${kind}Log`, description: `read log of the specified ${kind}`, action: 'get', gvk, params: ['container', 'follow', 'limitBytes', 'previous', 'sinceSeconds', 'tailLines', 'timestamps'].map((n) => q(n, `${n} of the log request`)), response: { kind: 'string' }, codes: ['200'] })] });
    } else if (sub === 'finalize') {
      out.push({ path: `${object}/finalize`, params: subParams, ops: [op({ method: 'put', operationId: `replace${gv}${ns}${kind}Finalize`, description: `replace finalize of the specified ${kind}`, action: 'put', gvk, params: WRITE_PARAMS, body: self, response: self, codes: ['200', '201'] })] });
    } else if (CONNECT[sub]) {
      const c = CONNECT[sub];
      const optsGvk: Gvk = { group, version, kind: `${kind}${CONNECT_OPTIONS[sub] ?? 'Options'}` };
      out.push({
        path: `${object}/${sub}`,
        params: subParams.filter((p) => p.name !== 'pretty'),
        ops: c.methods.map((m) => op({ method: m, operationId: `connect${gv}${cap(m)}${ns}${kind}${c.suffix}`, description: `connect ${m.toUpperCase()} requests to ${sub} of ${kind}`, action: 'connect', gvk: optsGvk, params: [], response: { kind: 'string' }, codes: ['200'] })),
      });
    }
  }
  return out;
}
