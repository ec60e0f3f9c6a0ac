/**
 * What server-side apply needs to know about a value's type, read from the
 * schema graph only: whether it is a struct (named fields), a granular map,
 * an associative list (keyed), a set, or atomic (replaced whole), and how
 * list elements are named as path elements.
 *
 * Upstream's rules for built-in types: a list with `listType=map` or with
 * patchStrategy merge and a patchMergeKey is associative (keys:
 * listMapKeys, else the merge key); `listType=set`, or a list of scalars
 * with patchStrategy merge, is a set; every other list is atomic. Maps are
 * granular unless `mapType=atomic`, structs unless `structType=atomic`.
 * Values without type information (no schema for the kind, unknown fields,
 * RawExtension) are *deduced* as upstream does: objects are granular maps,
 * lists atomic.
 */
import type { FieldDef, MessageDef, SchemaGraph, TypeRef } from '../../api/schema/schema-types.js';
import { isPlainObject } from '../../api/meta.js';
import type { PathElement } from './field-set.js';

/** A position's type: a TypeRef in a graph, with the field that holds it (list and map annotations live there). */
export interface TypeDesc {
  graph?: SchemaGraph;
  ref?: TypeRef;
  field?: FieldDef;
}

export type Shape =
  | { kind: 'struct'; msg: MessageDef; graph: SchemaGraph }
  | { kind: 'map'; values: TypeDesc }
  | { kind: 'list'; mode: 'set' | 'map'; keys: readonly string[]; items: TypeDesc }
  | { kind: 'atomic' }
  | { kind: 'deduced' };

export const DEDUCED: TypeDesc = {};

/** The type of a kind's root object, deduced when the graph has no message for it. */
export function rootType(graph: SchemaGraph | undefined, group: string, version: string, kind: string): TypeDesc {
  const msg = graph?.forKind(group, version, kind);
  return graph && msg ? { graph, ref: { kind: 'message', name: msg.name } } : DEDUCED;
}

function listShape(t: TypeDesc, items: TypeRef, graph: SchemaGraph): Shape {
  const f = t.field;
  const itemType: TypeDesc = { graph, ref: items };
  const scalarItems = items.kind === 'scalar' || items.kind === 'special';
  if (f?.listType === 'atomic') return { kind: 'atomic' };
  if (f?.listType === 'set') return { kind: 'list', mode: 'set', keys: [], items: itemType };
  if (f?.listType === 'map') {
    const keys = f.listMapKeys ?? (f.patchMergeKey ? [f.patchMergeKey] : []);
    return keys.length > 0 ? { kind: 'list', mode: 'map', keys, items: itemType } : { kind: 'atomic' };
  }
  if (f?.patchStrategy?.includes('merge')) {
    if (f.patchMergeKey && !scalarItems) return { kind: 'list', mode: 'map', keys: f.listMapKeys ?? [f.patchMergeKey], items: itemType };
    if (scalarItems) return { kind: 'list', mode: 'set', keys: [], items: itemType };
  }
  return { kind: 'atomic' };
}

export function shapeOf(t: TypeDesc): Shape {
  const { graph, ref } = t;
  if (!graph || !ref) return { kind: 'deduced' };
  switch (ref.kind) {
    case 'scalar':
      return { kind: 'atomic' };
    case 'special':
      return ref.special === 'rawExtension' ? { kind: 'deduced' } : { kind: 'atomic' };
    case 'array':
      return listShape(t, ref.items, graph);
    case 'map':
      return t.field?.mapType === 'atomic' ? { kind: 'atomic' } : { kind: 'map', values: { graph, ref: ref.values } };
    case 'message': {
      const msg = graph.message(ref.name);
      if (!msg) return { kind: 'deduced' };
      if (msg.special) return msg.special === 'rawExtension' ? { kind: 'deduced' } : { kind: 'atomic' };
      if (t.field?.structType === 'atomic' || msg.structType === 'atomic') return { kind: 'atomic' };
      return { kind: 'struct', msg, graph };
    }
  }
}

/** The type of the value under `f:<name>` of a struct, map or deduced object. */
export function childType(shape: Shape, name: string): TypeDesc {
  if (shape.kind === 'struct') {
    const f = shape.msg.field(name);
    return f ? { graph: shape.graph, ref: f.type, field: f } : DEDUCED;
  }
  if (shape.kind === 'map') return shape.values;
  return DEDUCED;
}

/** True for shapes whose JSON form is an object walked field by field. */
export function isObjectShape(shape: Shape): shape is Extract<Shape, { kind: 'struct' | 'map' | 'deduced' }> {
  return shape.kind === 'struct' || shape.kind === 'map' || shape.kind === 'deduced';
}

/** JSON with object keys sorted, as upstream serialises key and value path elements. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The path element naming one element of a set or associative list. */
export function elementPathElement(shape: Extract<Shape, { kind: 'list' }>, item: unknown): PathElement {
  if (shape.mode === 'map' && isPlainObject(item)) {
    const key: Record<string, unknown> = {};
    for (const k of [...shape.keys].sort()) if (item[k] !== undefined && item[k] !== null) key[k] = item[k];
    return `k:${canonicalJson(key)}`;
  }
  return `v:${canonicalJson(item)}`;
}
