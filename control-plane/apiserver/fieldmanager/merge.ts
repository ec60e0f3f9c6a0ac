/**
 * Merging an applied configuration into a live object, and removing the
 * items of a field set from an object (upstream typed.Merge and
 * RemoveItems), by type: structs and granular maps merge field by field,
 * associative lists by key and sets by value (keeping the live order and
 * placing the configuration's elements as upstream's merge does), atomic
 * values are replaced whole. A `null` in the configuration unsets the
 * field.
 */
import { isPlainObject } from '../../api/meta.js';
import type { FieldSet } from './field-set.js';
import { typeBelow } from './value-set.js';
import { childType, elementPathElement, isObjectShape, shapeOf, type Shape, type TypeDesc } from './type-info.js';

function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

function mergeLists(shape: Extract<Shape, { kind: 'list' }>, l: unknown[], r: unknown[]): unknown[] {
  const lPEs = l.map((x) => elementPathElement(shape, x));
  const rPEs = r.map((x) => elementPathElement(shape, x));
  const lIndex = new Map(lPEs.map((pe, i) => [pe, l[i]] as const));
  const rIndex = new Map(rPEs.map((pe, i) => [pe, r[i]] as const));
  // The order of the elements both sides share follows the configuration.
  const shared = rPEs.filter((pe) => lIndex.has(pe));
  let s = 0;
  const done = new Set<string>();
  const out: unknown[] = [];
  let li = 0;
  let ri = 0;
  while (li < l.length || ri < r.length) {
    if (li < l.length && ri < r.length) {
      const pe = lPEs[li]!;
      if (pe === rPEs[ri]) {
        out.push(merge(l[li], r[ri], shape.items));
        done.add(pe);
        if (shared[s] === pe) s++;
        li++;
        ri++;
        continue;
      }
      if (rIndex.has(pe) && shared[s] !== undefined && shared[s] !== pe && !done.has(pe)) {
        li++;
        continue;
      }
    }
    if (li < l.length) {
      const pe = lPEs[li]!;
      if (!rIndex.has(pe)) {
        out.push(l[li]);
        li++;
        continue;
      }
      if (done.has(pe) || ri >= r.length) {
        li++;
        continue;
      }
    }
    const pe = rPEs[ri]!;
    if (!done.has(pe)) out.push(merge(lIndex.get(pe), rIndex.get(pe), shape.items));
    done.add(pe);
    if (shared[s] === pe) s++;
    ri++;
  }
  return out;
}

/** `config` merged over `live`; neither input is modified. `undefined` means "unset". */
export function merge(live: unknown, config: unknown, type: TypeDesc): unknown {
  if (config === undefined) return live;
  if (config === null) return undefined;
  if (live === undefined || live === null) return withoutNulls(structuredClone(config));
  const shape = shapeOf(type);
  if (isObjectShape(shape) && isPlainObject(live) && isPlainObject(config)) {
    const out: Record<string, unknown> = { ...live };
    for (const [k, v] of Object.entries(config)) {
      const m = merge(live[k], v, childType(shape, k));
      if (m === undefined) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  if (shape.kind === 'list' && Array.isArray(live) && Array.isArray(config)) return mergeLists(shape, live, config);
  return withoutNulls(structuredClone(config));
}

/** The value without the members of `set` (a member's whole subtree goes). */
export function removeItems(value: unknown, set: FieldSet, type: TypeDesc): unknown {
  const shape = shapeOf(type);
  if (isObjectShape(shape) && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const node = set.children.get(`f:${k}`);
      if (node?.member) continue;
      out[k] = node ? removeItems(v, node, typeBelow(shape, `f:${k}`)) : v;
    }
    return out;
  }
  if (shape.kind === 'list' && Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const node = set.children.get(elementPathElement(shape, item));
      if (node?.member) continue;
      out.push(node ? removeItems(item, node, shape.items) : item);
    }
    return out;
  }
  return value;
}
