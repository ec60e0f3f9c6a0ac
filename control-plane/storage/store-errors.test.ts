import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkValueSize, MAX_VALUE_BYTES, prefixEnd, tooOldRevision } from './store-errors.js';

test('prefixEnd bounds exactly the keys that start with the prefix', () => {
  const end = prefixEnd('/registry/pods/');
  for (const k of ['/registry/pods/a', '/registry/pods/\u00ff/x', '/registry/pods/~~~']) assert.ok(k >= '/registry/pods/' && k < end, k);
  for (const k of ['/registry/podsx/a', '/registry/pods0', '/registry/pod']) assert.ok(!(k >= '/registry/pods/' && k < end), k);
  assert.equal(prefixEnd('a\uffff'), 'b');
});

test('values are measured in UTF-8 bytes against the 3 MiB limit', () => {
  assert.doesNotThrow(() => checkValueSize('x'.repeat(MAX_VALUE_BYTES)));
  assert.throws(() => checkValueSize('x'.repeat(MAX_VALUE_BYTES + 1)), { status: 413, reason: 'RequestEntityTooLarge' });
  // 2 bytes per character in UTF-8: over the limit although the string is short enough.
  assert.throws(() => checkValueSize('é'.repeat(MAX_VALUE_BYTES / 2 + 1)), { status: 413 });
});

test('an expired revision reads like upstream', () => {
  const e = tooOldRevision(1004, 2000);
  assert.equal(e.message, 'too old resource version: 1004 (2000)');
  assert.equal(e.status, 410);
  assert.equal(e.reason, 'Expired');
});
