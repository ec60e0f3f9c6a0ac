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
import { canonicalJson, childType, elementPathElement, isObjectShape, shapeOf, type TypeDesc } from './type-info.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

type Shape = ReturnType<typeof shapeOf>;

/*
 * Types and shapes are pure functions of the schema graph, which never
 * changes: a struct field's type and every type's shape are computed once.
 */
const fieldTypes = new WeakMap<object, Map<string, TypeDesc>>();
const shapes = new WeakMap<TypeDesc, Shape>();

function shapeOfCached(t: TypeDesc): Shape {
  let s = shapes.get(t);
  if (!s) {
    s = shapeOf(t);
    shapes.set(t, s);
  }
  return s;
}

function childTypeCached(shape: Shape, name: string): TypeDesc {
  if (shape.kind !== 'struct') return childType(shape, name);
  let byName = fieldTypes.get(shape.msg);
  if (!byName) {
    byName = new Map();
    fieldTypes.set(shape.msg, byName);
  }
  const hit = byName.get(name);
  if (hit && hit.graph === shape.graph) return hit;
  const t = childType(shape, name);
  if (t.field) byName.set(name, t);
  return t;
}

type ListShape = Extract<Shape, { kind: 'list' }>;
const keyNames = new WeakMap<ListShape, { name: string; json: string }[] | null>();

/** elementPathElement, with an associative list's key names sorted and quoted once per shape. */
function elementPE(shape: ListShape, item: unknown): PathElement {
  if (shape.mode !== 'map' || !isPlainObject(item)) return elementPathElement(shape, item);
  let names = keyNames.get(shape);
  if (names === undefined) {
    const sorted = [...new Set(shape.keys)].sort();
    names = sorted.includes('__proto__') ? null : sorted.map((name) => ({ name, json: JSON.stringify(name) }));
    keyNames.set(shape, names);
  }
  if (names === null) return elementPathElement(shape, item);
  let out = 'k:{';
  let sep = '';
  for (const { name, json } of names) {
    const v = item[name];
    if (v === undefined || v === null) continue;
    out += `${sep}${json}:${canonicalJson(v)}`;
    sep = ',';
  }
  return `${out}}`;
}

/** Own enumerable, as Object.keys lists them. */
const isOwnKey = (o: object, k: string): boolean => Object.prototype.propertyIsEnumerable.call(o, k);

function mark(set: FieldSet, v: unknown, t: TypeDesc, path: PathElement[], removed: boolean): void {
  const shape = shapeOfCached(t);
  if (isObjectShape(shape) && isPlainObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0 || removed || shape.kind === 'map') set.insert(path);
    for (const k of keys) {
      path.push(`f:${k}`);
      mark(set, v[k], childTypeCached(shape, k), path, removed);
      path.pop();
    }
    return;
  }
  if (shape.kind === 'list' && Array.isArray(v)) {
    if (removed || v.length === 0) set.insert(path);
    for (const item of v) {
      path.push(elementPE(shape, item));
      set.insert(path);
      mark(set, item, shape.items, path, removed);
      path.pop();
    }
    return;
  }
  set.insert(path);
}

function index(shape: ListShape, list: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const item of list) m.set(elementPE(shape, item), item);
  return m;
}

/**
 * Walks both values with one path stack (copied only where a path is
 * inserted). Equal subtrees contribute nothing, so identical references and
 * deep-equal lists are skipped without naming their elements.
 */
export function compare(lhs: unknown, rhs: unknown, type: TypeDesc): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const path: PathElement[] = [];
  const walk = (l: unknown, r: unknown, t: TypeDesc): void => {
    if (l === r) return;
    if (l === undefined) return mark(out.added, r, t, path, false);
    if (r === undefined) return mark(out.removed, l, t, path, true);
    // Distinct scalars, or a scalar against an object, differ whatever the type.
    if (typeof l !== 'object' || typeof r !== 'object' || l === null || r === null) return out.modified.insert(path);
    const shape = shapeOfCached(t);
    if (isObjectShape(shape) && isPlainObject(l) && isPlainObject(r)) {
      const lk = Object.keys(l);
      const rk = Object.keys(r);
      for (const k of lk) {
        path.push(`f:${k}`);
        walk(l[k], r[k], childTypeCached(shape, k));
        path.pop();
      }
      for (let i = 0; i < rk.length; i++) {
        const k = rk[i]!;
        // Keys in the same place (the usual case) were walked above.
        if (lk[i] === k || isOwnKey(l, k)) continue;
        path.push(`f:${k}`);
        walk(l[k], r[k], childTypeCached(shape, k));
        path.pop();
      }
      return;
    }
    if (shape.kind === 'list' && Array.isArray(l) && Array.isArray(r)) {
      if (deepEqual(l, r)) return;
      const li = index(shape, l);
      const ri = index(shape, r);
      const visit = (pe: string): void => {
        path.push(pe);
        // An element that appears or goes is itself added or removed.
        if (!li.has(pe)) out.added.insert(path);
        walk(li.get(pe), ri.get(pe), shape.items);
        path.pop();
      };
      for (const pe of li.keys()) visit(pe);
      for (const pe of ri.keys()) if (!li.has(pe)) visit(pe);
      return;
    }
    if (!deepEqual(l, r)) out.modified.insert(path);
  };
  walk(lhs, rhs, type);
  return out;
}
