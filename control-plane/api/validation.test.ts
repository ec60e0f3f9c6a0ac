import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from './field-errors.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  validateAnnotations,
  validateLabels,
} from './validation.js';
import { validatePositiveIntOrPercent, scaledValue } from './intstr.js';

describe('name syntax with upstream messages', () => {
  test('a DNS-1123 subdomain rejects upper case with the regex in the message', () => {
    assert.deepEqual(isDNS1123Subdomain('Foo'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.deepEqual(isDNS1123Subdomain('a.b-c'), []);
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  });

  test('a DNS-1123 label lists two examples, and dots get their own message', () => {
    assert.deepEqual(isDNS1123Label('My_ns'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('x'.repeat(64)), ['must be no more than 63 characters']);
  });

  test('a DNS-1035 label must start with a letter', () => {
    assert.equal(isDNS1035Label('1abc').length, 1);
    assert.match(isDNS1035Label('1abc')[0] ?? '', /^a DNS-1035 label must consist of/);
    assert.deepEqual(isDNS1035Label('abc-1'), []);
  });

  test('qualified names check prefix and name parts', () => {
    assert.deepEqual(isQualifiedName('example.com/MyName'), []);
    assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
    assert.equal(isQualifiedName('a/b/c').length, 1);
    assert.match(isQualifiedName('Bad_/x')[0] ?? '', /^prefix part a lowercase RFC 1123 subdomain/);
    assert.match(isQualifiedName('-x')[0] ?? '', /^name part must consist of alphanumeric characters/);
  });

  test('label values may be empty but not end in a dash', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.equal(isValidLabelValue('a-').length, 1);
  });
});

describe('labels and annotations', () => {
  test('invalid label keys and values are reported at metadata.labels', () => {
    const errs = validateLabels({ 'a b': 'x', ok: 'bad value' }, 'metadata.labels');
    assert.equal(errs.length, 2);
    assert.ok(errs.every((e) => e.field === 'metadata.labels'));
  });

  test('annotations over 256 KiB in total are too long', () => {
    const errs = validateAnnotations({ big: 'x'.repeat(262144) }, 'metadata.annotations');
    assert.deepEqual(errs.map(formatFieldError), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  });
});

describe('int-or-percent', () => {
  test('percent strings need a trailing %', () => {
    assert.deepEqual(validatePositiveIntOrPercent('25%', 'p'), []);
    assert.equal(validatePositiveIntOrPercent('25', 'p').length, 1);
    assert.deepEqual(validatePositiveIntOrPercent(-1, 'p').map(formatFieldError), ['p: Invalid value: -1: must be greater than or equal to 0']);
  });

  test('scaled values round as asked', () => {
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue('25%', 10, false), 2);
    assert.equal(scaledValue(4, 10, true), 4);
  });
});
