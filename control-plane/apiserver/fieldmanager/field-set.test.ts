import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString } from './field-set.js';

describe('FieldSet and FieldsV1', () => {
  const fields = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
    },
  };

  test('FieldsV1 round-trips: `.` marks members with children, `{}` member leaves', () => {
    const s = FieldSet.fromFieldsV1(fields);
    assert.ok(s.has(['f:metadata', 'f:labels']));
    assert.ok(s.has(['f:metadata', 'f:labels', 'f:app']));
    assert.ok(!s.has(['f:metadata']));
    assert.ok(s.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}']));
    assert.deepEqual(s.toFieldsV1(), fields);
  });

  test('union, difference and intersection work per member path', () => {
    const a = FieldSet.of(['f:spec', 'f:replicas'], ['f:spec', 'f:paused']);
    const b = FieldSet.of(['f:spec', 'f:paused'], ['f:metadata', 'f:labels', 'f:x']);
    assert.deepEqual(a.union(b).paths(), [['f:metadata', 'f:labels', 'f:x'], ['f:spec', 'f:paused'], ['f:spec', 'f:replicas']]);
    assert.deepEqual(a.difference(b).paths(), [['f:spec', 'f:replicas']]);
    assert.deepEqual(a.intersection(b).paths(), [['f:spec', 'f:paused']]);
    assert.ok(a.difference(a).isEmpty());
    assert.deepEqual(a.difference(a).toFieldsV1(), {});
  });

  test('removing a member keeps members below it', () => {
    const s = FieldSet.fromFieldsV1(fields).difference(FieldSet.of(['f:metadata', 'f:labels']));
    assert.deepEqual(s.toFieldsV1()['f:metadata'], { 'f:labels': { 'f:app': {} } });
  });

  const paths: [string[], string][] = [
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.containers[name="web"].image'],
    [['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.ports[containerPort=80,protocol="TCP"]'],
    [['f:metadata', 'f:finalizers', 'v:"a"'], '.metadata.finalizers[="a"]'],
    [['f:items', 'i:3'], '.items[3]'],
  ];
  for (const [p, s] of paths) {
    test(`a path prints as upstream does: ${s}`, () => assert.equal(pathString(p), s));
  }
});
