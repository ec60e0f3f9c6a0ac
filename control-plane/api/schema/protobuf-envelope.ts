/**
 * The Kubernetes protobuf envelope: the 4-byte magic `k8s\0` followed by a
 * `runtime.Unknown` message {typeMeta{apiVersion=1, kind=2}=1, raw=2,
 * contentEncoding=3, contentType=4}, where raw holds the object's own
 * message. Read and written by hand with protobufjs's Reader and Writer so
 * the envelope does not depend on any .proto file being loaded.
 *
 * readEnvelope throws ProtobufBodyError (a plain Error subclass; callers in
 * the API layer turn it into a 400) on a missing magic or malformed bytes.
 */
import protobuf from 'protobufjs';

/** `k8s\0`: every Kubernetes protobuf body starts with it. */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The media type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

export interface Envelope {
  apiVersion: string;
  kind: string;
  /** The object's message bytes (or another encoding, see contentType). */
  raw: Uint8Array;
  /** Compression of raw; empty means none. */
  contentEncoding: string;
  /** The encoding of raw; empty means protobuf. */
  contentType: string;
}

/** A body that is not a well-formed envelope or message. */
export class ProtobufBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufBodyError';
  }
}

export function hasProtobufMagic(buf: Uint8Array): boolean {
  return buf.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((b, i) => buf[i] === b);
}

function readTypeMeta(bytes: Uint8Array): { apiVersion: string; kind: string } {
  const r = protobuf.Reader.create(bytes);
  let apiVersion = '';
  let kind = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) apiVersion = r.string();
    else if (field === 2 && (tag & 7) === 2) kind = r.string();
    else r.skipType(tag & 7);
  }
  return { apiVersion, kind };
}

/** Splits a body into its type meta and raw object bytes. */
export function readEnvelope(buf: Uint8Array): Envelope {
  if (!hasProtobufMagic(buf)) {
    throw new ProtobufBodyError(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
  }
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  try {
    const r = protobuf.Reader.create(buf.subarray(PROTOBUF_MAGIC.length));
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (wire !== 2) {
        r.skipType(wire);
        continue;
      }
      if (field === 1) Object.assign(env, readTypeMeta(r.bytes()));
      else if (field === 2) env.raw = r.bytes();
      else if (field === 3) env.contentEncoding = r.string();
      else if (field === 4) env.contentType = r.string();
      else r.skipType(wire);
    }
  } catch (e) {
    throw new ProtobufBodyError(`malformed protobuf envelope: ${e instanceof Error ? e.message : String(e)}`);
  }
  return env;
}

/** Wraps an object's message bytes in the magic and envelope, as client-go does. */
export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(apiVersion);
  w.uint32((2 << 3) | 2).string(kind);
  w.ldelim();
  w.uint32((2 << 3) | 2).bytes(raw);
  // Go writes the empty strings too: they are plain (non-pointer) fields.
  w.uint32((3 << 3) | 2).string('');
  w.uint32((4 << 3) | 2).string('');
  const body = w.finish();
  const out = new Uint8Array(PROTOBUF_MAGIC.length + body.length);
  out.set(PROTOBUF_MAGIC, 0);
  out.set(body, PROTOBUF_MAGIC.length);
  return out;
}
