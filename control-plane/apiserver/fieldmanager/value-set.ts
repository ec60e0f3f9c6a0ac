/**
 * The field set of a value (upstream typed.ToFieldSet) and the expansion of
 * a set to the named struct fields above its members (upstream
 * Set.EnsureNamedFieldsAreMembers), both driven by the value's type.
 *
 * ToFieldSet's rules: scalars, atomic values and empty objects are members;
 * non-empty structs and maps are only the sum of their fields; every
 * element of a set or associative list is a member itself, with its fields
 * below it; empty lists contribute nothing.
 */
import { isPlainObject } from '../../api/meta.js';
import { FieldSet, type PathElement } from './field-set.js';
import { childType, elementPathElement, isObjectShape, shapeOf, DEDUCED, type Shape, type TypeDesc } from './type-info.js';

/** The type below one path element of a value of `shape`. */
export function typeBelow(shape: Shape, pe: PathElement): TypeDesc {
  if (pe.startsWith('f:') && isObjectShape(shape)) return childType(shape, pe.slice(2));
  if (shape.kind === 'list' && (pe.startsWith('k:') || pe.startsWith('v:'))) return shape.items;
  return DEDUCED;
}

export function toFieldSet(value: unknown, type: TypeDesc): FieldSet {
  const set = new FieldSet();
  const walk = (v: unknown, t: TypeDesc, path: PathElement[]): void => {
    const shape = shapeOf(t);
    if (isObjectShape(shape) && isPlainObject(v)) {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined);
      if (keys.length === 0) set.insert(path);
      for (const k of keys) walk(v[k], childType(shape, k), [...path, `f:${k}`]);
      return;
    }
    if (shape.kind === 'list' && Array.isArray(v)) {
      for (const item of v) {
        const p = [...path, elementPathElement(shape, item)];
        walk(item, shape.items, p);
        set.insert(p);
      }
      return;
    }
    set.insert(path);
  };
  walk(value, type, []);
  return set;
}

/** The set plus every named struct field on the way to its members. */
export function withNamedFields(set: FieldSet, type: TypeDesc): FieldSet {
  const walk = (node: FieldSet, t: TypeDesc): FieldSet => {
    const shape = shapeOf(t);
    const out = new FieldSet();
    out.member = node.member;
    for (const [pe, c] of node.children) {
      const child = walk(c, typeBelow(shape, pe));
      if (shape.kind === 'struct' && pe.startsWith('f:') && shape.msg.field(pe.slice(2))) child.member = true;
      out.children.set(pe, child);
    }
    return out;
  };
  const out = walk(set, type);
  out.member = false;
  return out;
}
