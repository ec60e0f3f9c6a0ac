import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameValue } from './same-value.js';

describe('sameValue', () => {
  it('ignores key order, as a server that sorts keys echoes them', () => {
    assert.equal(sameValue({ a: 1, b: { c: [1, { d: 'x', e: 'y' }] } }, { b: { c: [1, { e: 'y', d: 'x' }] }, a: 1 }), true);
  });

  it('treats null, undefined and an absent key alike', () => {
    assert.equal(sameValue({ lastProbeTime: null, type: 'Ready' }, { type: 'Ready' }), true);
    assert.equal(sameValue(undefined, null), true);
  });

  it('tells different values, array order and lengths apart', () => {
    assert.equal(sameValue({ a: 1 }, { a: 2 }), false);
    assert.equal(sameValue([1, 2], [2, 1]), false);
    assert.equal(sameValue([1], [1, 2]), false);
    assert.equal(sameValue({}, []), false);
    assert.equal(sameValue('1', 1), false);
  });
});
