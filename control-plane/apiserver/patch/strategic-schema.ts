/**
 * Patch metadata for strategic merge patch, read from the schema graph:
 * a cursor walks the object's type as the patch walks the object, and
 * answers for each key the patch strategy (`merge`, `replace`,
 * `retainKeys`) and the merge key of a list. The graph is the only source
 * of merge keys; nothing here names a field.
 *
 * Only `patchStrategy` decides how a list merges (as upstream's
 * strategicpatch reads only the patchStrategy tag): a `+listType=map`
 * list without patch tags is atomic for SMP, and a `+mapType=atomic` map
 * (a Service's selector, a pod's nodeSelector) still merges key by key,
 * as on Kubernetes (`$patch: replace` replaces it). Keys the schema does not know (and
 * types without a schema: special scalars, RawExtension, FieldsV1, kinds
 * missing from the graph) get no metadata: maps merge, lists are replaced.
 */
import type { FieldDef, MessageDef, SchemaGraph, TypeRef } from '../../api/schema/schema-types.js';

export interface PatchMeta {
  /** The strategy other than retainKeys: 'merge', 'replace' or '' (default). */
  strategy: string;
  retainKeys: boolean;
  /** '' when the field has none. */
  mergeKey: string;
}

const NO_META: PatchMeta = { strategy: '', retainKeys: false, mergeKey: '' };

/** Where the patch is in the type: a message, a map's values, or nothing known. */
export class PatchSchema {
  private constructor(
    private readonly graph: SchemaGraph | undefined,
    private readonly msg: MessageDef | undefined,
    private readonly mapValues: TypeRef | undefined,
  ) {}

  /** The cursor for an object of a message (or the unknown cursor if absent). */
  static forMessage(graph: SchemaGraph, msg: MessageDef | undefined): PatchSchema {
    return msg ? new PatchSchema(graph, msg, undefined) : PatchSchema.unknown();
  }

  static unknown(): PatchSchema {
    return new PatchSchema(undefined, undefined, undefined);
  }

  /** The message this cursor stands on, if any. */
  get message(): MessageDef | undefined {
    return this.msg;
  }

  /** Metadata and the cursor of the value under `key`, a map/object value. */
  lookupForMap(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const { type, meta } = this.fieldType(key);
    if (!type) return { schema: PatchSchema.unknown(), meta };
    return { schema: this.cursorOf(type), meta };
  }

  /** Metadata of the list under `key` and the cursor of its elements. */
  lookupForSlice(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const { type, meta } = this.fieldType(key);
    if (!type || type.kind !== 'array') return { schema: PatchSchema.unknown(), meta: type ? meta : NO_META };
    return { schema: this.cursorOf(type.items), meta };
  }

  private fieldType(key: string): { type: TypeRef | undefined; meta: PatchMeta } {
    if (this.msg) {
      const f = this.msg.field(key);
      if (!f) return { type: undefined, meta: NO_META };
      return { type: f.type, meta: metaOf(f) };
    }
    if (this.mapValues) return { type: this.mapValues, meta: NO_META };
    return { type: undefined, meta: NO_META };
  }

  private cursorOf(type: TypeRef): PatchSchema {
    if (!this.graph) return PatchSchema.unknown();
    switch (type.kind) {
      case 'message': {
        const m = this.graph.message(type.name);
        if (!m || m.special) return PatchSchema.unknown();
        return new PatchSchema(this.graph, m, undefined);
      }
      case 'map':
        return new PatchSchema(this.graph, undefined, type.values);
      case 'array':
        // A list inside a map value (map<string, List>): its elements' cursor is what a list key needs.
        return new PatchSchema(this.graph, undefined, undefined);
      default:
        return PatchSchema.unknown();
    }
  }
}

function metaOf(f: FieldDef): PatchMeta {
  const strategies = f.patchStrategy ?? [];
  const retainKeys = strategies.includes('retainKeys');
  const other = strategies.find((s) => s !== 'retainKeys') ?? '';
  return { strategy: other, retainKeys, mergeKey: f.patchMergeKey ?? '' };
}
