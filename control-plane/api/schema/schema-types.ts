/**
 * The schema graph: every Kubernetes type Skiff serves, with its fields'
 * JSON names, protobuf field numbers, types, descriptions and the list and
 * map semantics (merge keys, patch strategies, list types) that strategic
 * merge patch, server-side apply, OpenAPI, field validation and protobuf
 * decoding all need. It is loaded from our own .proto files in proto/k8s/
 * (upstream's message names and field numbers, our descriptions), so the
 * type definitions exist once.
 *
 * Annotations sit in the comment above a field, one per line, after the
 * description: `+optional`, `+patchMergeKey=name`,
 * `+patchStrategy=merge[,retainKeys]`, `+listType=atomic|set|map`,
 * `+listMapKey=containerPort` (repeatable), `+mapType=atomic|granular`,
 * `+structType=atomic|granular`, `+json=<name>` when the JSON name differs
 * from the proto field name, `+inline` on a field whose message is embedded
 * in the parent's JSON object (Go's `json:",inline"`: Volume's volumeSource,
 * Probe's handler, ConfigMapKeySelector's localObjectReference).
 *
 * Message comments may carry `+structType=atomic|granular` and
 * `+inline=<full message name>`: a JSON-only embedding that has no protobuf
 * field, as every top-level kind embeds meta/v1 TypeMeta (apiVersion, kind).
 */

export type Scalar = 'string' | 'boolean' | 'int32' | 'int64' | 'double' | 'bytes';

/**
 * Types whose JSON form is not their message's shape: Quantity is a string,
 * IntOrString a number or string, Time/MicroTime RFC 3339 strings, Duration
 * a Go duration string, RawExtension embedded JSON, FieldsV1 a JSON object.
 */
export type Special = 'quantity' | 'intOrString' | 'time' | 'microTime' | 'duration' | 'rawExtension' | 'fieldsV1';

export type TypeRef =
  | { kind: 'scalar'; scalar: Scalar }
  | { kind: 'special'; special: Special }
  | { kind: 'message'; name: string }
  | { kind: 'array'; items: TypeRef }
  | { kind: 'map'; values: TypeRef };

export interface FieldDef {
  /** JSON name (`containers`). */
  name: string;
  /** Protobuf field number. */
  number: number;
  type: TypeRef;
  description: string;
  optional: boolean;
  /** e.g. ['merge'] or ['merge', 'retainKeys'] or ['retainKeys']. */
  patchStrategy?: string[];
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  structType?: 'atomic' | 'granular';
  /**
   * The proto field embeds its message's fields into the parent's JSON object.
   * Such fields appear only in `fieldByNumber`; `fields` and `field()` list the
   * embedded message's fields in their place.
   */
  inline?: boolean;
}

export interface MessageDef {
  /** Fully qualified: `k8s.io.api.core.v1.Pod`. */
  name: string;
  /** `k8s.io.api.core.v1` */
  package: string;
  /** `Pod` */
  shortName: string;
  description: string;
  /**
   * The JSON view: inline fields are replaced by the embedded message's fields
   * (recursively), so a flattened field's `number` is its number in the
   * embedded message, not in this one.
   */
  fields: readonly FieldDef[];
  field(jsonName: string): FieldDef | undefined;
  /** The protobuf view: this message's own fields, inline ones included. */
  fieldByNumber(n: number): FieldDef | undefined;
  /** `x-kubernetes-map-type` of the whole struct, from the message comment. */
  structType?: 'atomic' | 'granular';
  /** Special JSON form, when this message is one of the special types. */
  special?: Special;
}

export interface SchemaGraph {
  message(name: string): MessageDef | undefined;
  /** The message of a kind served at a group-version: ('apps', 'v1', 'Deployment'). */
  forKind(group: string, version: string, kind: string): MessageDef | undefined;
  messages(): readonly MessageDef[];
}

/** Well-known messages with a special JSON form. */
export const SPECIAL_MESSAGES: Record<string, Special> = {
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'microTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'duration',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'rawExtension',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'fieldsV1',
};

/**
 * The protobuf package of a group-version, as upstream names them:
 * core → k8s.io.api.core.v1, apps → k8s.io.api.apps.v1,
 * events.k8s.io → k8s.io.api.events.v1, meta.k8s.io →
 * k8s.io.apimachinery.pkg.apis.meta.v1.
 */
export function protoPackageOf(group: string, version: string): string {
  if (group === 'meta.k8s.io') return `k8s.io.apimachinery.pkg.apis.meta.${version}`;
  const short = group === '' ? 'core' : (group.split('.')[0] ?? group);
  return `k8s.io.api.${short}.${version}`;
}
