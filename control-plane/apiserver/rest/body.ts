/**
 * Request bodies: the plug-in's parsers hand every body over as a raw
 * Buffer; this decodes JSON, YAML or Kubernetes protobuf into an object
 * and checks it is one.
 * Malformed input is a 400 BadRequest with the parser's message.
 */
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { badRequest, errorMessage } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import { loadSchemaGraph } from '../../api/schema/proto-schema.js';
import { decodeProtobufBody } from '../../api/schema/protobuf-decoder.js';
import { PROTOBUF_MEDIA_TYPE, hasProtobufMagic } from '../../api/schema/protobuf-envelope.js';

/** The media type without parameters, lower case (`application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function bodyBuffer(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function isYaml(type: string): boolean {
  return type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml' || type === 'application/x-yaml';
}

/** Decodes a JSON or YAML document; an empty body is `undefined`. */
export function decodeDocument(buf: Buffer | undefined, contentType: string | undefined): unknown {
  if (!buf || buf.length === 0) return undefined;
  // kubectl >= 1.32 typed clients: the k8s\0 envelope, decoded to the JSON the same command would send.
  const declared = mediaType(contentType);
  if (declared === PROTOBUF_MEDIA_TYPE || (declared === '' && hasProtobufMagic(buf))) return decodeProtobufBody(loadSchemaGraph(), buf);
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  const type = mediaType(contentType);
  if (isYaml(type)) {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    const errs = list.flatMap((d) => d.errors);
    if (errs.length > 0) throw badRequest(`error converting YAML to JSON: ${errs[0]?.message ?? 'invalid YAML'}`);
    if (list.filter((d) => d.contents !== null).length > 1) throw badRequest('error converting YAML to JSON: more than one document in the body');
    try {
      return parseYaml(text) as unknown;
    } catch (e) {
      throw badRequest(`error converting YAML to JSON: ${errorMessage(e)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${errorMessage(e)}`);
  }
}

/** Decodes a body that must be an object (create, update). */
export function decodeObject(buf: Buffer | undefined, contentType: string | undefined): KubeObject {
  const doc = decodeDocument(buf, contentType);
  if (doc === undefined) throw badRequest('the request body is empty; an object is required');
  if (!isPlainObject(doc)) throw badRequest("couldn't get version/kind; json parse error: the body is not a JSON object");
  if (doc.metadata === undefined || doc.metadata === null) doc.metadata = {};
  if (!isPlainObject(doc.metadata)) throw badRequest('metadata must be an object');
  return doc as KubeObject;
}
