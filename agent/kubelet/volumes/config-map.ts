/**
 * configMap volumes (upstream pkg/volume/configmap MakePayload): every
 * key of data and binaryData as a file with defaultMode, or only the
 * listed items (key → path, per-item mode). A listed key that is missing
 * fails (`configmap references non-existent config key: K`) unless the
 * volume is optional; a missing optional ConfigMap projects nothing.
 */
import type { KubeObject } from '../../../control-plane/api/meta.js';
import { num, objs, rec, str } from '../../../control-plane/api/resources/fields.js';
import type { FileProjection, Payload } from './atomic-writer.js';

/** Files from a data map; binary values are base64 (binaryData, Secret data). */
export function keyedPayload(
  entries: Map<string, Buffer>,
  items: unknown,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Payload {
  const out: Payload = new Map();
  const list = objs(items);
  if (list.length === 0) {
    for (const [k, data] of entries) out.set(k, { data, mode: defaultMode });
    return out;
  }
  for (const item of list) {
    const key = str(item.key) ?? '';
    const data = entries.get(key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(missingKey(key));
    }
    const f: FileProjection = { data, mode: num(item.mode) ?? defaultMode };
    out.set(str(item.path) ?? key, f);
  }
  return out;
}

export function configMapEntries(cm: KubeObject | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(rec(cm?.data) ?? {})) if (typeof v === 'string') out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(rec(cm?.binaryData) ?? {})) if (typeof v === 'string') out.set(k, Buffer.from(v, 'base64'));
  return out;
}

export function configMapPayload(cm: KubeObject | undefined, items: unknown, defaultMode: number, optional: boolean): Payload {
  return keyedPayload(configMapEntries(cm), items, defaultMode, optional, (k) => `configmap references non-existent config key: ${k}`);
}
