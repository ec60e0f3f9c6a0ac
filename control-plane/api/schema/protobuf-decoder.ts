/**
 * Decodes a Kubernetes protobuf request body (what kubectl ≥ 1.32 sends
 * from typed clients) into the JSON object the same command sends as JSON:
 * reads the `k8s\0` envelope, finds the kind's message in the schema graph
 * by the envelope's apiVersion and kind, decodes the raw bytes and
 * normalises them (protobuf-normalise.ts). apiVersion and kind come from
 * the envelope.
 *
 * Errors are catalogue ApiErrors: 400 BadRequest for malformed bytes, 415
 * UnsupportedMediaType for a kind with no protobuf message (as upstream
 * answers for custom resources) and for a compressed or foreign inner
 * encoding. Never a plain Error.
 */
import { ApiError, badRequest } from '../errors.js';
import { isPlainObject, parseApiVersion } from '../meta.js';
import { PROTOBUF_MEDIA_TYPE, ProtobufBodyError, readEnvelope, type Envelope } from './protobuf-envelope.js';
import { messageBytesToJson } from './protobuf-normalise.js';
import type { MessageDef } from './schema-types.js';
import type { ProtoSchemaGraph } from './proto-schema.js';

/**
 * The message of a kind. Options kinds (DeleteOptions, CreateOptions...)
 * are registered in every group-version but are meta.k8s.io/v1 messages.
 */
export function messageForKind(graph: ProtoSchemaGraph, apiVersion: string, kind: string): MessageDef | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return graph.forKind(group, version, kind) ?? graph.forKind('meta.k8s.io', 'v1', kind);
}

function unsupported(message: string): ApiError {
  return new ApiError('SKIFF_UNSUPPORTED_MEDIA_TYPE', message);
}

function decodeEnvelope(graph: ProtoSchemaGraph, env: Envelope, depth: number): Record<string, unknown> {
  if (env.contentEncoding !== '') throw unsupported(`protobuf bodies with content encoding "${env.contentEncoding}" are not supported`);
  if (!env.kind) throw unsupported(`the ${PROTOBUF_MEDIA_TYPE} body names no kind; send the object as application/json`);
  const inner = env.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  let body: unknown;
  if (inner === 'application/json') {
    try {
      body = JSON.parse(Buffer.from(env.raw).toString('utf8')) as unknown;
    } catch (e) {
      throw badRequest(`json parse error in the protobuf envelope: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isPlainObject(body)) throw badRequest('the protobuf envelope does not hold a JSON object');
  } else if (inner === '' || inner === PROTOBUF_MEDIA_TYPE) {
    const def = messageForKind(graph, env.apiVersion, env.kind);
    if (!def) throw unsupported(`no protobuf encoding is known for kind "${env.kind}" in version "${env.apiVersion}"; send it as application/json`);
    const embedded = (bytes: Uint8Array): unknown => {
      if (depth >= 8) throw new ProtobufBodyError('embedded objects nest too deeply');
      return decodeEnvelope(graph, readEnvelope(bytes), depth + 1);
    };
    body = messageBytesToJson(graph, def.name, env.raw, { embedded });
  } else {
    throw unsupported(`protobuf envelopes holding ${env.contentType} are not supported`);
  }
  const obj = body as Record<string, unknown>;
  const typed: Record<string, unknown> = { kind: env.kind };
  if (env.apiVersion) typed.apiVersion = env.apiVersion;
  for (const [k, v] of Object.entries(obj)) if (k !== 'kind' && k !== 'apiVersion') typed[k] = v;
  return typed;
}

/** A protobuf body → its JSON object, with apiVersion and kind from the envelope. */
export function decodeProtobufBody(graph: ProtoSchemaGraph, buf: Uint8Array): Record<string, unknown> {
  try {
    return decodeEnvelope(graph, readEnvelope(buf), 0);
  } catch (e) {
    if (e instanceof ProtobufBodyError) throw badRequest(e.message);
    throw e;
  }
}
