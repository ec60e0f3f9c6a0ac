/**
 * The errors of strategic merge patch, with upstream's messages
 * (apimachinery mergepatch and strategicpatch). Malformed directives and
 * patches answer 400 BadRequest; a list of lists and a patch whose content
 * contradicts its `$retainKeys` answer 422, as upstream's
 * interpretStrategicMergePatchError does. Upstream answers its remaining
 * patch errors (missing merge key, unknown `$patch` value) as reason-less
 * 500s; Skiff answers them 400 BadRequest, since the fault is the
 * request's.
 *
 * goFormat renders values as Go's `%v` does, so messages read as
 * upstream's: `map[image:x name:web]`, `[a b]`, `<nil>`.
 */
import { ApiError, badRequest } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';

export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's reflect type name of a decoded JSON value, for "expected a …" messages. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isPlainObject(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v;
}

export const errBadPatchFormatForPrimitiveList = (): ApiError => badRequest('invalid patch format of primitive list');
export const errBadPatchFormatForRetainKeys = (): ApiError => badRequest('invalid patch format of retainKeys');
export const errBadPatchFormatForSetElementOrderList = (): ApiError => badRequest('invalid patch format of setElementOrder list');

export function errNoListOfLists(): ApiError {
  return new ApiError('SKIFF_INVALID', 'lists of lists are not supported');
}

export function errNoMergeKey(m: unknown, key: string): ApiError {
  return badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

export function errBadPatchType(t: unknown, m: unknown): ApiError {
  return badRequest(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);
}

/** `expected a []interface {}, but received a string`. */
export function errBadArgType(expected: 'map' | 'list', actual: unknown): ApiError {
  const want = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  return badRequest(`expected a ${want}, but received a ${goTypeName(actual)}`);
}

export function errListMergeNotSupported(): ApiError {
  return badRequest('merging lists cannot yet be specified in the patch');
}

export function errCannotMergeWithoutKey(): ApiError {
  return badRequest('cannot merge lists without merge key for type map');
}

export function errElementTypesDiffer(lists: unknown[][]): ApiError {
  return badRequest(`list element types are not identical: ${goFormat(lists)}`);
}

export function errNoElements(): ApiError {
  return badRequest('no elements in any of the given slices');
}

export function errOrderMismatch(patchList: unknown, orderList: unknown): ApiError {
  return badRequest(`the order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(orderList)}`);
}

export function errNotAMapElement(index: number): ApiError {
  return badRequest(`value for key ${index} is not a map.`);
}
