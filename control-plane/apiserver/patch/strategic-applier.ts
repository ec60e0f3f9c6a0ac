/**
 * The `application/strategic-merge-patch+json` applier: parses the patch,
 * finds the served object's type in the schema graph (by the object's own
 * apiVersion and kind, so a Scale subresource patches as
 * autoscaling/v1 Scale) and applies strategic-merge.ts with that type's
 * merge metadata. A kind missing from the graph is patched without
 * metadata (maps merge, lists replace, directives still honoured).
 *
 * The schema graph is loaded once, on first use, from proto/k8s
 * (loadSchemaGraph, loaded once per process).
 * createStrategicMergePatchApplier takes another graph source (tests).
 */
import { badRequest } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { loadSchemaGraph } from '../../api/schema/proto-schema.js';
import type { SchemaGraph } from '../../api/schema/schema-types.js';
import { sanitize, strategicMergeMap } from './strategic-merge.js';
import { PatchSchema } from './strategic-schema.js';

/** The part of PatchContext this applier reads (structurally a PatchApplier). */
export interface StrategicPatchContext {
  resource: ResolvedResource;
  subresource: string;
}

export type StrategicPatchApplier = (current: KubeObject, patch: Buffer, ctx: StrategicPatchContext) => KubeObject;

function splitApiVersion(apiVersion: unknown): { group: string; version: string } | undefined {
  if (typeof apiVersion !== 'string' || apiVersion === '') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The schema cursor for the object being patched. */
export function schemaForObject(graph: SchemaGraph | undefined, obj: KubeObject, ctx: StrategicPatchContext): PatchSchema {
  if (!graph) return PatchSchema.unknown();
  const gv = splitApiVersion(obj.apiVersion);
  const kind = typeof obj.kind === 'string' && obj.kind !== '' ? obj.kind : undefined;
  const msg = gv && kind ? graph.forKind(gv.group, gv.version, kind) : graph.forKind(ctx.resource.group, ctx.resource.version, ctx.resource.kind);
  return PatchSchema.forMessage(graph, msg);
}

/** JSON type words as Go's decoder names them in errors. */
function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return v === null ? 'null' : typeof v;
}

/** Parses a strategic merge patch body; it must be a JSON object. */
export function parseStrategicPatch(patch: Buffer): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(patch.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Upstream decodes `null` into an empty patch map: a no-op.
  if (doc === null) return {};
  if (!isPlainObject(doc)) throw badRequest(`json: cannot unmarshal ${jsonTypeName(doc)} into Go value of type map[string]interface {}`);
  return doc;
}

/** Applies a parsed strategic merge patch to a copy of `current`, with the given type metadata. */
export function applyStrategicMergePatch(current: Record<string, unknown>, patch: Record<string, unknown>, schema: PatchSchema): Record<string, unknown> {
  const result = strategicMergeMap(structuredClone(current), structuredClone(patch), schema);
  sanitize(result, schema);
  return result;
}

export function createStrategicMergePatchApplier(graphSource: () => SchemaGraph | undefined): StrategicPatchApplier {
  return (current, patch, ctx) => {
    const doc = parseStrategicPatch(patch);
    const out = applyStrategicMergePatch(current, doc, schemaForObject(graphSource(), current, ctx));
    if (!isPlainObject(out.metadata)) out.metadata = {};
    return out as KubeObject;
  };
}

/** The applier registered for application/strategic-merge-patch+json. */
export const strategicMergePatchApplier: StrategicPatchApplier = createStrategicMergePatchApplier(() => loadSchemaGraph());
