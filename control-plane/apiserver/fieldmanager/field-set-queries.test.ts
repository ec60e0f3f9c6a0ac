import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, fieldsV1Covers, fieldsV1Overlaps, isCanonicalFieldsV1, type PathElement } from './field-set.js';

/** A random set over a small alphabet, so that random sets share paths. */
function randomSet(rnd: (n: number) => number): FieldSet {
  const alphabet: PathElement[] = ['f:a', 'f:b', 'k:{"name":"x"}', 'v:"s"', 'i:2', 'i:10'];
  const s = new FieldSet();
  for (let i = rnd(6); i > 0; i--) {
    const path: PathElement[] = [];
    for (let d = 1 + rnd(4); d > 0; d--) path.push(alphabet[rnd(alphabet.length)]!);
    s.insert(path);
  }
  return s;
}

function rng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
}

describe('FieldSet queries and canonical FieldsV1', () => {
  test('overlaps is true exactly when the intersection has a member', () => {
    const rnd = rng(3);
    for (let i = 0; i < 500; i++) {
      const a = randomSet(rnd);
      const b = randomSet(rnd);
      assert.equal(a.overlaps(b), !a.intersection(b).isEmpty());
    }
  });

  test('covers is true exactly when nothing of the other set is left after removing this one', () => {
    const rnd = rng(5);
    for (let i = 0; i < 500; i++) {
      const a = randomSet(rnd);
      const b = rnd(3) === 0 ? a.intersection(randomSet(rnd)) : randomSet(rnd);
      assert.equal(a.covers(b), b.difference(a).isEmpty());
    }
  });

  test('a member below a non-member is not covered by its parent alone', () => {
    const a = FieldSet.of(['f:spec']);
    assert.ok(!a.covers(FieldSet.of(['f:spec', 'f:replicas'])));
    assert.ok(FieldSet.of(['f:spec', 'f:replicas']).covers(FieldSet.of(['f:spec', 'f:replicas'])));
    assert.ok(!FieldSet.of(['f:spec', 'f:replicas']).overlaps(FieldSet.of(['f:spec'])));
  });

  test('what toFieldsV1 writes is canonical, and decoding and encoding it gives the same JSON text', () => {
    const rnd = rng(11);
    for (let i = 0; i < 300; i++) {
      const fields = randomSet(rnd).toFieldsV1();
      assert.ok(isCanonicalFieldsV1(fields), JSON.stringify(fields));
      assert.equal(JSON.stringify(FieldSet.fromFieldsV1(fields).toFieldsV1()), JSON.stringify(fields));
    }
  });

  test('FieldsV1 that encodes differently from how it reads is not canonical', () => {
    const notCanonical: unknown[] = [
      { 'f:b': {}, 'f:a': {} },
      { 'k:{"name":"x"}': {}, 'f:a': {} },
      { 'i:10': {}, 'i:2': {} },
      { 'f:a': { 'f:x': {}, '.': {} } },
      { 'f:a': { '.': {} } },
      { 'f:a': { '.': { x: {} }, 'f:x': {} } },
      { '.': {}, 'f:a': {} },
      { 'f:a': 1 },
      { 'f:a': [] },
      { 'f:a': null },
      [],
      'f:a',
    ];
    for (const v of notCanonical) {
      assert.ok(!isCanonicalFieldsV1(v), JSON.stringify(v));
      const s = FieldSet.fromFieldsV1(v);
      assert.ok(isCanonicalFieldsV1(s.toFieldsV1()));
    }
    assert.ok(isCanonicalFieldsV1({ 'f:a': { '.': {}, 'f:x': {} }, 'k:{"name":"x"}': {}, 'i:2': {}, 'i:10': {} }));
    assert.ok(isCanonicalFieldsV1({}));
  });

  test('queries on canonical FieldsV1 answer as the decoded set does', () => {
    const rnd = rng(17);
    for (let i = 0; i < 500; i++) {
      const a = randomSet(rnd);
      const b = randomSet(rnd);
      const raw = a.toFieldsV1();
      assert.equal(fieldsV1Overlaps(raw, b), a.overlaps(b));
      assert.equal(fieldsV1Covers(raw, b), a.covers(b));
      assert.equal(fieldsV1Covers(raw, a), true);
    }
  });
});
