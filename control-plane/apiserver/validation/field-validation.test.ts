import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import { schemaFromSources } from '../../api/schema/proto-schema.js';
import { FIXTURE_PROTOS } from '../openapi/fixture-protos.js';
import { fieldValidationDirective, validatePatchedFields, validateWriteFields, warningHeader } from './field-validation.js';

const graph = schemaFromSources(FIXTURE_PROTOS);
const pod = { group: '', version: 'v1', kind: 'Pod' };

function podWith(extra: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { any: 'thing' } }, spec: { containers: [{ name: 'c', image: 'i', ...extra }] } };
}

test('Strict rejects unknown and duplicate fields with upstream wording', () => {
  const obj = podWith({ foo: 1 });
  (obj.spec as Record<string, unknown>).bar = true;
  const body = Buffer.from('{"metadata":{"name":"p","name":"p"}}');
  assert.throws(
    () => validateWriteFields(pod, { fieldValidation: 'Strict' }, obj, body, 'application/json', 'create', graph),
    (e: unknown) =>
      isApiError(e) &&
      e.status === 400 &&
      e.message === 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].foo", unknown field "spec.bar", duplicate field "metadata.name"',
  );
});

test('Warn (the default) returns one Warning header per problem and drops unknown fields', () => {
  const obj = podWith({ foo: 1 });
  const warnings = validateWriteFields(pod, {}, obj, undefined, 'application/json', 'create', graph);
  assert.deepEqual(warnings, ['299 - "unknown field \\"spec.containers[0].foo\\""']);
  assert.deepEqual((obj.spec as { containers: Record<string, unknown>[] }).containers[0], { name: 'c', image: 'i' });
});

test('Ignore reports nothing but still drops unknown fields; valid objects pass untouched', () => {
  const obj = podWith({ foo: 1 });
  assert.deepEqual(validateWriteFields(pod, { fieldValidation: 'Ignore' }, obj, undefined, undefined, 'update', graph), []);
  assert.equal('foo' in (obj.spec as { containers: Record<string, unknown>[] }).containers[0]!, false);
  const ok = podWith({ ports: [{ containerPort: 80, hostPortName: 'x' }] });
  const copy = structuredClone(ok);
  assert.deepEqual(validateWriteFields(pod, { fieldValidation: 'Strict' }, ok, undefined, undefined, 'create', graph), []);
  assert.deepEqual(ok, copy);
});

test('metadata is checked, map values and special types are not walked', () => {
  const obj = podWith({ resources: { limits: { cpu: '1', 'example.com/any': 2 } } });
  (obj.metadata as Record<string, unknown>).nmae = 'typo';
  (obj.metadata as Record<string, unknown>).managedFields = [{ manager: 'm', fieldsV1: { 'f:spec': {} } }];
  assert.throws(() => validateWriteFields(pod, { fieldValidation: 'Strict' }, obj, undefined, undefined, 'create', graph), /unknown field "metadata.nmae"$/);
});

test('kinds without a schema are not checked', () => {
  const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: {}, spec: { anything: 1 } };
  assert.deepEqual(validateWriteFields({ group: 'example.com', version: 'v1', kind: 'Widget' }, { fieldValidation: 'Strict' }, obj, undefined, undefined, 'create', graph), []);
});

test('patches report only unknown fields they introduce, without the create prefix', () => {
  const before = podWith({});
  (before.spec as Record<string, unknown>).legacy = 1;
  const after = structuredClone(before);
  (after.spec as Record<string, unknown>).foo = 'x';
  assert.throws(
    () => validatePatchedFields(pod, { fieldValidation: 'Strict' }, before, after, Buffer.from('{"spec":{"foo":"x"}}'), 'application/merge-patch+json', graph),
    (e: unknown) => isApiError(e) && e.message === 'strict decoding error: unknown field "spec.foo"',
  );
  const again = structuredClone(before);
  assert.deepEqual(validatePatchedFields(pod, { fieldValidation: 'Strict' }, before, again, Buffer.from('{}'), 'application/merge-patch+json', graph), []);
  assert.equal('legacy' in (again.spec as Record<string, unknown>), false, 'unknown fields are dropped from the result');
});

test('an unsupported directive is 422 Invalid, and warning text is escaped', () => {
  assert.equal(fieldValidationDirective({ fieldValidation: 'Strict' }, 'create'), 'Strict');
  assert.throws(() => fieldValidationDirective({ fieldValidation: 'strict' }, 'patch'), (e: unknown) => isApiError(e) && e.status === 422 && /PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict"/.test(e.message));
  assert.equal(warningHeader('a "b" \\c'), '299 - "a \\"b\\" \\\\c"');
});
