/**
 * secret volumes (upstream pkg/volume/secret MakePayload): as configMap
 * volumes, over the Secret's base64-decoded data; a missing listed key
 * fails with `references non-existent secret key: K` unless optional.
 * The volume directory is a tmpfs (see volume-manager.ts), so secret
 * bytes never reach the node's disk.
 */
import type { KubeObject } from '../../../control-plane/api/meta.js';
import { rec } from '../../../control-plane/api/resources/fields.js';
import type { Payload } from './atomic-writer.js';
import { keyedPayload } from './config-map.js';

export function secretEntries(secret: KubeObject | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(rec(secret?.data) ?? {})) if (typeof v === 'string') out.set(k, Buffer.from(v, 'base64'));
  return out;
}

export function secretPayload(secret: KubeObject | undefined, items: unknown, defaultMode: number, optional: boolean): Payload {
  return keyedPayload(secretEntries(secret), items, defaultMode, optional, (k) => `references non-existent secret key: ${k}`);
}
