import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, catalogue, conflict, notFound, type ErrorCode } from './errors.js';
import { invalid, required, invalidValue } from './field-errors.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

test('every catalogue code is documented in docs/errors.md and no unknown code is', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/`(SKIFF_[A-Z_]+)`/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(documented)].sort(), Object.keys(catalogue).sort());
});

test('each error becomes a Status with its catalogue code and reason', () => {
  for (const code of Object.keys(catalogue) as ErrorCode[]) {
    const s = new ApiError(code, 'm').toStatus();
    assert.equal(s.kind, 'Status');
    assert.equal(s.status, 'Failure');
    assert.equal(s.code, catalogue[code].status);
    assert.equal(s.reason, catalogue[code].reason);
  }
});

test('not found names the group-qualified resource as upstream does', () => {
  assert.equal(notFound({ group: '', resource: 'pods' }, 'nope').message, 'pods "nope" not found');
  assert.equal(notFound({ group: 'apps', resource: 'deployments' }, 'web').message, 'deployments.apps "web" not found');
  assert.deepEqual(notFound({ group: 'apps', resource: 'deployments' }, 'web').details, { name: 'web', group: 'apps', kind: 'deployments' });
});

test('conflict carries upstream\'s optimistic-concurrency message', () => {
  assert.equal(
    conflict({ group: '', resource: 'pods' }, 'web-0').message,
    'Operation cannot be fulfilled on pods "web-0": the object has been modified; please apply your changes to the latest version and try again',
  );
});

test('invalid lists one cause inline and several in brackets, with causes per field', () => {
  const one = invalid('Pod', 'p', [required('spec.containers[0].image')]);
  assert.equal(one.message, 'Pod "p" is invalid: spec.containers[0].image: Required value');
  assert.equal(one.status, 422);
  assert.deepEqual(one.details?.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
  const two = invalid('Deployment', 'd', [invalidValue('spec.replicas', -1, 'must be greater than or equal to 0'), required('spec.selector')], 'apps');
  assert.equal(two.message, 'Deployment "d" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]');
  assert.equal(two.details?.group, 'apps');
});
