/**
 * Patch types by Content-Type. A PatchApplier turns the current object (as
 * served: converted to the request's group-version, resourceVersion
 * included) and the raw patch body into the patched object; it throws
 * ApiErrors (400 for a malformed patch, 422 for one that does not apply).
 *
 * Built in: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
 * strategic merge patch (strategic-applier.ts, merge metadata from the
 * schema graph). Server-side
 * apply (application/apply-patch+yaml) is not registered, so it answers 415.
 */
import { ApiError, badRequest, errorMessage } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { applyJsonPatch, decodeJsonPatch, JsonPatchApplyError, JsonPatchFormatError } from './json-patch.js';
import { applyMergePatch, stripPatchDirectives } from './merge-patch.js';
import { strategicMergePatchApplier } from './strategic-applier.js';

export interface PatchContext {
  resource: ResolvedResource;
  /** '' for the main resource, else `status` or `scale` (then `current` is a Scale). */
  subresource: string;
  fieldManager?: string;
  /** Server-side apply's `force` query parameter. */
  force?: boolean;
}

export interface PatchApplier {
  (current: KubeObject, patch: Buffer, ctx: PatchContext): KubeObject;
}

const appliers = new Map<string, PatchApplier>();

/** Registers (or replaces) the applier for a patch Content-Type. */
export function registerPatchType(contentType: string, applier: PatchApplier): void {
  appliers.set(contentType.toLowerCase(), applier);
}

export function patchApplierFor(contentType: string): PatchApplier | undefined {
  return appliers.get(contentType.toLowerCase());
}

export function registeredPatchTypes(): string[] {
  return [...appliers.keys()];
}

/** Parses a patch body as JSON, answering 400 on malformed input. */
export function parsePatchJson(patch: Buffer): unknown {
  try {
    return JSON.parse(patch.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding patch: ${errorMessage(e)}`);
  }
}

function asObject(v: unknown): KubeObject {
  if (!isPlainObject(v)) throw badRequest('the patched document is not a JSON object');
  if (!isPlainObject(v.metadata)) v.metadata = {};
  return v as KubeObject;
}

export const jsonPatchApplier: PatchApplier = (current, patch) => {
  try {
    return asObject(applyJsonPatch(current, decodeJsonPatch(parsePatchJson(patch))));
  } catch (e) {
    if (e instanceof JsonPatchFormatError) throw badRequest(e.message);
    if (e instanceof JsonPatchApplyError) throw new ApiError('SKIFF_INVALID', e.message, { causes: [{ message: e.message }] });
    throw e;
  }
};

function mergeBody(patch: Buffer): Record<string, unknown> {
  const doc = parsePatchJson(patch);
  if (!isPlainObject(doc)) throw badRequest('error decoding patch: the patch must be a JSON object');
  return doc;
}

export const mergePatchApplier: PatchApplier = (current, patch) => asObject(applyMergePatch(current, mergeBody(patch)));

/** Stand-in for strategic merge patch: merge patch semantics, directives dropped. */
export const strategicAsMergeApplier: PatchApplier = (current, patch) =>
  asObject(applyMergePatch(current, stripPatchDirectives(mergeBody(patch))));

registerPatchType('application/json-patch+json', jsonPatchApplier);
registerPatchType('application/merge-patch+json', mergePatchApplier);
registerPatchType('application/strategic-merge-patch+json', strategicMergePatchApplier);
