/**
 * JSON Patch (RFC 6902): add, remove, replace, move, copy and test, with
 * JSON Pointer (RFC 6901) paths. Applies to a deep copy and returns it; the
 * input is never modified. Malformed patches throw JsonPatchFormatError
 * (the REST layer answers 400), operations that cannot apply throw
 * JsonPatchApplyError (422), as upstream distinguishes decode from apply.
 */
import { deepEqual } from '../rest/deep-equal.js';

export class JsonPatchFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchFormatError';
  }
}

export class JsonPatchApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchApplyError';
  }
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a decoded patch document. */
export function decodeJsonPatch(doc: unknown): JsonPatchOperation[] {
  if (!Array.isArray(doc)) throw new JsonPatchFormatError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return doc.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new JsonPatchFormatError(`operation ${i} is not an object`);
    const o = raw as Record<string, unknown>;
    if (typeof o.op !== 'string' || !OPS.has(o.op)) throw new JsonPatchFormatError(`Unexpected kind: ${String(o.op)}`);
    if (typeof o.path !== 'string') throw new JsonPatchFormatError(`operation ${i} (${o.op}) is missing path`);
    if ((o.op === 'move' || o.op === 'copy') && typeof o.from !== 'string') throw new JsonPatchFormatError(`operation ${i} (${o.op}) is missing from`);
    if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) {
      throw new JsonPatchFormatError(`operation ${i} (${o.op}) is missing value`);
    }
    return o as unknown as JsonPatchOperation;
  });
}

export function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchApplyError(`invalid JSON pointer: ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(token: string, length: number, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchApplyError(`invalid array index ${JSON.stringify(token)} in ${path}`);
  const i = Number(token);
  if (forAdd ? i > length : i >= length) throw new JsonPatchApplyError(`index out of range: ${path}`);
  return i;
}

/** The container holding the last token of a path, and that token. */
function parentOf(doc: unknown, tokens: string[], path: string, op: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as string;
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, path)];
    else if (isContainer(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
  if (!isContainer(cur)) throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function getAt(doc: unknown, path: string, op: string): unknown {
  let cur: unknown = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, path)];
    else if (isContainer(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
  return cur;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, path, 'add');
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, path), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, path: string, op = 'remove'): { doc: unknown; removed: unknown } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new JsonPatchApplyError(`${op} operation does not apply: cannot remove the whole document`);
  const { parent, key } = parentOf(doc, tokens, path, op);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false, path);
    const [removed] = parent.splice(i, 1);
    return { doc, removed };
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) {
    throw new JsonPatchApplyError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
  const removed = parent[key];
  delete parent[key];
  return { doc, removed };
}

/** Applies the operations in order to a copy of `doc`. */
export function applyJsonPatch(doc: unknown, ops: readonly JsonPatchOperation[]): unknown {
  let out: unknown = structuredClone(doc);
  for (const o of ops) {
    switch (o.op) {
      case 'add':
        out = add(out, o.path, structuredClone(o.value));
        break;
      case 'remove':
        out = remove(out, o.path).doc;
        break;
      case 'replace': {
        getAt(out, o.path, 'replace');
        const tokens = parsePointer(o.path);
        if (tokens.length === 0) {
          out = structuredClone(o.value);
          break;
        }
        const { parent, key } = parentOf(out, tokens, o.path, 'replace');
        if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false, o.path)] = structuredClone(o.value);
        else parent[key] = structuredClone(o.value);
        break;
      }
      case 'move': {
        const from = o.from as string;
        if (o.path !== from && (o.path + '/').startsWith(from + '/')) {
          throw new JsonPatchApplyError(`move operation does not apply: cannot move ${JSON.stringify(from)} into its own child ${JSON.stringify(o.path)}`);
        }
        const r = remove(out, from, 'move');
        out = add(r.doc, o.path, r.removed);
        break;
      }
      case 'copy':
        out = add(out, o.path, structuredClone(getAt(out, o.from as string, 'copy')));
        break;
      case 'test': {
        const actual = getAt(out, o.path, 'test');
        if (!deepEqual(actual, o.value)) throw new JsonPatchApplyError(`testing value ${o.path} failed: test failed`);
        break;
      }
    }
  }
  return out;
}
