/**
 * Upstream's common tie-break for controller-owned objects: older first by
 * creationTimestamp, then by name, so every sort is total and stable across
 * controllers and restarts. Pure.
 */
import type { KubeObject } from '../../api/meta.js';

export function byCreationThenName(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
