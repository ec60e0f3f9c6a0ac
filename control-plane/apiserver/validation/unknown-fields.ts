/**
 * Unknown fields: walks a decoded object against its message in the
 * schema graph, reports every key the schema does not define (with
 * upstream's path form: `spec.foo`, `spec.containers[0].foo`) and removes
 * it, since upstream's decoder drops unknown fields whatever the
 * fieldValidation directive. Values of special types (RawExtension,
 * FieldsV1, IntOrString…) and of map-typed fields with scalar values are
 * not walked: they hold arbitrary content. Values of the wrong shape are
 * left for validation to reject. `apiVersion` and `kind` are known on
 * every message that carries TypeMeta.
 */
import { isPlainObject } from '../../api/meta.js';
import type { MessageDef, SchemaGraph, TypeRef } from '../../api/schema/schema-types.js';
import { hasTypeMeta } from '../openapi/names.js';
import { joinPath } from './duplicate-fields.js';

function walkType(graph: SchemaGraph, t: TypeRef, value: unknown, path: string, out: string[], prune: boolean): void {
  if (value === null || value === undefined) return;
  switch (t.kind) {
    case 'message': {
      const msg = graph.message(t.name);
      if (msg && isPlainObject(value)) walkMessage(graph, msg, value, path, out, prune);
      return;
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((v, i) => walkType(graph, t.items, v, `${path}[${i}]`, out, prune));
      return;
    case 'map':
      if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walkType(graph, t.values, v, `${path}[${k}]`, out, prune);
      return;
    default:
      return;
  }
}

function walkMessage(graph: SchemaGraph, msg: MessageDef, obj: Record<string, unknown>, path: string, out: string[], prune: boolean): void {
  if (msg.special) return;
  const typeMeta = hasTypeMeta(msg);
  for (const key of Object.keys(obj)) {
    if (typeMeta && (key === 'apiVersion' || key === 'kind')) continue;
    const p = joinPath(path, key);
    const field = msg.field(key);
    if (!field) {
      out.push(p);
      if (prune) delete obj[key];
      continue;
    }
    walkType(graph, field.type, obj[key], p, out, prune);
  }
}

/**
 * Reports and removes the fields of `obj` that `msg` does not define,
 * recursively. Returns their paths in document order.
 */
export function pruneUnknownFields(graph: SchemaGraph, msg: MessageDef, obj: Record<string, unknown>): string[] {
  const out: string[] = [];
  walkMessage(graph, msg, obj, '', out, true);
  return out;
}

/** The paths pruneUnknownFields() would report, leaving `obj` as it is. */
export function findUnknownFields(graph: SchemaGraph, msg: MessageDef, obj: Record<string, unknown>): string[] {
  const out: string[] = [];
  walkMessage(graph, msg, obj, '', out, false);
  return out;
}
