import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, stripPatchDirectives } from './merge-patch.js';

describe('JSON merge patch (RFC 7386)', () => {
  // The RFC's appendix examples.
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    test(`${JSON.stringify(target)} + ${JSON.stringify(patch)} = ${JSON.stringify(want)}`, () => {
      const before = structuredClone(target);
      assert.deepEqual(applyMergePatch(target, patch), want);
      assert.deepEqual(target, before, 'the target is not modified');
    });
  }
});

describe('strategic merge patch directives', () => {
  test('are removed at every depth, and delete markers in lists dropped', () => {
    const p = {
      metadata: { '$setElementOrder/finalizers': ['a'], '$deleteFromPrimitiveList/finalizers': ['b'], labels: { x: 'y' } },
      spec: { $retainKeys: ['type'], type: 'Recreate', containers: [{ name: 'a', $patch: 'merge' }, { $patch: 'delete', name: 'b' }] },
    };
    assert.deepEqual(stripPatchDirectives(p), {
      metadata: { labels: { x: 'y' } },
      spec: { type: 'Recreate', containers: [{ name: 'a' }] },
    });
  });
});
