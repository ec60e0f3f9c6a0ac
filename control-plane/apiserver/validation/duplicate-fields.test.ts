import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateJsonFields, duplicateYamlFields } from './duplicate-fields.js';

test('the JSON scanner reports duplicate keys with their paths, arrays indexed', () => {
  const text = '{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x"},{"name":"y","image":"i","image":"j"}]},"kind":"Pod","kind":"Pod"}';
  assert.deepEqual(duplicateJsonFields(text), ['metadata.name', 'spec.containers[1].image', 'kind']);
});

test('the JSON scanner handles escapes, numbers, literals and whitespace without false findings', () => {
  const text = ' { "a\\"b" : [1, -2.5e3, true, false, null, "x\\\\"], "c": {}, "d": [], "a\\u0022b2": {"e": "}"} } ';
  assert.deepEqual(duplicateJsonFields(text), []);
  assert.deepEqual(duplicateJsonFields('{"k":1,"k\\u0000":2,"k":3}'), ['k']);
});

test('malformed JSON yields no findings (the decoder reports it)', () => {
  assert.deepEqual(duplicateJsonFields('{"a":1,"a":'), []);
  assert.deepEqual(duplicateJsonFields('{"a" 1}'), []);
});

test('duplicate keys in YAML are reported with their paths', () => {
  const text = 'metadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: x\n    name: y\n';
  assert.deepEqual(duplicateYamlFields(text), ['metadata.name', 'spec.containers[0].name']);
  assert.deepEqual(duplicateYamlFields('a: 1\nb: 2\n'), []);
});
