/**
 * The protobuf form of `/openapi/v2`: converts the Swagger 2.0 JSON
 * document (documents.ts) into gnostic's `openapi.v2.Document` message,
 * declared in proto/openapi/v2.proto, and encodes it with protobufjs.
 * kubectl 1.27 and 1.28 accept nothing else for validation and explain.
 * Vendor extensions become NamedAny pairs whose value is YAML text, as
 * gnostic writes them; decodeSwaggerProto() reads a document back (tests).
 */
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { defaultProtoDir } from '../../api/schema/proto-schema.js';
import type { JsonSchema } from './schemas.js';

let documentType: protobuf.Type | undefined;

/** The protobufjs type of openapi.v2.Document, loaded once from proto/openapi/v2.proto. */
export function swaggerDocumentType(): protobuf.Type {
  if (!documentType) {
    const root = new protobuf.Root();
    root.loadSync(join(defaultProtoDir(), 'openapi', 'v2.proto'), { keepCase: true });
    root.resolveAll();
    documentType = root.lookupType('openapi.v2.Document');
  }
  return documentType;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `x-…` keys of a JSON object as NamedAny pairs with YAML values. */
function vendorExtensions(o: Obj): Obj[] {
  return Object.keys(o)
    .filter((k) => k.startsWith('x-'))
    .map((k) => ({ name: k, value: { yaml: toYaml(o[k]) } }));
}

function schemaMsg(s: Obj): Obj {
  const m: Obj = {};
  if (typeof s.$ref === 'string') m._ref = s.$ref;
  if (typeof s.format === 'string') m.format = s.format;
  if (typeof s.description === 'string') m.description = s.description;
  if (s.default !== undefined) m.default = { yaml: toYaml(s.default) };
  if (s.uniqueItems === true) m.unique_items = true;
  if (Array.isArray(s.required)) m.required = s.required;
  if (isObj(s.additionalProperties)) m.additional_properties = { schema: schemaMsg(s.additionalProperties) };
  else if (typeof s.additionalProperties === 'boolean') m.additional_properties = { boolean: s.additionalProperties };
  if (typeof s.type === 'string') m.type = { value: [s.type] };
  if (isObj(s.items)) m.items = { schema: [schemaMsg(s.items)] };
  if (Array.isArray(s.allOf)) m.all_of = s.allOf.filter(isObj).map(schemaMsg);
  if (isObj(s.properties)) {
    m.properties = { additional_properties: Object.entries(s.properties).filter(([, v]) => isObj(v)).map(([name, v]) => ({ name, value: schemaMsg(v as Obj) })) };
  }
  const ext = vendorExtensions(s);
  if (ext.length) m.vendor_extension = ext;
  return m;
}

function parameterMsg(p: Obj): Obj {
  if (p.in === 'body') {
    return { parameter: { body_parameter: { name: p.name, in: 'body', required: p.required === true, schema: schemaMsg(isObj(p.schema) ? p.schema : {}) } } };
  }
  const sub: Obj = { required: p.required === true, in: p.in, description: p.description ?? '', name: p.name, type: p.type ?? 'string', unique_items: p.uniqueItems === true };
  const key = p.in === 'path' ? 'path_parameter_sub_schema' : p.in === 'header' ? 'header_parameter_sub_schema' : 'query_parameter_sub_schema';
  return { parameter: { non_body_parameter: { [key]: sub } } };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function operationMsg(o: Obj): Obj {
  const responses = isObj(o.responses) ? o.responses : {};
  return {
    tags: Array.isArray(o.tags) ? o.tags : [],
    description: o.description ?? '',
    operation_id: o.operationId ?? '',
    produces: Array.isArray(o.produces) ? o.produces : [],
    consumes: Array.isArray(o.consumes) ? o.consumes : [],
    parameters: (Array.isArray(o.parameters) ? o.parameters : []).filter(isObj).map(parameterMsg),
    responses: {
      response_code: Object.entries(responses)
        .filter(([, r]) => isObj(r))
        .map(([code, r]) => {
          const resp = r as Obj;
          const out: Obj = { description: resp.description ?? '' };
          if (isObj(resp.schema)) out.schema = { schema: schemaMsg(resp.schema) };
          return { name: code, value: { response: out } };
        }),
    },
    schemes: Array.isArray(o.schemes) ? o.schemes : [],
    vendor_extension: vendorExtensions(o),
  };
}

/** The gnostic message object (snake_case fields) for a Swagger 2.0 JSON document. */
export function swaggerToGnostic(doc: JsonSchema): Obj {
  const info = isObj(doc.info) ? doc.info : {};
  const paths = isObj(doc.paths) ? doc.paths : {};
  const defs = isObj(doc.definitions) ? doc.definitions : {};
  return {
    swagger: doc.swagger ?? '2.0',
    info: { title: info.title ?? '', version: info.version ?? '' },
    paths: {
      path: Object.entries(paths)
        .filter(([, v]) => isObj(v))
        .map(([name, v]) => {
          const item = v as Obj;
          const value: Obj = { parameters: (Array.isArray(item.parameters) ? item.parameters : []).filter(isObj).map(parameterMsg) };
          for (const m of METHODS) if (isObj(item[m])) value[m] = operationMsg(item[m] as Obj);
          return { name, value };
        }),
    },
    definitions: { additional_properties: Object.entries(defs).filter(([, v]) => isObj(v)).map(([name, v]) => ({ name, value: schemaMsg(v as Obj) })) },
  };
}

/** Encodes a Swagger 2.0 JSON document as gnostic protobuf. */
export function encodeSwaggerProto(doc: JsonSchema): Uint8Array {
  const T = swaggerDocumentType();
  return T.encode(T.fromObject(swaggerToGnostic(doc))).finish();
}

/** Decodes gnostic protobuf into its plain message object (snake_case fields). */
export function decodeSwaggerProto(buf: Uint8Array): Obj {
  const T = swaggerDocumentType();
  return T.toObject(T.decode(buf), { defaults: false, arrays: true }) as Obj;
}
