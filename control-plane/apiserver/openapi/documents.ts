/**
 * The OpenAPI documents, generated from the resource table (paths) and the
 * schema graph (definitions):
 * - swaggerDocument(): the Swagger 2.0 document of `/openapi/v2`, every
 *   group-version in one (v2-proto.ts turns it into gnostic protobuf);
 * - openApiV3Document(): the OpenAPI 3.0 document of one group-version, as
 *   `/openapi/v3/api/v1` or `/openapi/v3/apis/apps/v1` serve it;
 * - v3GroupVersions(): the group-version keys of the `/openapi/v3` root.
 * Kinds whose message is missing from the graph (custom resources, or a
 * .proto that has not landed) are open objects, and their patch
 * operations do not offer strategic merge patch, as upstream does for CRDs.
 */
import type { ResolvedResource, ResourceTable } from '../../api/resource-table.js';
import { listKindOf } from '../../api/resource-table.js';
import { protoPackageOf, type SchemaGraph } from '../../api/schema/schema-types.js';
import { META_MESSAGES, definitionName, groupVersionPath } from './names.js';
import { resourcePaths, type OpParam, type OperationSpec, type PathSpec, type Payload } from './paths.js';
import { DefinitionBuilder, gvkObject, type Flavor, type Gvk, type JsonSchema } from './schemas.js';

export interface OpenApiSources {
  table: ResourceTable;
  graph: SchemaGraph;
  /** info.version, e.g. `v1.33.0+skiff.0.1.0`. */
  version: string;
}

const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];

function messageNameOf(g: Gvk): string {
  return `${protoPackageOf(g.group, g.version)}.${g.kind}`;
}

/** Which GVKs each message stands for: served kinds, their lists and the meta kinds operations use. */
function gvkIndex(table: ResourceTable): Map<string, Gvk[]> {
  const index = new Map<string, Gvk[]>();
  const add = (g: Gvk): void => {
    const name = messageNameOf(g);
    const list = index.get(name) ?? [];
    if (!list.some((x) => x.group === g.group && x.version === g.version && x.kind === g.kind)) list.push(g);
    index.set(name, list);
  };
  for (const r of table.served()) {
    add({ group: r.group, version: r.version, kind: r.kind });
    add({ group: r.group, version: r.version, kind: listKindOf(r.kind) });
  }
  // Upstream tags the option and event kinds with every group-version they are used in.
  for (const name of [META_MESSAGES.deleteOptions, META_MESSAGES.watchEvent]) {
    const kind = name.slice(name.lastIndexOf('.') + 1);
    index.set(name, table.groups().flatMap(({ group, versions }) => versions.map((version) => ({ group, version, kind }))));
  }
  index.set(META_MESSAGES.status, [{ group: '', version: 'v1', kind: 'Status' }]);
  add({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  add({ group: 'policy', version: 'v1', kind: 'Eviction' });
  add({ group: '', version: 'v1', kind: 'Binding' });
  add({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' });
  return index;
}

/** Adds a served kind and its list, synthesising what the graph lacks. */
function addKind(b: DefinitionBuilder, graph: SchemaGraph, r: ResolvedResource): void {
  const kindName = messageNameOf(r);
  const listName = messageNameOf({ ...r, kind: listKindOf(r.kind) });
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const typeMeta = {
    apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
    kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
  };
  const defName = graph.message(kindName) ? b.addMessage(kindName) : definitionName(kindName);
  if (!graph.message(kindName) && !b.has(defName)) {
    const objectMeta = b.addMessage(META_MESSAGES.objectMeta);
    const schema: JsonSchema = {
      properties: { ...typeMeta, metadata: { $ref: b.refTo(objectMeta) } },
      type: 'object',
      'x-kubernetes-group-version-kind': [gvkObject(gvk)],
    };
    if (b.flavor === 'v3') schema['x-kubernetes-preserve-unknown-fields'] = true;
    b.set(defName, schema);
  }
  if (graph.message(listName)) b.addMessage(listName);
  else if (!b.has(definitionName(listName))) {
    const listMeta = b.addMessage(META_MESSAGES.listMeta);
    b.set(definitionName(listName), {
      properties: { ...typeMeta, items: { items: { $ref: b.refTo(defName) }, type: 'array' }, metadata: { $ref: b.refTo(listMeta) } },
      required: ['items'],
      type: 'object',
      'x-kubernetes-group-version-kind': [gvkObject({ ...gvk, kind: listKindOf(r.kind) })],
    });
  }
}

function payloadSchema(b: DefinitionBuilder, p: Payload): JsonSchema {
  if ('kind' in p) return { type: 'string' };
  if (p.message === META_MESSAGES.patch) {
    return { $ref: b.refTo(b.addOpenObject(definitionName(p.message), 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.')) };
  }
  return { $ref: b.refTo(b.addMessage(p.message)) };
}

function pathsOf(sources: OpenApiSources, filter: (r: ResolvedResource) => boolean): { specs: PathSpec[]; served: ResolvedResource[] } {
  const served = sources.table.served().filter(filter);
  const specs = served.flatMap((r) => resourcePaths(r, { strategicMerge: sources.graph.message(messageNameOf(r)) !== undefined }));
  return { specs, served };
}

function v2Param(p: OpParam): JsonSchema {
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), type: p.type, uniqueItems: true };
}

function v2Operation(b: DefinitionBuilder, o: OperationSpec): JsonSchema {
  const params = o.params.map(v2Param);
  if (o.body) params.unshift({ in: 'body', name: 'body', required: true, schema: payloadSchema(b, o.body) });
  const schema = payloadSchema(b, o.response);
  const responses: JsonSchema = {};
  for (const code of o.codes) responses[code] = { description: code === '200' ? 'OK' : code === '201' ? 'Created' : 'Accepted', schema };
  responses['401'] = { description: 'Unauthorized' };
  return {
    consumes: o.patchTypes ?? ['*/*'],
    description: o.description,
    operationId: o.operationId,
    parameters: params,
    produces: o.watch ? WATCH_TYPES : RESPONSE_TYPES,
    responses,
    schemes: ['https'],
    tags: [o.tag],
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': gvkObject(o.gvk),
  };
}

function v3Param(p: OpParam): JsonSchema {
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

function v3Operation(b: DefinitionBuilder, o: OperationSpec): JsonSchema {
  const out: JsonSchema = { description: o.description, operationId: o.operationId };
  if (o.params.length) out.parameters = o.params.map(v3Param);
  if (o.body) {
    const schema = payloadSchema(b, o.body);
    const types = o.patchTypes ?? ['*/*'];
    out.requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema }])), ...(o.method === 'delete' ? {} : { required: true }) };
  }
  const schema = payloadSchema(b, o.response);
  const content = Object.fromEntries((o.watch ? WATCH_TYPES : RESPONSE_TYPES).map((t) => [t, { schema }]));
  const responses: JsonSchema = {};
  for (const code of o.codes) responses[code] = { content, description: code === '200' ? 'OK' : code === '201' ? 'Created' : 'Accepted' };
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out.tags = [o.tag];
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = gvkObject(o.gvk);
  return out;
}

function renderPaths(b: DefinitionBuilder, specs: PathSpec[], flavor: Flavor): Record<string, JsonSchema> {
  const paths: Record<string, JsonSchema> = {};
  for (const s of [...specs].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    const item: JsonSchema = { parameters: s.params.map(flavor === 'v2' ? v2Param : v3Param) };
    for (const o of s.ops) item[o.method] = flavor === 'v2' ? v2Operation(b, o) : v3Operation(b, o);
    paths[s.path] = item;
  }
  return paths;
}

function builderFor(sources: OpenApiSources, flavor: Flavor, served: ResolvedResource[]): DefinitionBuilder {
  const b = new DefinitionBuilder(sources.graph, flavor, gvkIndex(sources.table));
  for (const r of served) addKind(b, sources.graph, r);
  return b;
}

/** The Swagger 2.0 document of every served group-version. */
export function swaggerDocument(sources: OpenApiSources): JsonSchema {
  const { specs, served } = pathsOf(sources, () => true);
  const b = builderFor(sources, 'v2', served);
  const paths = renderPaths(b, specs, 'v2');
  return { definitions: b.definitions(), info: { title: 'Kubernetes', version: sources.version }, paths, swagger: '2.0' };
}

/** The OpenAPI 3.0 document of one group-version, or undefined when nothing is served there. */
export function openApiV3Document(sources: OpenApiSources, group: string, version: string): JsonSchema | undefined {
  const { specs, served } = pathsOf(sources, (r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  const b = builderFor(sources, 'v3', served);
  const paths = renderPaths(b, specs, 'v3');
  return {
    components: { schemas: b.definitions() },
    info: { title: 'Kubernetes', version: sources.version },
    openapi: '3.0.0',
    paths,
  };
}

/** `api/v1`, `apis/apps/v1`, … in table order. */
export function v3GroupVersions(table: ResourceTable): { key: string; group: string; version: string }[] {
  return table.groups().flatMap(({ group, versions }) => versions.map((version) => ({ key: groupVersionPath(group, version), group, version })));
}
