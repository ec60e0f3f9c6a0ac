/**
 * Per-field facts the protobuf decoder and encoder share, derived once per
 * protobufjs type from the schema graph: the JSON name, whether the field
 * is optional (JSON omitempty), whether it is a Go pointer (`+pointer` in
 * the field comment: a zero value on the wire is meaningful), and the
 * special JSON form of its value type, if any.
 *
 * Conventions the .proto files follow for this to be exact:
 * - every field Go marshals with omitempty carries `+optional`;
 * - every scalar field that is a pointer in Go carries `+pointer`;
 * - list wrappers whose JSON form is the bare array (authentication's
 *   ExtraValue) are messages named `ExtraValue` with one repeated field 1;
 * - a field tagged `+inline` embeds its message's JSON fields in the
 *   parent's object (Go's `json:",inline"`); a message tagged
 *   `+inline=<message>` has JSON-only fields (TypeMeta's apiVersion and
 *   kind) that are not on the wire.
 */
import protobuf from 'protobufjs';
import { parseComment, type ProtoSchemaGraph } from './proto-schema.js';
import { SPECIAL_MESSAGES, type Special } from './schema-types.js';

export type FieldShape = 'scalar' | 'message' | 'repeated' | 'map';

export interface FieldInfo {
  /** The protobufjs field (its name is the proto field name). */
  field: protobuf.Field;
  /** JSON name. */
  json: string;
  shape: FieldShape;
  /** Scalar type name of the field or of its elements/values (`string`, `int64`, `bytes`...). */
  scalar?: string;
  /** Message type of the field or of its elements/values. */
  type?: protobuf.Type;
  optional: boolean;
  pointer: boolean;
  /** The message's JSON fields are merged into the parent's object. */
  inline: boolean;
}

/** Special JSON form of a message type, by its full name. */
export function specialOf(type: protobuf.Type): Special | undefined {
  return SPECIAL_MESSAGES[type.fullName.replace(/^\./, '')];
}

/** A message whose JSON form is the array held in its field 1 (ExtraValue). */
export function isListWrapper(type: protobuf.Type): boolean {
  const only = type.fieldsArray.length === 1 ? type.fieldsArray[0] : undefined;
  return type.name === 'ExtraValue' && only !== undefined && only.id === 1 && only.repeated;
}

const cache = new WeakMap<protobuf.Type, FieldInfo[]>();

/** The fields of a type in declaration order (upstream's Go struct order). */
export function fieldsOf(graph: ProtoSchemaGraph, type: protobuf.Type): FieldInfo[] {
  const hit = cache.get(type);
  if (hit) return hit;
  const def = graph.message(type.fullName);
  const infos = type.fieldsArray.map((f): FieldInfo => {
    f.resolve();
    const fd = def?.fieldByNumber(f.id);
    const tags = parseComment(f.comment).tags;
    const valueType = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    const shape: FieldShape = f instanceof protobuf.MapField || f.map ? 'map' : f.repeated ? 'repeated' : valueType ? 'message' : 'scalar';
    const info: FieldInfo = {
      field: f,
      json: fd?.name ?? tags.get('json')?.[0] ?? f.name,
      shape,
      optional: fd?.optional ?? tags.has('optional'),
      pointer: tags.has('pointer'),
      inline: (fd?.inline ?? tags.has('inline')) && valueType !== undefined && !f.repeated && !f.map,
    };
    if (valueType) info.type = valueType;
    else info.scalar = f.type;
    return info;
  });
  cache.set(type, infos);
  return infos;
}

const jsonOnlyCache = new WeakMap<protobuf.Type, Set<string>>();

/** JSON keys of a message that have no protobuf field (`+inline=<message>` on the message). */
export function jsonOnlyKeys(graph: ProtoSchemaGraph, type: protobuf.Type): Set<string> {
  const hit = jsonOnlyCache.get(type);
  if (hit) return hit;
  const keys = new Set<string>();
  for (const name of parseComment(type.comment).tags.get('inline') ?? []) {
    for (const f of graph.message(name)?.fields ?? []) keys.add(f.name);
  }
  jsonOnlyCache.set(type, keys);
  return keys;
}

/** The field with a given number, for the special types' fixed layouts. */
export function fieldNameById(type: protobuf.Type, id: number): string | undefined {
  return type.fieldsById[id]?.name;
}
