/**
 * Key-level errors shared by the Store implementations.
 *
 * Every failure a Store reports is a catalogue ApiError (api/errors.ts).
 * Messages name the storage key, not the resource: the REST layer rewrites
 * NotFound, AlreadyExists and Conflict with the resource and object name.
 * Expired keeps upstream's wording (`too old resource version: N (M)`)
 * because it travels unchanged to clients in watch ERROR events.
 */
import { ApiError, expired, timeout, tooLarge, badRequest } from '../api/errors.js';

/**
 * The largest value a Store accepts. etcd's default request limit is
 * 1.5 MiB; the apiserver itself caps request bodies at 3 MiB, so SQLite
 * applies that bound and etcd reports its own (smaller) limit as the same
 * 413.
 */
export const MAX_VALUE_BYTES = 3 * 1024 * 1024;

export function keyNotFound(key: string): ApiError {
  return new ApiError('SKIFF_NOT_FOUND', `key "${key}" not found`);
}

export function keyExists(key: string): ApiError {
  return new ApiError('SKIFF_ALREADY_EXISTS', `key "${key}" already exists`);
}

export function keyConflict(key: string, expected: number, actual: number): ApiError {
  return new ApiError(
    'SKIFF_CONFLICT',
    `key "${key}" has been modified: expected revision ${expected}, found ${actual}`,
  );
}

/** A list or watch asked for history that compaction has removed. */
export function tooOldRevision(requested: number, compacted: number): ApiError {
  return expired(`too old resource version: ${requested} (${compacted})`);
}

/** A list asked for a revision the store has not reached (upstream answers 504 Timeout too). */
export function futureRevision(requested: number, current: number): ApiError {
  return timeout(`Too large resource version: ${requested}, current: ${current}`);
}

export function compactFuture(requested: number, current: number): ApiError {
  return badRequest(`cannot compact to revision ${requested}: the current revision is ${current}`);
}

export function valueTooLarge(bytes?: number, limit = MAX_VALUE_BYTES): ApiError {
  const detail = bytes === undefined ? '' : ` (value is ${bytes} bytes)`;
  return tooLarge(`Request entity too large: limit is ${limit}${detail}`);
}

/** Throws 413 when a value exceeds MAX_VALUE_BYTES (UTF-8 bytes, as stored). */
export function checkValueSize(value: string): void {
  // Cheap pre-check: a JS string never encodes to more than 3 bytes per code unit.
  if (value.length * 3 <= MAX_VALUE_BYTES) return;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) throw valueTooLarge(bytes);
}

/**
 * The exclusive upper bound of the key range `[prefix, end)` holding every
 * key that starts with `prefix` (etcd's "prefix + 1"). Keys compare as
 * UTF-8 bytes in both backends; bumping the last UTF-16 code unit gives the
 * right bound for the ASCII keys the apiserver uses.
 */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10FFFF}';
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xffff) return prefixEnd(prefix.slice(0, -1));
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
