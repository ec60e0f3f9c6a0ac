import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, decodeJsonPatch, JsonPatchApplyError, JsonPatchFormatError, type JsonPatchOperation } from './json-patch.js';

const doc = { a: { b: [1, 2], 'c/d': 1, 'e~f': 2 }, s: 'x' };
const run = (ops: unknown[]) => applyJsonPatch(doc, decodeJsonPatch(ops));

describe('JSON patch (RFC 6902)', () => {
  const ok: [string, JsonPatchOperation[], unknown][] = [
    ['add to an object', [{ op: 'add', path: '/n', value: 1 }], { ...doc, n: 1 }],
    ['add replaces an existing member', [{ op: 'add', path: '/s', value: 'y' }], { ...doc, s: 'y' }],
    ['add inserts into an array', [{ op: 'add', path: '/a/b/0', value: 0 }], { ...doc, a: { ...doc.a, b: [0, 1, 2] } }],
    ['add appends with -', [{ op: 'add', path: '/a/b/-', value: 3 }], { ...doc, a: { ...doc.a, b: [1, 2, 3] } }],
    ['remove', [{ op: 'remove', path: '/s' }], { a: doc.a }],
    ['escaped tokens', [{ op: 'remove', path: '/a/c~1d' }, { op: 'replace', path: '/a/e~0f', value: 3 }], { ...doc, a: { b: [1, 2], 'e~f': 3 } }],
    ['move', [{ op: 'move', from: '/s', path: '/t' }], { a: doc.a, t: 'x' }],
    ['copy', [{ op: 'copy', from: '/a/b', path: '/c' }], { ...doc, c: [1, 2] }],
    ['test passes on deep equality', [{ op: 'test', path: '/a/b', value: [1, 2] }], doc],
    ['replace the whole document', [{ op: 'replace', path: '', value: { z: 1 } }], { z: 1 }],
  ];
  for (const [name, ops, want] of ok) {
    test(name, () => assert.deepEqual(run(ops), want));
  }

  test('the input is never modified', () => {
    const before = structuredClone(doc);
    run([{ op: 'remove', path: '/a/b/0' }]);
    assert.deepEqual(doc, before);
  });

  const applyErrors: [string, unknown[]][] = [
    ['test fails', [{ op: 'test', path: '/s', value: 'y' }]],
    ['remove of a missing member', [{ op: 'remove', path: '/nope' }]],
    ['replace of a missing member', [{ op: 'replace', path: '/nope', value: 1 }]],
    ['add below a missing parent', [{ op: 'add', path: '/x/y', value: 1 }]],
    ['array index out of range', [{ op: 'add', path: '/a/b/5', value: 1 }]],
    ['move into its own child', [{ op: 'move', from: '/a', path: '/a/z' }]],
    ['a non-pointer path', [{ op: 'add', path: 'x', value: 1 }]],
  ];
  for (const [name, ops] of applyErrors) {
    test(`${name} cannot apply`, () => assert.throws(() => run(ops), JsonPatchApplyError));
  }

  const formatErrors: [string, unknown][] = [
    ['not an array', { op: 'add' }],
    ['unknown op', [{ op: 'frobnicate', path: '/a' }]],
    ['missing value', [{ op: 'add', path: '/a' }]],
    ['missing from', [{ op: 'move', path: '/a' }]],
  ];
  for (const [name, ops] of formatErrors) {
    test(`${name} is malformed`, () => assert.throws(() => decodeJsonPatch(ops), JsonPatchFormatError));
  }

  test('a failing operation leaves no partial result behind', () => {
    assert.throws(() => run([{ op: 'add', path: '/n', value: 1 }, { op: 'test', path: '/n', value: 2 }]));
    assert.equal((doc as Record<string, unknown>).n, undefined);
  });
});
