/**
 * Turns a decoded protobuf message into exactly the JSON Kubernetes' Go
 * types would produce for it, guided by the schema graph:
 *
 * - int64 → number; bytes → base64; maps kept; repeated → arrays;
 * - Quantity → its string; IntOrString → number or string; Time → RFC 3339
 *   to the second; MicroTime → six decimals; Duration → Go duration string;
 *   RawExtension → the embedded JSON; FieldsV1 → the JSON object;
 *   ExtraValue → the bare array; `+inline` fields merge into the parent;
 * - presence: proto2 tells which fields were on the wire. Go writes every
 *   non-pointer scalar, so a zero value ("" / 0 / false) of an optional
 *   field is what JSON omitempty drops; a `+pointer` field keeps it; a
 *   required field keeps it. Absent fields, empty lists and maps are left
 *   out. A message on the wire is kept (`{}` when empty, as Go prints
 *   non-pointer structs); an empty Time is `null`, as Go's zero Time.
 *
 * Entry point: messageBytesToJson(graph, typeName, bytes[, options]).
 * Throws ProtobufBodyError on bytes that do not decode.
 */
import protobuf from 'protobufjs';
import { ProtobufBodyError } from './protobuf-envelope.js';
import { fieldNameById, fieldsOf, isListWrapper, specialOf, type FieldInfo } from './protobuf-fields.js';
import type { ProtoSchemaGraph } from './proto-schema.js';
import type { Special } from './schema-types.js';

export interface NormaliseOptions {
  /** Decodes a RawExtension whose bytes are themselves a protobuf envelope. */
  embedded?: (bytes: Uint8Array) => unknown;
}

type Msg = Record<string, unknown>;

interface LongLike {
  toNumber(): number;
}

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as { toNumber?: unknown }).toNumber === 'function';
}

function num(v: unknown): number {
  if (isLong(v)) return v.toNumber();
  return typeof v === 'number' ? v : 0;
}

function has(m: Msg, name: string | undefined): boolean {
  return name !== undefined && Object.prototype.hasOwnProperty.call(m, name);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** RFC 3339 in UTC with the given number of fractional digits (0 or 6). */
export function formatProtoTime(seconds: number, nanos: number, digits: 0 | 6): string {
  const d = new Date(seconds * 1000);
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return digits === 0 ? `${base}Z` : `${base}.${pad(Math.floor(nanos / 1000), 6)}Z`;
}

/** Splits v into v / 10^prec and the fraction's digits without trailing zeros (Go's fmtFrac). */
function frac(v: bigint, prec: number): [bigint, string] {
  const scale = 10n ** BigInt(prec);
  const digits = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return [v / scale, digits ? `.${digits}` : ''];
}

/** Go's time.Duration.String(): "1h0m0s", "1.5s", "300ms", "0s". */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    const [whole, f] = frac(u, prec as number);
    out = `${whole}${f}${unit}`;
  } else {
    const [secs, f] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

function parseEmbeddedJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (e) {
    throw new ProtobufBodyError(`${what} does not hold JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function specialToJson(special: Special, type: protobuf.Type, m: Msg, opts: NormaliseOptions): unknown {
  const f = (id: number): string | undefined => fieldNameById(type, id);
  const get = (id: number): unknown => {
    const name = f(id);
    return name !== undefined && has(m, name) ? m[name] : undefined;
  };
  switch (special) {
    case 'quantity': {
      const s = get(1);
      // Go prints the zero Quantity as "0".
      return typeof s === 'string' && s !== '' ? s : '0';
    }
    case 'intOrString':
      return num(get(1)) === 1 ? String(get(3) ?? '') : num(get(2));
    case 'time':
    case 'microTime': {
      // An empty message is Go's zero time, which JSON prints as null.
      if (!has(m, f(1)) && !has(m, f(2))) return null;
      return formatProtoTime(num(get(1)), num(get(2)), special === 'time' ? 0 : 6);
    }
    case 'duration':
      return formatGoDuration(BigInt(num(get(1))));
    case 'rawExtension':
    case 'fieldsV1': {
      const raw = get(1);
      if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
      if (special === 'rawExtension' && raw[0] === 0x6b && opts.embedded) return opts.embedded(raw);
      return parseEmbeddedJson(raw, special === 'rawExtension' ? 'a RawExtension' : 'a FieldsV1');
    }
  }
}

function isZero(v: unknown): boolean {
  if (v === '' || v === 0 || v === false) return true;
  if (isLong(v)) return v.toNumber() === 0;
  return false;
}

function scalarToJson(scalar: string | undefined, v: unknown): unknown {
  if (scalar === 'bytes') return v instanceof Uint8Array ? Buffer.from(v).toString('base64') : '';
  if (isLong(v)) return v.toNumber();
  return v;
}

function valueToJson(graph: ProtoSchemaGraph, info: FieldInfo, v: unknown, opts: NormaliseOptions): unknown {
  if (info.type) return messageToJson(graph, info.type, (v ?? {}) as Msg, opts);
  return scalarToJson(info.scalar, v);
}

/** A decoded message (or a plain object of its fields) → its JSON form. */
export function messageToJson(graph: ProtoSchemaGraph, type: protobuf.Type, m: Msg, opts: NormaliseOptions = {}): unknown {
  const special = specialOf(type);
  if (special) return specialToJson(special, type, m, opts);
  if (isListWrapper(type)) {
    const items = m[type.fieldsArray[0]?.name ?? ''];
    return Array.isArray(items) ? [...(items as unknown[])] : [];
  }
  const out: Record<string, unknown> = {};
  for (const info of fieldsOf(graph, type)) {
    const name = info.field.name;
    if (!has(m, name)) continue;
    const v = m[name];
    switch (info.shape) {
      case 'repeated': {
        if (!Array.isArray(v) || v.length === 0) continue;
        out[info.json] = (v as unknown[]).map((e) => valueToJson(graph, info, e, opts));
        break;
      }
      case 'map': {
        if (typeof v !== 'object' || v === null) continue;
        const entries = Object.entries(v as Record<string, unknown>);
        if (entries.length === 0) continue;
        out[info.json] = Object.fromEntries(entries.map(([k, e]) => [k, valueToJson(graph, info, e, opts)]));
        break;
      }
      case 'message':
        // An embedded Go struct: its fields sit in this object.
        if (info.inline) Object.assign(out, valueToJson(graph, info, v, opts));
        else out[info.json] = valueToJson(graph, info, v, opts);
        break;
      case 'scalar':
        if (v === undefined || v === null) continue;
        if (info.optional && !info.pointer && isZero(v)) continue;
        out[info.json] = scalarToJson(info.scalar, v);
        break;
    }
  }
  return out;
}

/** Decodes a message's bytes with protobufjs and returns its JSON form. */
export function messageBytesToJson(graph: ProtoSchemaGraph, typeName: string, bytes: Uint8Array, opts: NormaliseOptions = {}): unknown {
  const type = graph.protoType(typeName);
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(bytes);
  } catch (e) {
    throw new ProtobufBodyError(`unable to decode ${type.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return messageToJson(graph, type, decoded as unknown as Msg, opts);
}
