import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compare } from './compare.js';
import { merge, removeItems } from './merge.js';
import { FieldSet } from './field-set.js';
import { toFieldSet, withNamedFields } from './value-set.js';
import { DEDUCED } from './type-info.js';
import { deploymentType as T } from './testdata/schema.js';

const containers = (...cs: Record<string, unknown>[]) => ({ spec: { template: { spec: { containers: cs } } } });
const specWith = (extra: Record<string, unknown>, ...cs: Record<string, unknown>[]) => ({ spec: { ...extra, template: { spec: { containers: cs } } } });

describe('field sets of values, by type', () => {
  const cases: { name: string; value: unknown; fields: Record<string, unknown> }[] = [
    { name: 'scalars are leaves', value: { spec: { replicas: 2, paused: false } }, fields: { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } } },
    {
      name: 'keyed list elements are members with their fields below',
      value: containers({ name: 'web', image: 'nginx' }),
      fields: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } },
    },
    {
      name: 'multi-key elements name every key, sorted',
      value: containers({ name: 'web', ports: [{ protocol: 'TCP', containerPort: 80 }] }),
      fields: {
        'f:spec': {
          'f:template': {
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } } },
              },
            },
          },
        },
      },
    },
    {
      name: 'atomic lists and atomic structs are leaves',
      value: specWith({ selector: { matchLabels: { app: 'x' } } }, { name: 'c', args: ['a', 'b'] }),
      fields: { 'f:spec': { 'f:selector': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {} } } } } } },
    },
    {
      name: 'set elements are v: members; granular map keys are fields',
      value: { metadata: { finalizers: ['a'], labels: { app: 'x' } } },
      fields: { 'f:metadata': { 'f:finalizers': { 'v:"a"': {} }, 'f:labels': { 'f:app': {} } } },
    },
    { name: 'empty objects are members', value: { spec: { strategy: {} } }, fields: { 'f:spec': { 'f:strategy': {} } } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = toFieldSet(c.value, T).toFieldsV1();
      assert.ok(FieldSet.fromFieldsV1(got).equals(FieldSet.fromFieldsV1(c.fields)), JSON.stringify(got));
    });
  }

  test('without a schema, objects are granular maps and lists atomic', () => {
    const got = toFieldSet({ spec: { a: { b: 1 }, l: [1, 2] } }, DEDUCED);
    assert.deepEqual(got.toFieldsV1(), { 'f:spec': { 'f:a': { 'f:b': {} }, 'f:l': {} } });
  });

  test('named struct fields above members become members; map keys do not', () => {
    const s = withNamedFields(FieldSet.of(['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:strategy', 'f:type']), T);
    assert.ok(s.has(['f:metadata']) && s.has(['f:metadata', 'f:labels']) && s.has(['f:spec', 'f:strategy']));
    assert.ok(!s.has(['f:metadata', 'f:labels', 'f:missing']));
  });
});

describe('compare', () => {
  test('added, modified and removed fields by type', () => {
    const before = { metadata: { labels: { a: '1', b: '2' } }, ...specWith({ replicas: 1 }, { name: 'a', image: 'x' }) };
    const after = {
      metadata: { labels: { a: '9' } },
      spec: { replicas: 1, paused: true, template: { spec: { containers: [{ name: 'a', image: 'y' }, { name: 'b' }] } } },
    };
    const c = compare(before, after, T);
    assert.deepEqual(c.modified.paths(), [['f:metadata', 'f:labels', 'f:a'], ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']]);
    assert.deepEqual(c.added.paths(), [
      ['f:spec', 'f:paused'],
      ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"b"}'],
      ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"b"}', 'f:name'],
    ]);
    assert.deepEqual(c.removed.paths(), [['f:metadata', 'f:labels', 'f:b']]);
  });

  test('a new granular map is a member itself (`.`), a new struct only through its fields', () => {
    const c = compare({}, { metadata: { labels: { app: 'x' } }, spec: { strategy: { type: 'Recreate' } } }, T);
    assert.deepEqual(c.added.toFieldsV1(), { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:strategy': { 'f:type': {} } } });
  });

  test('an atomic list that changes is one modified leaf', () => {
    const c = compare(containers({ name: 'a', args: ['1'] }), containers({ name: 'a', args: ['1', '2'] }), T);
    assert.deepEqual(c.modified.paths(), [['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}', 'f:args']]);
  });
});

describe('merge and removal', () => {
  const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
    { name: 'struct fields merge, config wins on scalars', live: { spec: { replicas: 1, paused: true } }, config: { spec: { replicas: 3 } }, want: { spec: { replicas: 3, paused: true } } },
    {
      name: 'keyed lists merge by key, keeping live-only elements',
      live: containers({ name: 'a', image: 'x', args: ['1'] }, { name: 'b', image: 'y' }),
      config: containers({ name: 'a', image: 'z' }),
      want: containers({ name: 'a', image: 'z', args: ['1'] }, { name: 'b', image: 'y' }),
    },
    {
      name: 'new keyed elements are placed after their predecessor in the configuration',
      live: containers({ name: 'a' }, { name: 'c' }),
      config: containers({ name: 'a' }, { name: 'b' }, { name: 'c' }),
      want: containers({ name: 'a' }, { name: 'b' }, { name: 'c' }),
    },
    { name: 'sets are unions', live: { metadata: { finalizers: ['a', 'b'] } }, config: { metadata: { finalizers: ['c', 'a'] } }, want: { metadata: { finalizers: ['c', 'a', 'b'] } } },
    { name: 'atomic lists are replaced', live: containers({ name: 'a', args: ['1', '2'] }), config: containers({ name: 'a', args: ['3'] }), want: containers({ name: 'a', args: ['3'] }) },
    { name: 'atomic structs are replaced', live: { spec: { selector: { matchLabels: { a: '1', b: '2' } } } }, config: { spec: { selector: { matchLabels: { c: '3' } } } }, want: { spec: { selector: { matchLabels: { c: '3' } } } } },
    { name: 'granular maps merge per key', live: { metadata: { labels: { a: '1' } } }, config: { metadata: { labels: { b: '2' } } }, want: { metadata: { labels: { a: '1', b: '2' } } } },
    { name: 'null unsets a field', live: { spec: { replicas: 1, paused: true } }, config: { spec: { paused: null } }, want: { spec: { replicas: 1 } } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(merge(c.live, c.config, T), c.want));

  test('removeItems drops whole subtrees of member paths: keyed elements, set values, fields', () => {
    const live = { metadata: { finalizers: ['a', 'b'] }, ...specWith({ replicas: 2, paused: true }, { name: 'a', image: 'x' }, { name: 'b' }) };
    const drop = FieldSet.of(['f:metadata', 'f:finalizers', 'v:"a"'], ['f:spec', 'f:replicas'], ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"a"}']);
    assert.deepEqual(removeItems(live, drop, T), {
      metadata: { finalizers: ['b'] },
      spec: { paused: true, template: { spec: { containers: [{ name: 'b' }] } } },
    });
  });
});
