/**
 * Compares two versions of an object by type (upstream typed.Compare):
 * which paths were added, modified or removed. Ownership moves with these
 * sets: the writer gains added and modified fields, every other manager
 * loses them and the removed ones, and an applier conflicts with managers
 * owning a field it adds or modifies.
 *
 * Added subtrees contribute every field below them, plus membership of the
 * list elements and granular maps they create (so `f:labels` carries `.`
 * as upstream); removed subtrees contribute every path in them.
 */
import { isPlainObject } from '../../api/meta.js';
import { deepEqual } from '../rest/deep-equal.js';
import { FieldSet, type PathElement } from './field-set.js';
import { childType, elementPathElement, isObjectShape, shapeOf, type TypeDesc } from './type-info.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function mark(set: FieldSet, v: unknown, t: TypeDesc, path: PathElement[], removed: boolean): void {
  const shape = shapeOf(t);
  if (isObjectShape(shape) && isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0 || removed || shape.kind === 'map') set.insert(path);
    for (const k of keys) mark(set, v[k], childType(shape, k), [...path, `f:${k}`], removed);
    return;
  }
  if (shape.kind === 'list' && Array.isArray(v)) {
    if (removed || v.length === 0) set.insert(path);
    for (const item of v) {
      const p = [...path, elementPathElement(shape, item)];
      set.insert(p);
      mark(set, item, shape.items, p, removed);
    }
    return;
  }
  set.insert(path);
}

function index(shape: Extract<ReturnType<typeof shapeOf>, { kind: 'list' }>, list: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) m.set(elementPathElement(shape, item), item);
  return m;
}

export function compare(lhs: unknown, rhs: unknown, type: TypeDesc): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const walk = (l: unknown, r: unknown, t: TypeDesc, path: PathElement[]): void => {
    if (l === undefined && r === undefined) return;
    if (l === undefined) return mark(out.added, r, t, path, false);
    if (r === undefined) return mark(out.removed, l, t, path, true);
    const shape = shapeOf(t);
    if (isObjectShape(shape) && isPlainObject(l) && isPlainObject(r)) {
      for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) walk(l[k], r[k], childType(shape, k), [...path, `f:${k}`]);
      return;
    }
    if (shape.kind === 'list' && Array.isArray(l) && Array.isArray(r)) {
      const li = index(shape, l);
      const ri = index(shape, r);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) {
        const p = [...path, pe];
        // An element that appears or goes is itself added or removed.
        if (!li.has(pe)) out.added.insert(p);
        walk(li.get(pe), ri.get(pe), shape.items, p);
      }
      return;
    }
    if (!deepEqual(l, r)) out.modified.insert(path);
  };
  walk(lhs, rhs, type, []);
  return out;
}
