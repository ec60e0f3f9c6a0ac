import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSelectorError, formatFieldSelector, matchesFields, parseFieldSelector } from './field-selector.js';

describe('field selectors', () => {
  const fields: Record<string, string> = { 'metadata.name': 'web-0', 'spec.nodeName': 'n1', 'status.phase': 'Running', 'x': 'a,b=c' };
  const get = (f: string) => fields[f] ?? '';
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=web-0', true],
    ['metadata.name==web-0', true],
    ['metadata.name!=web-0', false],
    ['status.phase!=Succeeded,status.phase!=Failed,spec.nodeName=n1', true],
    ['spec.nodeName=n1,metadata.name=web-1', false],
    ['spec.nodeName=', false],
    ['missing=', true],
    ['x=a\\,b\\=c', true],
  ];
  for (const [sel, want] of cases) {
    test(`${JSON.stringify(sel)} ${want ? 'matches' : 'does not match'}`, () => {
      assert.equal(matchesFields(parseFieldSelector(sel), get), want);
    });
  }

  test('terms keep their order and values round-trip through formatting', () => {
    const reqs = parseFieldSelector('b!=2,a=x\\,y');
    assert.deepEqual(reqs, [
      { field: 'b', operator: '!=', value: '2' },
      { field: 'a', operator: '=', value: 'x,y' },
    ]);
    assert.deepEqual(parseFieldSelector(formatFieldSelector(reqs)), reqs);
  });

  for (const bad of ['foo', 'a=b,c', '=x', 'a=\\q']) {
    test(`${JSON.stringify(bad)} is rejected`, () => {
      assert.throws(() => parseFieldSelector(bad), FieldSelectorError);
    });
  }

  test('the error names the selector and the term', () => {
    assert.throws(() => parseFieldSelector('a=b,foo'), { message: "invalid selector: 'a=b,foo'; can't understand 'foo'" });
  });
});
