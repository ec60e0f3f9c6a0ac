/**
 * The hashes ControllerRevisions and DaemonSet pods are named and labelled
 * with, as upstream's pkg/controller/history and controller.ComputeHash:
 * - FNV-1 (history) or FNV-1a (pod template) 32-bit over the object,
 *   optionally followed by the collision count, printed in decimal and
 *   passed through rand.SafeEncodeString (digits mapped onto consonants and
 *   digits that cannot spell words);
 * - revision names are `<parent>-<hash>`, the parent name cut to 223
 *   characters so the name stays a valid DNS subdomain.
 * Why not byte-identical to upstream: Go hashes its own encoding of the
 * object; we hash canonical JSON (keys sorted), which is stable across
 * restarts of this server, and that is the property the controllers need.
 * Pure.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_PREFIX = 223;

/** JSON with object keys sorted at every level; undefined members dropped. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** FNV-1 (multiply, then xor) 32-bit, as Go's hash/fnv New32. */
export function fnv1_32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/** FNV-1a (xor, then multiply) 32-bit, as Go's hash/fnv New32a. */
export function fnv1a_32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = (h ^ b) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** rand.SafeEncodeString: each byte replaced by a letter of a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** history.HashControllerRevision: FNV-1 of the data, then the probe in decimal. */
export function hashControllerRevision(data: unknown, probe?: number): string {
  let bytes = utf8(canonicalJson(data));
  if (probe !== undefined) bytes = concat(bytes, utf8(String(probe)));
  return safeEncodeString(String(fnv1_32(bytes)));
}

/** controller.ComputeHash: FNV-1a of the pod template, then the collision count as 8 little-endian bytes. */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let bytes = utf8(canonicalJson(template));
  if (collisionCount !== undefined) {
    const cc = new Uint8Array(8);
    new DataView(cc.buffer).setUint32(0, collisionCount >>> 0, true);
    bytes = concat(bytes, cc);
  }
  return safeEncodeString(String(fnv1a_32(bytes)));
}

/** history.ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_PREFIX ? prefix.slice(0, MAX_PREFIX) : prefix}-${hash}`;
}
