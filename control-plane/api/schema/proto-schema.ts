/**
 * Loads the schema graph from .proto sources with protobufjs, reading the
 * annotations in field comments (see schema-types.ts). The protobufjs Root
 * stays available for binary decoding of protobuf request bodies.
 */
import protobuf from 'protobufjs';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SPECIAL_MESSAGES,
  protoPackageOf,
  type FieldDef,
  type MessageDef,
  type Scalar,
  type SchemaGraph,
  type TypeRef,
} from './schema-types.js';

const SCALARS: Record<string, Scalar> = {
  string: 'string',
  bool: 'boolean',
  int32: 'int32',
  int64: 'int64',
  uint32: 'int64',
  uint64: 'int64',
  sint32: 'int32',
  sint64: 'int64',
  fixed32: 'int64',
  fixed64: 'int64',
  double: 'double',
  float: 'double',
  bytes: 'bytes',
};

interface Annotations {
  description: string;
  tags: Map<string, string[]>;
}

/** Splits a comment into its description and its `+key=value` tags. */
export function parseComment(comment: string | null | undefined): Annotations {
  const tags = new Map<string, string[]>();
  const text: string[] = [];
  for (const raw of (comment ?? '').split('\n')) {
    const line = raw.trim();
    const m = /^\+([A-Za-z][\w.-]*)(?:=(.*))?$/.exec(line);
    if (m) {
      const list = tags.get(m[1]!) ?? [];
      list.push((m[2] ?? '').trim());
      tags.set(m[1]!, list);
    } else {
      text.push(line);
    }
  }
  return { description: text.join('\n').trim(), tags };
}

function one(tags: Map<string, string[]>, key: string): string | undefined {
  return tags.get(key)?.[0];
}

class ProtoMessage implements MessageDef {
  private jsonFields: FieldDef[] | undefined;
  private readonly byName = new Map<string, FieldDef>();
  private readonly byNumber = new Map<number, FieldDef>();
  readonly special;

  constructor(
    readonly name: string,
    readonly pkg: string,
    readonly shortName: string,
    readonly description: string,
    private readonly protoFields: FieldDef[],
    /** JSON-only embedded messages (`+inline=<message>` on the message). */
    private readonly jsonInlines: string[],
    /** Resolves embedded messages once the whole graph is loaded. */
    private readonly lookup: (name: string) => ProtoMessage | undefined,
    readonly structType?: 'atomic' | 'granular',
  ) {
    for (const f of protoFields) this.byNumber.set(f.number, f);
    this.special = SPECIAL_MESSAGES[name];
  }

  get package(): string {
    return this.pkg;
  }

  /** The JSON view, built on first use because embedded messages may be defined later. */
  get fields(): readonly FieldDef[] {
    if (this.jsonFields) return this.jsonFields;
    const out: FieldDef[] = [];
    const embed = (name: string): void => {
      const inner = this.lookup(name);
      if (!inner) throw new Error(`${this.name}: inline message ${name} is not defined`);
      out.push(...inner.fields);
    };
    for (const name of this.jsonInlines) embed(name);
    for (const f of this.protoFields) {
      if (f.inline && f.type.kind === 'message') embed(f.type.name);
      else out.push(f);
    }
    this.jsonFields = out;
    for (const f of out) this.byName.set(f.name, f);
    return out;
  }

  field(jsonName: string): FieldDef | undefined {
    if (!this.jsonFields) void this.fields;
    return this.byName.get(jsonName);
  }

  fieldByNumber(n: number): FieldDef | undefined {
    return this.byNumber.get(n);
  }
}

function typeRefOf(f: protobuf.Field, owner: protobuf.Type): TypeRef {
  const base = (typeName: string): TypeRef => {
    const scalar = SCALARS[typeName];
    if (scalar) return { kind: 'scalar', scalar };
    const resolved = owner.lookupTypeOrEnum(typeName);
    const full = resolved.fullName.replace(/^\./, '');
    const special = SPECIAL_MESSAGES[full];
    return special ? { kind: 'special', special } : { kind: 'message', name: full };
  };
  if (f.map) return { kind: 'map', values: base(f.type) };
  const t = base(f.type);
  return f.repeated ? { kind: 'array', items: t } : t;
}

export class ProtoSchemaGraph implements SchemaGraph {
  private readonly byName = new Map<string, ProtoMessage>();

  constructor(readonly root: protobuf.Root) {
    root.resolveAll();
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) this.add(nested);
        if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
      }
    };
    visit(root);
  }

  private add(t: protobuf.Type): void {
    const full = t.fullName.replace(/^\./, '');
    const fields: FieldDef[] = t.fieldsArray.map((f) => {
      const { description, tags } = parseComment(f.comment);
      const def: FieldDef = {
        name: one(tags, 'json') ?? f.name,
        number: f.id,
        type: typeRefOf(f, t),
        description,
        optional: tags.has('optional'),
      };
      const ps = one(tags, 'patchStrategy');
      if (ps) def.patchStrategy = ps.split(',').map((s) => s.trim()).filter(Boolean);
      const mk = one(tags, 'patchMergeKey');
      if (mk) def.patchMergeKey = mk;
      const lt = one(tags, 'listType');
      if (lt === 'atomic' || lt === 'set' || lt === 'map') def.listType = lt;
      const keys = tags.get('listMapKey');
      if (keys?.length) def.listMapKeys = keys;
      const mt = one(tags, 'mapType');
      if (mt === 'atomic' || mt === 'granular') def.mapType = mt;
      const st = one(tags, 'structType');
      if (st === 'atomic' || st === 'granular') def.structType = st;
      if (tags.has('inline')) def.inline = true;
      return def;
    });
    const pkg = full.slice(0, full.lastIndexOf('.'));
    const msg = parseComment(t.comment);
    const mst = one(msg.tags, 'structType');
    const structType = mst === 'atomic' || mst === 'granular' ? mst : undefined;
    const inlines = (msg.tags.get('inline') ?? []).filter(Boolean);
    const lookup = (name: string): ProtoMessage | undefined => this.byName.get(name);
    this.byName.set(full, new ProtoMessage(full, pkg, t.name, msg.description, fields, inlines, lookup, structType));
  }

  message(name: string): MessageDef | undefined {
    return this.byName.get(name.replace(/^\./, ''));
  }

  forKind(group: string, version: string, kind: string): MessageDef | undefined {
    return this.byName.get(`${protoPackageOf(group, version)}.${kind}`);
  }

  messages(): readonly MessageDef[] {
    return [...this.byName.values()];
  }

  /** The protobufjs type of a message, for binary decoding. */
  protoType(name: string): protobuf.Type {
    return this.root.lookupType(name);
  }
}

/** Builds a graph from in-memory .proto sources (tests, fixtures). */
export function schemaFromSources(sources: Record<string, string>): ProtoSchemaGraph {
  const root = new protobuf.Root();
  for (const [file, text] of Object.entries(sources)) {
    protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
    void file;
  }
  return new ProtoSchemaGraph(root);
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.proto')) out.push(p);
  }
  return out;
}

let protoDirFound: string | undefined;

/** The repository's proto/ folder, found (once) from this module's location (source or dist). */
export function defaultProtoDir(): string {
  if (protoDirFound) return protoDirFound;
  protoDirFound = findProtoDir();
  return protoDirFound;
}

function findProtoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'proto')) && existsSync(join(dir, 'package.json'))) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error('proto/ folder not found above ' + fileURLToPath(import.meta.url));
}

let cached: ProtoSchemaGraph | undefined;

/** Loads every .proto under proto/k8s (once per process; other folders each call). */
export function loadSchemaGraph(protoDir?: string): ProtoSchemaGraph {
  if (protoDir === undefined && cached) return cached;
  const dir = protoDir ?? join(defaultProtoDir(), 'k8s');
  const sources: Record<string, string> = {};
  for (const file of walk(dir, [])) sources[relative(dir, file)] = readFileSync(file, 'utf8');
  const graph = schemaFromSources(sources);
  if (protoDir === undefined) cached = graph;
  return graph;
}
