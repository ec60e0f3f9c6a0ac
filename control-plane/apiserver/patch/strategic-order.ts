/**
 * Element order of merged lists in strategic merge patch, as upstream
 * orders them: items named by the patch (or its `$setElementOrder` list)
 * take the patch's order; items only the server has keep the live order;
 * the two runs are interleaved so that both relative orders hold, a
 * server-only item going before a patch item only when the live list had
 * it before that item. Precedence: `$setElementOrder` > patch order > live
 * order.
 *
 * Lists are of maps (identified by their merge key) or of scalars
 * (identified by value); `kind` says which.
 */
import { isPlainObject } from '../../api/meta.js';
import { errBadArgType, errNoMergeKey, errNotAMapElement } from './strategic-errors.js';

export type ElementKind = 'map' | 'scalar';

function identity(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'map') return item;
  return isPlainObject(item) ? item[mergeKey] : undefined;
}

/** Position of an item in a list, by merge key value (maps) or value (scalars); -1 if absent. */
export function indexIn(list: readonly unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const want = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === want);
}

/** Every item of every list is a map carrying the merge key. */
export function validateMergeKeyInLists(mergeKey: string, ...lists: (readonly unknown[])[]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isPlainObject(item)) throw errBadArgType('map', item);
      if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** Sorts `toSort` by the positions of its items in `order`; `$patch: delete` markers go last. */
export function normalizeSliceOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let items = toSort;
  let deletions: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    items = toSort.filter((v) => !(isPlainObject(v) && v.$patch === 'delete'));
    deletions = toSort.filter((v) => isPlainObject(v) && v.$patch === 'delete');
  }
  // Stable sort by position; items absent from `order` keep their place after the ordered ones.
  const ranked = items.map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey, kind) }));
  ranked.sort((a, b) => {
    const ra = a.at < 0 ? Number.MAX_SAFE_INTEGER : a.at;
    const rb = b.at < 0 ? Number.MAX_SAFE_INTEGER : b.at;
    return ra - rb || a.i - b.i;
  });
  return [...ranked.map((r) => r.v), ...deletions];
}

/**
 * Interleaves server-only items (`left`, in live order) with patch items
 * (`right`, in patch order): a left item goes first only when both are in
 * the live list and it came earlier there.
 */
export function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/** Splits `merged` into the items present in `by` and the server-only rest (both in merged order). */
export function partitionByPresence(merged: readonly unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  if (mergeKey === '') {
    const present = new Set(by);
    for (const v of merged) (present.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  for (const v of merged) {
    if (!isPlainObject(v)) throw errBadArgType('map', v);
    if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
    let found = false;
    by.forEach((o, idx) => {
      if (found) return;
      if (!isPlainObject(o)) throw errNotAMapElement(idx);
      if (mergeKey in o && o[mergeKey] === v[mergeKey]) found = true;
    });
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}
