import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, computeHash, fnv32a, safeEncodeString } from './template-hash.js';

describe('template hash', () => {
  it('computes FNV-32a like Go hash/fnv', () => {
    assert.equal(fnv32a(new Uint8Array()), 0x811c9dc5);
    assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
    assert.equal(fnv32a(new TextEncoder().encode('foobar')), 0xbf9cf968);
  });

  it('safe-encodes with upstream alphabet (no vowels, no 0/1/3)', () => {
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
    assert.match(computeHash({ spec: { containers: [{ name: 'c', image: 'nginx' }] } }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('is stable across key order and empty fields, and changes with the template', () => {
    const a = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
    const b = { spec: { containers: [{ image: 'nginx:1', name: 'c' }], volumes: [] }, metadata: { annotations: {}, labels: { tier: 'fe', app: 'web' } } };
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.equal(computeHash(a), computeHash(b));
    assert.notEqual(computeHash(a), computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }));
  });

  it('changes with the collision count', () => {
    const t = { spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    assert.notEqual(computeHash(t), computeHash(t, 1));
    assert.notEqual(computeHash(t, 1), computeHash(t, 2));
    assert.equal(computeHash(t, 1), computeHash(t, 1));
  });
});
