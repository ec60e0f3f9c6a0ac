/**
 * Strategic merge patch (apply side), with upstream's semantics
 * (apimachinery strategicpatch StrategicMergeMapPatch):
 *
 * - maps merge key by key; `null` deletes a key; a new key takes the
 *   patch's value (its nulls and `$patch` maps dropped);
 * - `$patch: replace` in a map replaces it, `$patch: delete` empties it;
 *   any other `$patch` value in a map is an error;
 * - `$retainKeys: [...]` clears every key of the live map not listed (and
 *   every non-null key of the patch must be listed);
 * - lists with patch strategy `merge` merge by their merge key (maps) or as
 *   sets (scalars); elements `{$patch: delete, <key>: v}` remove, an
 *   element `{$patch: replace}` makes the patch's elements the list;
 *   `$deleteFromPrimitiveList/<list>` removes scalars;
 *   `$setElementOrder/<list>` orders the merged list (strategic-order.ts);
 * - every other list, and fields with strategy `replace`, are replaced.
 *
 * Merge metadata comes from a PatchSchema cursor (strategic-schema.ts).
 * The functions mutate their arguments; callers pass copies. Errors are
 * ApiErrors (strategic-errors.ts). Directive keys left where upstream's
 * typed decoding would drop them are removed by sanitize().
 */
import { isPlainObject } from '../../api/meta.js';
import {
  errBadArgType,
  errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList,
  errBadPatchType,
  errCannotMergeWithoutKey,
  errElementTypesDiffer,
  errListMergeNotSupported,
  errNoElements,
  errNoListOfLists,
  errNoMergeKey,
  errNotAMapElement,
  errOrderMismatch,
  goTypeName,
} from './strategic-errors.js';
import { normalizeElementOrder, partitionByPresence, type ElementKind } from './strategic-order.js';
import type { PatchSchema } from './strategic-schema.js';

type JsonMap = Record<string, unknown>;

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

/** Applies `patch` to `original` (both mutated) and returns the result. */
export function strategicMergeMap(original: JsonMap | undefined, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (DIRECTIVE in patch) return directiveInMap(patch[DIRECTIVE], patch);
  const orig = original ?? {};
  applyRetainKeys(orig, patch);
  mergeOrderedLists(orig, patch, schema);
  for (const [k, patchV] of Object.entries(patch)) {
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[key];
      continue;
    }
    const origV = orig[key];
    if (!(key in orig) || kindOf(origV) !== kindOf(patchV)) {
      if (!isDeleteList) setCleaned(orig, key, patchV);
      continue;
    }
    if (isPlainObject(origV) && isPlainObject(patchV)) {
      const { schema: sub, meta } = schema.lookupForMap(key);
      orig[key] = meta.strategy === 'replace' ? patchV : strategicMergeMap(origV, patchV, sub);
    } else if (Array.isArray(origV) && Array.isArray(patchV)) {
      const { schema: sub, meta } = schema.lookupForSlice(key);
      orig[key] = mergeSliceHandler(origV, patchV, sub, meta.strategy, meta.mergeKey, isDeleteList);
    } else {
      orig[key] = patchV;
    }
  }
  return orig;
}

function directiveInMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === 'replace') {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

/** A value new to the object: nulls discarded, `$patch` maps removed (and the key with them). */
function setCleaned(target: JsonMap, key: string, value: unknown): void {
  discardNulls(value);
  const r = removeDirectives(value);
  if (r.keep) target[key] = r.value;
  else delete target[key];
}

function discardNulls(v: unknown): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNulls(x);
    }
  }
}

/** Drops every map carrying `$patch` (upstream's removeDirectives). */
export function removeDirectives(v: unknown): { value: unknown; keep: boolean } {
  if (isPlainObject(v)) {
    if (DIRECTIVE in v) return { value: undefined, keep: false };
    for (const [k, x] of Object.entries(v)) {
      const r = removeDirectives(x);
      if (r.keep) v[k] = r.value;
      else delete v[k];
    }
    return { value: v, keep: true };
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = removeDirectives(x);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  return { value: v, keep: true };
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? errBadPatchFormatForPrimitiveList() : errBadPatchFormatForSetElementOrderList();
  }
  return key.slice(slash + 1);
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * The element kind shared by every element of the lists: maps, or scalars
 * of one JSON type (numbers count as one type: JSON.parse cannot tell 1.0
 * from 1).
 */
function elementKind(...lists: unknown[][]): ElementKind {
  let first: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = typeof v === 'number' ? 'number' : goTypeName(v);
      if (first === undefined) {
        if (Array.isArray(v)) throw errNoListOfLists();
        first = t;
      } else if (t !== first) {
        throw errElementTypesDiffer(lists);
      }
    }
  }
  if (first === undefined) throw errNoElements();
  return first === 'map[string]interface {}' ? 'map' : 'scalar';
}

/** Merge lists merge; others are replaced, except that a `$deleteFromPrimitiveList` removes from any list. */
function mergeSliceHandler(original: unknown[], patch: unknown[], schema: PatchSchema, strategy: string, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (strategy !== 'merge' && !isDeleteList) return patch;
  return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
}

function mergeSlice(original: unknown[], patch: unknown[], schema: PatchSchema, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let orig = original;
  let items = patch;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const gone = new Set(patch);
      return original.filter((v) => !gone.has(v));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') throw errCannotMergeWithoutKey();
    [orig, items] = withSpecialElements(original, patch as JsonMap[], mergeKey);
    merged = withoutSpecialElements(orig, items as JsonMap[], mergeKey, schema);
  }
  const [patchItems, serverOnly] = partitionByPresence(merged, items, kind === 'map' ? mergeKey : '');
  return normalizeElementOrder(patchItems, serverOnly, items, orig, kind === 'map' ? mergeKey : '', kind);
}

/** Applies `$patch` elements: deletions by merge key, or `replace` (the patch's other elements become the list). */
function withSpecialElements(original: unknown[], patch: JsonMap[], mergeKey: string): [unknown[], unknown[]] {
  let orig = original;
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    if (!(DIRECTIVE in v)) {
      plain.push(v);
      continue;
    }
    switch (v[DIRECTIVE]) {
      case 'delete': {
        if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
        orig = orig.filter((e, i) => {
          if (!isPlainObject(e)) throw errNotAMapElement(i);
          return !(mergeKey in e && e[mergeKey] === v[mergeKey]);
        });
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw errListMergeNotSupported();
      default:
        throw errBadPatchType(v[DIRECTIVE], v);
    }
  }
  return replace ? [plain, []] : [orig, plain];
}

function withoutSpecialElements(original: unknown[], patch: JsonMap[], mergeKey: string, schema: PatchSchema): unknown[] {
  const out = [...original];
  for (const v of patch) {
    if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
    const at = out.findIndex((e, i) => {
      if (!isPlainObject(e)) throw errNotAMapElement(i);
      return mergeKey in e && e[mergeKey] === v[mergeKey];
    });
    if (at >= 0) out[at] = strategicMergeMap(out[at] as JsonMap, v, schema);
    else out.push(v);
  }
  return out;
}

/**
 * Handles every `$setElementOrder/<list>` of the patch: merges that list
 * now (removing it from the patch) and orders the result by the directive.
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: PatchSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('list', order);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = listKey in original;
    const foundPatch = listKey in patch;
    const origList = original[listKey];
    const patchList = patch[listKey];
    if (foundOriginal && !Array.isArray(origList)) throw errBadArgType('list', origList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType('list', patchList);
    const origValue = (origList ?? []) as unknown[];
    const patchValue = (patchList ?? []) as unknown[];
    const { schema: sub, meta } = schema.lookupForSlice(listKey);
    validatePatchWithOrder(patchValue, order, meta.mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = origValue;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchValue).value as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(origValue, patchValue, sub, meta.strategy, meta.mergeKey, false);
    else continue;
    const [patchItems, serverOnly] = partitionByPresence(merged, order, meta.mergeKey);
    const kind = elementKind(origValue, patchValue);
    original[listKey] = normalizeElementOrder(patchItems, serverOnly, order, origValue, meta.mergeKey, kind);
    delete patch[listKey];
  }
}

/** The patch's elements (deletions aside) appear in the order list, in its order. */
function validatePatchWithOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let rest = patchList;
  if (mergeKey !== '') {
    for (const v of patchList) if (!isPlainObject(v)) throw errBadArgType('map', v);
    rest = patchList.filter((v) => !(isPlainObject(v) && v[DIRECTIVE] === 'delete'));
  }
  let pi = 0;
  let oi = 0;
  while (pi < rest.length && oi < order.length) {
    const item = rest[pi];
    if (isPlainObject(item) && DIRECTIVE in item) {
      pi++;
      continue;
    }
    if (keyValueEqual(item, order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < rest.length && oi >= order.length) throw errOrderMismatch(patchList, order);
}

function keyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isPlainObject(left)) throw errBadArgType('map', left);
  if (!isPlainObject(right)) throw errBadArgType('map', right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function isDirectiveKey(k: string): boolean {
  return k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);
}

/**
 * Removes what upstream's typed decoding would drop from the result:
 * directive keys at any depth, and `$`-keys a message does not declare.
 */
export function sanitize(v: unknown, schema: PatchSchema): void {
  if (Array.isArray(v)) {
    for (const x of v) sanitize(x, schema);
    return;
  }
  if (!isPlainObject(v)) return;
  const msg = schema.message;
  for (const [k, x] of Object.entries(v)) {
    if (isDirectiveKey(k) || (k.startsWith('$') && msg && !msg.field(k))) {
      delete v[k];
      continue;
    }
    if (Array.isArray(x)) sanitize(x, schema.lookupForSlice(k).schema);
    else if (isPlainObject(x)) sanitize(x, schema.lookupForMap(k).schema);
  }
}
