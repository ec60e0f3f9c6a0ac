/**
 * Encodes a JSON object into a Kubernetes protobuf body (magic, envelope,
 * the kind's message), the inverse of protobuf-decoder.ts; used by tests
 * and benchmarks to send what kubectl ≥ 1.32 sends.
 *
 * Only fields present in the JSON are written, except with
 * `goZeroValues`, which also writes the zero value of every optional,
 * non-pointer scalar the JSON leaves out, as Go's marshaller does for
 * plain struct fields (the decoder must drop them again). Unknown JSON
 * fields, or values of the wrong shape, throw an Error naming the path.
 */
import protobuf from 'protobufjs';
import { messageForKind } from './protobuf-decoder.js';
import { writeEnvelope } from './protobuf-envelope.js';
import { fieldNameById, fieldsOf, isListWrapper, jsonOnlyKeys, specialOf, type FieldInfo } from './protobuf-fields.js';
import type { ProtoSchemaGraph } from './proto-schema.js';
import type { Special } from './schema-types.js';

export interface EncodeOptions {
  /** Also write the zero values Go writes for plain (non-pointer) scalar fields. */
  goZeroValues?: boolean;
}

type Plain = Record<string, unknown>;

function isObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(path: string, what: string): never {
  throw new Error(`cannot encode ${path}: ${what}`);
}

/** Parses RFC 3339 into seconds and nanoseconds, keeping sub-millisecond digits. */
function parseTime(s: string, path: string): { seconds: number; nanos: number } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) fail(path, `invalid time ${JSON.stringify(s)}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) fail(path, `invalid time ${JSON.stringify(s)}`);
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Parses a Go duration string ("1h30m", "1.5s") into nanoseconds. */
export function parseGoDuration(s: string, path = 'duration'): bigint {
  const m = /^([+-])?(.+)$/.exec(s);
  if (!m || s === '') fail(path, `invalid duration ${JSON.stringify(s)}`);
  if (m[2] === '0') return 0n;
  let total = 0n;
  const re = /(\d+)(?:\.(\d+))?(ns|us|µs|μs|ms|s|m|h)/gy;
  let pos = 0;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    const unit = UNITS[p[3]!]!;
    const fracDigits = p[2] ?? '';
    total += BigInt(p[1]!) * unit + (fracDigits ? (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length) : 0n);
    pos = re.lastIndex;
  }
  if (pos !== m[2]!.length) fail(path, `invalid duration ${JSON.stringify(s)}`);
  return m[1] === '-' ? -total : total;
}

function specialToPlain(special: Special, type: protobuf.Type, v: unknown, path: string): Plain {
  const f = (id: number): string => fieldNameById(type, id) ?? fail(path, `message ${type.name} has no field ${id}`);
  switch (special) {
    case 'quantity':
      if (typeof v !== 'string' && typeof v !== 'number') fail(path, 'a quantity must be a string or a number');
      return { [f(1)]: String(v) };
    case 'intOrString':
      if (typeof v === 'number') return { [f(1)]: 0, [f(2)]: v };
      if (typeof v === 'string') return { [f(1)]: 1, [f(3)]: v };
      return fail(path, 'an int-or-string must be a number or a string');
    case 'time':
    case 'microTime': {
      if (v === null) return {};
      if (typeof v !== 'string') fail(path, 'a time must be a string');
      const t = parseTime(v, path);
      return { [f(1)]: t.seconds, [f(2)]: t.nanos };
    }
    case 'duration':
      if (typeof v !== 'string') fail(path, 'a duration must be a string');
      // A decimal string keeps int64 precision through fromObject.
      return { [f(1)]: parseGoDuration(v, path).toString() };
    case 'rawExtension':
    case 'fieldsV1':
      return v === null ? {} : { [f(1)]: Buffer.from(JSON.stringify(v), 'utf8') };
  }
}

function zeroOf(scalar: string | undefined): unknown {
  if (scalar === 'string') return '';
  if (scalar === 'bool') return false;
  if (scalar === 'bytes') return undefined; // Go leaves nil byte slices out
  return 0;
}

function scalarToPlain(info: FieldInfo, v: unknown, path: string): unknown {
  switch (info.scalar) {
    case 'string':
      if (typeof v !== 'string') fail(path, 'expected a string');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, 'expected a boolean');
      return v;
    case 'bytes':
      if (typeof v !== 'string') fail(path, 'expected base64 bytes');
      return Buffer.from(v, 'base64');
    default:
      if (typeof v !== 'number' || (!Number.isInteger(v) && !['double', 'float'].includes(info.scalar ?? ''))) fail(path, 'expected a number');
      return v;
  }
}

function valueToPlain(graph: ProtoSchemaGraph, info: FieldInfo, v: unknown, path: string, opts: EncodeOptions): unknown {
  return info.type ? jsonToPlain(graph, info.type, v, path, opts) : scalarToPlain(info, v, path);
}

/**
 * The fields of one message taken from a JSON object; inline fields take
 * theirs from the same object. Keys used are added to `used`.
 */
function objectToPlain(graph: ProtoSchemaGraph, type: protobuf.Type, v: Plain, path: string, opts: EncodeOptions, used: Set<string>): Plain {
  const out: Plain = {};
  for (const info of fieldsOf(graph, type)) {
    const name = info.field.name;
    if (info.inline && info.type) {
      const sub = objectToPlain(graph, info.type, v, path, opts, used);
      // Go always writes an embedded struct; JSON cannot tell an empty one from none.
      if (Object.keys(sub).length > 0 || opts.goZeroValues) out[name] = sub;
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(v, info.json)) {
      if (opts.goZeroValues && info.shape === 'scalar' && info.optional && !info.pointer) {
        const zero = zeroOf(info.scalar);
        if (zero !== undefined) out[name] = zero;
      }
      continue;
    }
    used.add(info.json);
    const value = v[info.json];
    const at = `${path}.${info.json}`;
    if (value === null) {
      // Go's zero Time and empty RawExtension print as null; they are still on the wire.
      if (info.shape === 'message' && info.type && specialOf(info.type)) out[name] = jsonToPlain(graph, info.type, null, at, opts);
      continue;
    }
    if (info.shape === 'repeated') {
      if (!Array.isArray(value)) fail(at, 'expected an array');
      out[name] = value.map((e, i) => valueToPlain(graph, info, e, `${at}[${i}]`, opts));
    } else if (info.shape === 'map') {
      if (!isObject(value)) fail(at, 'expected an object');
      out[name] = Object.fromEntries(Object.entries(value).map(([k, e]) => [k, valueToPlain(graph, info, e, `${at}.${k}`, opts)]));
    } else {
      out[name] = valueToPlain(graph, info, value, at, opts);
    }
  }
  return out;
}

/** A JSON value of a message type → the plain object protobufjs's fromObject takes. */
export function jsonToPlain(graph: ProtoSchemaGraph, type: protobuf.Type, v: unknown, path: string, opts: EncodeOptions = {}): Plain {
  const special = specialOf(type);
  if (special) return specialToPlain(special, type, v, path);
  if (isListWrapper(type)) {
    if (!Array.isArray(v)) fail(path, 'expected an array');
    return { [type.fieldsArray[0]!.name]: v };
  }
  if (!isObject(v)) fail(path, `expected an object for ${type.name}`);
  const used = new Set<string>();
  const out = objectToPlain(graph, type, v, path, opts, used);
  // apiVersion and kind of embedded objects (TypeMeta) have no protobuf field.
  const jsonOnly = jsonOnlyKeys(graph, type);
  for (const key of Object.keys(v)) {
    if (!used.has(key) && !jsonOnly.has(key)) fail(`${path}.${key}`, `unknown field in ${type.name}`);
  }
  return out;
}

/** Encodes a JSON value as the bytes of the named message. */
export function jsonToMessageBytes(graph: ProtoSchemaGraph, typeName: string, json: unknown, opts: EncodeOptions = {}): Uint8Array {
  const type = graph.protoType(typeName);
  return type.encode(type.fromObject(jsonToPlain(graph, type, json, type.name, opts))).finish();
}

/** Encodes a typed JSON object (apiVersion and kind set) as a protobuf request body. */
export function encodeProtobufBody(graph: ProtoSchemaGraph, obj: Record<string, unknown>, opts: EncodeOptions = {}): Uint8Array {
  const { apiVersion, kind, ...rest } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw new Error('cannot encode an object without apiVersion and kind');
  const def = messageForKind(graph, apiVersion, kind);
  if (!def) throw new Error(`no message for kind ${kind} in ${apiVersion}`);
  return writeEnvelope(apiVersion, kind, jsonToMessageBytes(graph, def.name, rest, opts));
}
