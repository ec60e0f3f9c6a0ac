/**
 * Associative-list keys the applied configuration leaves to defaulting.
 * Upstream names a list element by all its key fields, taking a missing
 * one from the schema's default (a container port applied without
 * `protocol` is `k:{"containerPort":80,"protocol":"TCP"}`). Our schema has
 * no defaults, so a missing key field is taken from the one live element
 * that agrees on the fields present. The completed value is attached as a
 * non-enumerable property: it names the element but is neither merged,
 * serialised nor owned by the applier, as upstream's default is not.
 */
import { isPlainObject } from '../../api/meta.js';
import { childType, isObjectShape, shapeOf, type TypeDesc } from './type-info.js';

export function completeKeys(config: unknown, live: unknown, type: TypeDesc): void {
  const shape = shapeOf(type);
  if (isObjectShape(shape) && isPlainObject(config) && isPlainObject(live)) {
    for (const k of Object.keys(config)) completeKeys(config[k], live[k], childType(shape, k));
    return;
  }
  if (shape.kind !== 'list' || shape.mode !== 'map' || !Array.isArray(config) || !Array.isArray(live)) return;
  for (const item of config) {
    if (!isPlainObject(item)) continue;
    const missing = shape.keys.filter((k) => item[k] === undefined || item[k] === null);
    const present = shape.keys.filter((k) => !missing.includes(k));
    const candidates = live.filter((l) => isPlainObject(l) && present.every((k) => l[k] === item[k]));
    const match = candidates.length === 1 ? candidates[0] : undefined;
    if (isPlainObject(match)) {
      for (const k of missing) {
        if (match[k] !== undefined && !(k in item)) Object.defineProperty(item, k, { value: match[k], enumerable: false, configurable: true });
      }
      completeKeys(item, match, shape.items);
    }
  }
}
