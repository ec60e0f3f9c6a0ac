/**
 * Definitions from the schema graph: turns messages into the JSON schemas
 * of an OpenAPI document, in upstream's shape for either flavour:
 * - v2 (`#/definitions/…`): a message-typed field is `{$ref, description}`;
 * - v3 (`#/components/schemas/…`): it is `{allOf: [{$ref}], description}`.
 * Fields carry the list and map semantics as `x-kubernetes-patch-strategy`,
 * `x-kubernetes-patch-merge-key`, `x-kubernetes-list-type`,
 * `x-kubernetes-list-map-keys` and `x-kubernetes-map-type`; kinds carry
 * `x-kubernetes-group-version-kind`. Special types (Quantity, IntOrString,
 * Time…) get upstream's scalar definitions. Every `$ref` the builder hands
 * out resolves: messages missing from the graph get an open object
 * definition, because a dangling reference makes clients reject the
 * whole document.
 */
import { SPECIAL_MESSAGES, type FieldDef, type MessageDef, type SchemaGraph, type Special, type TypeRef } from '../../api/schema/schema-types.js';
import { definitionName, hasTypeMeta } from './names.js';

export type Flavor = 'v2' | 'v3';
export type JsonSchema = Record<string, unknown>;

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const SPECIAL_NAME: Record<Special, string> = Object.fromEntries(
  Object.entries(SPECIAL_MESSAGES).map(([name, special]) => [special, name]),
) as Record<Special, string>;

const TYPE_META_DESCRIPTIONS = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.',
};

/** Upstream's JSON schema of each special type, per flavour. */
function specialSchema(special: Special, flavor: Flavor): JsonSchema {
  switch (special) {
    case 'quantity':
      return flavor === 'v3' ? { oneOf: [{ type: 'string' }, { type: 'number' }] } : { type: 'string' };
    case 'intOrString':
      return flavor === 'v3'
        ? { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }
        : { format: 'int-or-string', type: 'string' };
    case 'time':
    case 'microTime':
      return { format: 'date-time', type: 'string' };
    case 'duration':
      return { type: 'string' };
    case 'rawExtension':
    case 'fieldsV1':
      return { type: 'object' };
  }
}

function scalarSchema(t: Extract<TypeRef, { kind: 'scalar' }>['scalar']): JsonSchema {
  switch (t) {
    case 'string':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int32':
      return { format: 'int32', type: 'integer' };
    case 'int64':
      return { format: 'int64', type: 'integer' };
    case 'double':
      return { format: 'double', type: 'number' };
    case 'bytes':
      return { format: 'byte', type: 'string' };
  }
}

/** The x-kubernetes-* extensions of a field, from its graph annotations. */
export function fieldExtensions(f: FieldDef): JsonSchema {
  const ext: JsonSchema = {};
  if (f.listMapKeys?.length) ext['x-kubernetes-list-map-keys'] = [...f.listMapKeys];
  if (f.listType) ext['x-kubernetes-list-type'] = f.listType;
  const mapType = f.mapType ?? f.structType;
  if (mapType) ext['x-kubernetes-map-type'] = mapType;
  if (f.patchMergeKey) ext['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
  if (f.patchStrategy?.length) ext['x-kubernetes-patch-strategy'] = f.patchStrategy.join(',');
  return ext;
}

/**
 * Collects definitions for one document. add*() return the definition
 * name; definitions() lists everything added and referenced, sorted.
 */
export class DefinitionBuilder {
  private readonly defs = new Map<string, JsonSchema>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly graph: SchemaGraph,
    readonly flavor: Flavor,
    /** GVKs per message name, for `x-kubernetes-group-version-kind`. */
    private readonly gvks: ReadonlyMap<string, readonly Gvk[]>,
  ) {}

  refTo(defName: string): string {
    return this.flavor === 'v2' ? `#/definitions/${defName}` : `#/components/schemas/${defName}`;
  }

  /** Adds a message (and everything it references) by protobuf name. */
  addMessage(messageName: string): string {
    const name = definitionName(messageName);
    if (this.defs.has(name) || this.pending.has(name)) return name;
    const special = SPECIAL_MESSAGES[messageName];
    if (special) return this.addSpecial(special);
    const msg = this.graph.message(messageName);
    if (!msg) {
      this.addOpenObject(name, '', this.gvks.get(messageName));
      return name;
    }
    this.pending.add(name);
    this.defs.set(name, this.messageSchema(msg));
    this.pending.delete(name);
    return name;
  }

  addSpecial(special: Special): string {
    const messageName = SPECIAL_NAME[special];
    const name = definitionName(messageName);
    if (!this.defs.has(name)) {
      const description = this.graph.message(messageName)?.description ?? '';
      this.defs.set(name, { ...(description ? { description } : {}), ...specialSchema(special, this.flavor) });
    }
    return name;
  }

  /**
   * An object whose fields are not known (custom resources, kinds whose
   * .proto has not landed, meta types such as Patch).
   */
  addOpenObject(name: string, description: string, gvks?: readonly Gvk[]): string {
    if (this.defs.has(name)) return name;
    const schema: JsonSchema = { type: 'object' };
    if (description) schema.description = description;
    if (this.flavor === 'v3') schema['x-kubernetes-preserve-unknown-fields'] = true;
    if (gvks?.length) schema['x-kubernetes-group-version-kind'] = gvks.map(gvkObject);
    this.defs.set(name, schema);
    return name;
  }

  /** Sets a definition outright (a kind without a message: open object with typed TypeMeta and metadata). */
  set(name: string, schema: JsonSchema): void {
    this.defs.set(name, schema);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  definitions(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const k of [...this.defs.keys()].sort()) out[k] = this.defs.get(k)!;
    return out;
  }

  /** The schema of a type reference, adding referenced definitions. */
  typeSchema(t: TypeRef): JsonSchema {
    switch (t.kind) {
      case 'scalar':
        return scalarSchema(t.scalar);
      case 'special':
        return { $ref: this.refTo(this.addSpecial(t.special)) };
      case 'message':
        return { $ref: this.refTo(this.addMessage(t.name)) };
      case 'array':
        return { items: this.typeSchema(t.items), type: 'array' };
      case 'map':
        return { additionalProperties: this.typeSchema(t.values), type: 'object' };
    }
  }

  /** A property: the type's schema with the field's description and extensions. */
  fieldSchema(f: FieldDef): JsonSchema {
    const base = this.typeSchema(f.type);
    const extra: JsonSchema = { ...(f.description ? { description: f.description } : {}), ...fieldExtensions(f) };
    if (typeof base.$ref === 'string' && Object.keys(extra).length > 0) {
      return this.flavor === 'v3' ? { allOf: [base], ...extra } : { $ref: base.$ref, ...extra };
    }
    return { ...base, ...extra };
  }

  private messageSchema(msg: MessageDef): JsonSchema {
    const props: Record<string, JsonSchema> = {};
    if (hasTypeMeta(msg)) {
      props.apiVersion = { description: TYPE_META_DESCRIPTIONS.apiVersion, type: 'string' };
      props.kind = { description: TYPE_META_DESCRIPTIONS.kind, type: 'string' };
    }
    for (const f of msg.fields) props[f.name] = this.fieldSchema(f);
    const sorted: Record<string, JsonSchema> = {};
    for (const k of Object.keys(props).sort()) sorted[k] = props[k]!;
    const schema: JsonSchema = {};
    if (msg.description) schema.description = msg.description;
    schema.properties = sorted;
    schema.type = 'object';
    const gvks = this.gvks.get(msg.name);
    if (gvks?.length) schema['x-kubernetes-group-version-kind'] = gvks.map(gvkObject);
    return schema;
  }
}

export function gvkObject(g: Gvk): Gvk {
  return { group: g.group, kind: g.kind, version: g.version };
}
