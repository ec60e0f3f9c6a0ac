import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import {
  chooseUpdateRevision,
  CONTROLLER_REVISION_HASH_LABEL,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  sortRevisions,
  templateOfRevision,
  templatePatch,
  type ControllerRevision,
} from './controller-revision.js';
import { canonicalJson, computeTemplateHash, controllerRevisionName, fnv1_32, fnv1a_32, hashControllerRevision, safeEncodeString } from './revision-hash.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const parent: KubeObject = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true };
const tmpl = (image: string): unknown => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

describe('revision hashing', () => {
  it('computes FNV-1 and FNV-1a as Go hash/fnv does', () => {
    assert.equal(fnv1_32(bytes('')), 0x811c9dc5);
    assert.equal(fnv1_32(bytes('a')), 0x050c5d7e);
    assert.equal(fnv1a_32(bytes('a')), 0xe40c292c);
    assert.equal(fnv1a_32(bytes('foobar')), 0xbf9cf968);
  });

  it('encodes digits with the vowel-free alphabet of rand.SafeEncodeString', () => {
    assert.equal(safeEncodeString('0123'), '4567');
    assert.match(hashControllerRevision({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('hashes canonical JSON, so key order does not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
    assert.equal(hashControllerRevision({ x: 1, y: 2 }), hashControllerRevision({ y: 2, x: 1 }));
    assert.equal(computeTemplateHash(tmpl('a')), computeTemplateHash(structuredClone(tmpl('a'))));
  });

  it('gives a different name for each collision count', () => {
    const h0 = hashControllerRevision({ x: 1 }, 0);
    const h1 = hashControllerRevision({ x: 1 }, 1);
    assert.notEqual(h0, h1);
    assert.notEqual(computeTemplateHash(tmpl('a'), 0), computeTemplateHash(tmpl('a'), 1));
    assert.notEqual(computeTemplateHash(tmpl('a')), computeTemplateHash(tmpl('b')));
  });

  it('names revisions <parent>-<hash>, cutting long parent names to 223 characters', () => {
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
    assert.equal(controllerRevisionName('x'.repeat(300), 'abc').length, 223 + 4);
  });
});

describe('controller revisions', () => {
  it('stores the template as a replacing patch and restores it exactly', () => {
    const data = templatePatch(tmpl('nginx:1'));
    assert.equal(data.spec.template.$patch, 'replace');
    const rev = newControllerRevision(parent, ref, { app: 'web' }, data, 1, 0);
    assert.deepEqual(templateOfRevision(rev), tmpl('nginx:1'));
  });

  it('labels a new revision with the template labels and its hash, owned by the parent', () => {
    const rev = newControllerRevision(parent, ref, { app: 'web' }, templatePatch(tmpl('nginx:1')), 3, 0);
    const hash = rev.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    assert.equal(rev.metadata.name, `web-${hash}`);
    assert.equal(rev.metadata.labels?.app, 'web');
    assert.equal(rev.metadata.namespace, 'ns');
    assert.equal(rev.revision, 3);
    assert.equal(rev.metadata.ownerReferences?.[0]?.uid, 'u1');
  });

  it('orders revisions by number, then creation time, then name, and numbers the next one', () => {
    const r = (name: string, revision: number, ts = '2026-01-01T00:00:00Z'): ControllerRevision => ({ metadata: { name, creationTimestamp: ts }, revision });
    const sorted = sortRevisions([r('c', 2), r('b', 1, '2026-01-02T00:00:00Z'), r('a', 1)]);
    assert.deepEqual(
      sorted.map((x) => x.metadata.name),
      ['a', 'b', 'c'],
    );
    assert.equal(nextRevision(sorted), 3);
    assert.equal(nextRevision([]), 1);
  });

  it('finds revisions with equal data regardless of their numbers', () => {
    const a = newControllerRevision(parent, ref, {}, templatePatch(tmpl('a')), 1, 0);
    const b = newControllerRevision(parent, ref, {}, templatePatch(tmpl('b')), 2, 0);
    const a2 = newControllerRevision(parent, ref, {}, templatePatch(tmpl('a')), 7, 0);
    assert.ok(equalRevision(a, a2));
    assert.ok(!equalRevision(a, b));
    assert.deepEqual(findEqualRevisions([a, b], a2), [a]);
  });

  it('reuses the latest revision, renumbers an older equal one (rollback) or asks for a new one', () => {
    const a = newControllerRevision(parent, ref, {}, templatePatch(tmpl('a')), 1, 0);
    const b = newControllerRevision(parent, ref, {}, templatePatch(tmpl('b')), 2, 0);
    const candidate = (image: string) => newControllerRevision(parent, ref, {}, templatePatch(tmpl(image)), 3, 0);
    assert.deepEqual(chooseUpdateRevision([a, b], candidate('b')), { action: 'reuse', revision: b });
    assert.deepEqual(chooseUpdateRevision([a, b], candidate('a')), { action: 'renumber', revision: a, to: 3 });
    assert.deepEqual(chooseUpdateRevision([a, b], candidate('c')), { action: 'create' });
    assert.deepEqual(chooseUpdateRevision([], candidate('c')), { action: 'create' });
  });
});
