/**
 * Field validation (`?fieldValidation=Strict|Warn|Ignore`) on create,
 * update and patch, as upstream's apiserver does it:
 * - unknown fields (not in the kind's schema-graph message) are always
 *   dropped from the object;
 * - duplicate fields are found in the raw JSON or YAML body;
 * - Strict: 400 BadRequest `strict decoding error: unknown field "spec.foo",
 *   duplicate field "metadata.name"` (prefixed on create and update with
 *   `Pod in version "v1" cannot be handled as a Pod: `);
 * - Warn (the default when the parameter is absent): one `Warning` header
 *   per problem, `299 - "unknown field \"spec.foo\""`;
 * - Ignore: nothing reported.
 * Patches are checked on their result: only unknown fields the patch
 * introduced count, so fields already stored never fail a later patch.
 * Kinds without a message in the graph (custom resources) are not checked.
 */
import { ApiError, badRequest } from '../../api/errors.js';
import { errorBody, formatFieldError, notSupported } from '../../api/field-errors.js';
import type { SchemaGraph } from '../../api/schema/schema-types.js';
import { defaultSchemaGraph } from '../openapi/schema-source.js';
import { duplicateJsonFields, duplicateYamlFields } from './duplicate-fields.js';
import { findUnknownFields, pruneUnknownFields } from './unknown-fields.js';

export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';
export type WriteOperation = 'create' | 'update' | 'patch';

export interface ValidationTarget {
  group: string;
  version: string;
  kind: string;
}

const OPTIONS_KIND: Record<WriteOperation, string> = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' };

/** The directive of a request; absent or empty is Warn (upstream's default since 1.23). */
export function fieldValidationDirective(query: Record<string, unknown>, op: WriteOperation): FieldValidationDirective {
  const raw = query.fieldValidation;
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  // Upstream validates the options object: 422 on `PatchOptions.meta.k8s.io ""`.
  const err = notSupported('fieldValidation', v, ['Ignore', 'Strict', 'Warn']);
  throw new ApiError('SKIFF_INVALID', `${OPTIONS_KIND[op]}.meta.k8s.io "" is invalid: ${formatFieldError(err)}`, {
    name: '',
    group: 'meta.k8s.io',
    kind: OPTIONS_KIND[op],
    causes: [{ reason: err.type, message: errorBody(err), field: err.field }],
  });
}

/** A `Warning` header value (RFC 7234 warn-code 299, quoted text). */
export function warningHeader(text: string): string {
  return `299 - "${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Duplicate-key paths of a JSON or YAML body; protobuf and empty bodies have none. */
export function duplicateFields(body: Buffer | undefined, contentType: string | undefined): string[] {
  if (!body || body.length === 0) return [];
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type.includes('protobuf') || type === 'application/json-patch+json') return [];
  const text = body.toString('utf8');
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? duplicateJsonFields(text) : duplicateYamlFields(text);
}

function report(
  target: ValidationTarget,
  op: WriteOperation,
  directive: FieldValidationDirective,
  unknown: string[],
  duplicates: string[],
): string[] {
  if (directive === 'Ignore') return [];
  const problems = [...unknown.map((p) => `unknown field "${p}"`), ...duplicates.map((p) => `duplicate field "${p}"`)];
  if (problems.length === 0) return [];
  if (directive === 'Warn') return problems.map(warningHeader);
  const prefix = op === 'patch' ? '' : `${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}: `;
  throw badRequest(`${prefix}strict decoding error: ${problems.join(', ')}`);
}

/**
 * Create and update: prunes unknown fields from `obj` in place, then
 * throws (Strict) or returns the Warning header values (Warn).
 */
export function validateWriteFields(
  target: ValidationTarget,
  query: Record<string, unknown>,
  obj: Record<string, unknown>,
  body: Buffer | undefined,
  contentType: string | undefined,
  op: 'create' | 'update',
  graph: SchemaGraph = defaultSchemaGraph(),
): string[] {
  const directive = fieldValidationDirective(query, op);
  const msg = graph.forKind(target.group, target.version, target.kind);
  if (!msg) return [];
  const unknown = pruneUnknownFields(graph, msg, obj);
  // Ignore reports nothing, so the body need not be scanned for duplicate keys.
  return report(target, op, directive, unknown, directive === 'Ignore' ? [] : duplicateFields(body, contentType));
}

/**
 * Patch: prunes unknown fields from the patched object `after` in place and
 * reports those not already unknown in `before` (the object the patch was
 * applied to; not modified), plus duplicate keys in the patch body.
 */
export function validatePatchedFields(
  target: ValidationTarget,
  query: Record<string, unknown>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  patch: Buffer | undefined,
  patchType: string | undefined,
  graph: SchemaGraph = defaultSchemaGraph(),
): string[] {
  const directive = fieldValidationDirective(query, 'patch');
  const msg = graph.forKind(target.group, target.version, target.kind);
  if (!msg) return [];
  const existing = new Set(findUnknownFields(graph, msg, before));
  const unknown = pruneUnknownFields(graph, msg, after).filter((p) => !existing.has(p));
  return report(target, 'patch', directive, unknown, directive === 'Ignore' ? [] : duplicateFields(patch, patchType));
}
