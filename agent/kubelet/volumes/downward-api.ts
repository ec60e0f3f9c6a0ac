/**
 * downwardAPI volumes and projected downwardAPI sources (upstream
 * pkg/volume/downwardapi CollectData): each item is a file holding a
 * fieldRef value (metadata.name, namespace, uid, labels, annotations and
 * their ['key'] subscripts) or a resourceFieldRef value (containerName
 * required), with the item's mode or the volume's defaultMode.
 */
import { num, objs, rec, str } from '../../../control-plane/api/resources/fields.js';
import { podMetadataValue, resourceFieldValue, type Allocatable } from '../env-field-path.js';
import type { Pod } from '../pod-deps.js';
import type { Payload } from './atomic-writer.js';

export function downwardApiPayload(pod: Pod, items: unknown, defaultMode: number, allocatable?: Allocatable): Payload {
  const out: Payload = new Map();
  for (const item of objs(items)) {
    const path = str(item.path) ?? '';
    const mode = num(item.mode) ?? defaultMode;
    const fieldRef = rec(item.fieldRef);
    const resRef = rec(item.resourceFieldRef);
    let value = '';
    if (fieldRef) value = podMetadataValue(pod, str(fieldRef.fieldPath) ?? '');
    else if (resRef) value = resourceFieldValue(pod, undefined, resRef, allocatable);
    out.set(path, { data: Buffer.from(value, 'utf8'), mode });
  }
  return out;
}
