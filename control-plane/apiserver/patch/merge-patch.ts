/**
 * JSON Merge Patch (RFC 7386): objects merge key by key, `null` deletes a
 * key, anything else (arrays included) replaces. Pure; returns a new value.
 */
import { isPlainObject } from '../../api/meta.js';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * Removes strategic-merge-patch directives (`$patch`, `$retainKeys`,
 * `$setElementOrder/…`, `$deleteFromPrimitiveList/…`, any `$`-key) at every
 * depth, so a strategic patch applied as a merge patch never stores them.
 * List elements that are `{"$patch":"delete", …}` markers are dropped.
 */
export function stripPatchDirectives(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.filter((x) => !(isPlainObject(x) && x.$patch === 'delete')).map(stripPatchDirectives);
  }
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripPatchDirectives(x);
  }
  return out;
}
