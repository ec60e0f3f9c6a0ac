import assert from 'node:assert/strict';
import { it } from 'node:test';
import { semanticEqual } from './semantic-equal.js';

it('ignores key order and undefined-valued keys but not array order or values', () => {
  assert.equal(semanticEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), true);
  assert.equal(semanticEqual({ a: 1, x: undefined }, { a: 1 }), true);
  assert.equal(semanticEqual({ a: [1, 2] }, { a: [2, 1] }), false);
  assert.equal(semanticEqual({ a: 1 }, { a: '1' }), false);
  assert.equal(semanticEqual({ a: null }, { a: undefined }), false);
  assert.equal(semanticEqual([], {}), false);
});
