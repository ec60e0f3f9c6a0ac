import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { compare } from './compare.js';
import { FieldSet } from './field-set.js';
import { capUpdateManagers, managerKey, resetFields, stripMeta, type ManagerEntry } from './managed-fields.js';
import { comparable, updateManagedFields, type WriteInfo } from './update-op.js';
import { deploymentType } from './testdata/schema.js';

const w = (manager: string, now: string, extra: Partial<WriteInfo> = {}): WriteInfo => ({
  type: deploymentType,
  manager,
  apiVersion: 'apps/v1',
  subresource: '',
  hasStatusSubresource: true,
  now,
  ...extra,
});

type Entry = Record<string, unknown>;

function deploy(spec: Record<string, unknown>, status?: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  const obj: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...meta }, spec };
  if (status) obj.status = status;
  return obj;
}
const tpl = (...containers: Record<string, unknown>[]) => ({ template: { metadata: { labels: { app: 'web' } }, spec: { containers } } });
const clone = <T>(v: T): T => structuredClone(v);

/** Records a write on `next` (as the REST writer does) and returns it. */
function write(old: KubeObject | undefined, next: KubeObject, info: WriteInfo): KubeObject {
  const mf = updateManagedFields(old, next, info);
  if (mf) next.metadata.managedFields = mf;
  else delete next.metadata.managedFields;
  return next;
}

const entries = (obj: KubeObject): Entry[] => (obj.metadata.managedFields ?? []) as Entry[];
const entryOf = (list: Entry[] | undefined, manager: string): Entry | undefined => list?.find((e) => e.manager === manager);

/** The straightforward computation: every entry decoded, moved through the set operations and encoded again. */
function reference(old: KubeObject | undefined, next: KubeObject, info: WriteInfo): Entry[] | undefined {
  const decode = (v: unknown): Map<string, ManagerEntry> | undefined => {
    if (!Array.isArray(v)) return undefined;
    const out = new Map<string, ManagerEntry>();
    for (const raw of v as unknown[]) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
      const r = raw as Entry;
      const e: ManagerEntry = {
        manager: typeof r.manager === 'string' ? r.manager : '',
        operation: r.operation === 'Apply' ? 'Apply' : 'Update',
        apiVersion: typeof r.apiVersion === 'string' ? r.apiVersion : '',
        subresource: typeof r.subresource === 'string' ? r.subresource : '',
        set: FieldSet.fromFieldsV1(r.fieldsV1),
      };
      if (typeof r.time === 'string') e.time = r.time;
      const prev = out.get(managerKey(e));
      if (prev) prev.set = prev.set.union(e.set);
      else out.set(managerKey(e), e);
    }
    return out;
  };
  const sent = info.subresource === '' ? decode(next.metadata.managedFields) : undefined;
  const list = sent && sent.size > 0 ? sent : (decode(old?.metadata.managedFields) ?? new Map<string, ManagerEntry>());
  const cmp = compare(comparable(old), comparable(next), info.type);
  const changed = resetFields(stripMeta(cmp.added.union(cmp.modified)), info.subresource, info.hasStatusSubresource);
  for (const e of list.values()) e.set = e.set.difference(changed).difference(cmp.removed);
  if (!changed.isEmpty()) {
    const id = { manager: info.manager, operation: 'Update' as const, apiVersion: info.apiVersion, subresource: info.subresource };
    const prev = list.get(managerKey(id));
    list.set(managerKey(id), { ...id, time: info.now, set: (prev?.set ?? new FieldSet()).union(changed) });
  }
  for (const [k, e] of list) if (e.set.isEmpty()) list.delete(k);
  capUpdateManagers(list);
  const secs = (t: string | undefined): number => (t && !Number.isNaN(Date.parse(t)) ? Math.floor(Date.parse(t) / 1000) : 0);
  const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...list.values()].sort(
    (p, q) =>
      cmpStr(p.operation, q.operation) ||
      secs(p.time) - secs(q.time) ||
      cmpStr(p.manager, q.manager) ||
      cmpStr(p.apiVersion, q.apiVersion) ||
      cmpStr(p.subresource, q.subresource),
  );
  if (sorted.length === 0) return undefined;
  return sorted.map((e) => {
    const out: Entry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** The same JSON, key order included, as the straightforward computation. */
function assertAsReference(old: KubeObject | undefined, next: KubeObject, info: WriteInfo): Entry[] | undefined {
  const expected = reference(clone(old), clone(next), info);
  const got = updateManagedFields(old, next, info);
  assert.equal(JSON.stringify(got), JSON.stringify(expected));
  return got;
}

/** A deployment created by a controller, scaled by an autoscaler and with status from a status writer. */
function history(): KubeObject {
  const created = write(undefined, deploy({ replicas: 1, paused: false, ...tpl({ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }) }, undefined, { labels: { app: 'web' } }), w('creator', '2025-01-01T00:00:00Z'));
  const scaled = write(created, { ...clone(created), spec: { ...clone(created.spec as Record<string, unknown>), replicas: 3 } }, w('autoscaler', '2025-01-01T00:00:05Z'));
  const statused = clone(scaled);
  statused.status = { replicas: 3, observed: 1 };
  return write(scaled, statused, w('status-writer', '2025-01-01T00:00:10Z', { subresource: 'status' }));
}

describe('managedFields of non-apply writes: untouched entries are written back as they came', () => {
  test('a status write leaves the other managers\' fieldsV1 deep-equal to what was stored (same JSON text)', () => {
    const old = history();
    const next = clone(old);
    next.status = { replicas: 2, observed: 2 };
    const before = entries(old);
    const got = assertAsReference(old, next, w('status-writer', '2025-01-01T00:01:00Z', { subresource: 'status' }))!;
    for (const m of ['creator', 'autoscaler']) {
      assert.equal(JSON.stringify(entryOf(got, m)?.fieldsV1), JSON.stringify(entryOf(before, m)?.fieldsV1));
      assert.equal(entryOf(got, m)?.fieldsV1, entryOf(before, m)?.fieldsV1, `${m}'s fieldsV1 is reused, not re-encoded`);
    }
  });

  test('the writer that already owned every changed field keeps its fieldsV1; only its time moves', () => {
    const old = history();
    const next = clone(old);
    next.status = { replicas: 5, observed: 9 };
    const got = assertAsReference(old, next, w('status-writer', '2025-01-01T00:02:00Z', { subresource: 'status' }))!;
    const mine = entryOf(got, 'status-writer')!;
    assert.equal(mine.time, '2025-01-01T00:02:00Z');
    assert.equal(mine.fieldsV1, entryOf(entries(old), 'status-writer')?.fieldsV1);
    assert.deepEqual(
      got.map((e) => e.manager),
      ['creator', 'autoscaler', 'status-writer'],
    );
  });

  test('a manager that loses a field is re-encoded without it', () => {
    const old = history();
    const next = clone(old);
    (next.spec as Record<string, unknown>).paused = true;
    const got = assertAsReference(old, next, w('pauser', '2025-01-01T00:03:00Z'))!;
    const creator = entryOf(got, 'creator')!;
    assert.notEqual(creator.fieldsV1, entryOf(entries(old), 'creator')?.fieldsV1);
    assert.equal((creator.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']!['f:paused'], undefined);
    assert.deepEqual(entryOf(got, 'pauser')?.fieldsV1, { 'f:spec': { 'f:paused': {} } });
    // A client that sends managedFields back has its own list kept: its untouched entries are reused.
    assert.equal(entryOf(got, 'autoscaler')?.fieldsV1, entryOf(entries(next), 'autoscaler')?.fieldsV1);
  });

  test('a removed field leaves its owner, whose entry is re-encoded or dropped when empty', () => {
    const old = history();
    const next = clone(old);
    delete next.status;
    const got = assertAsReference(old, next, w('status-writer', '2025-01-01T00:04:00Z', { subresource: 'status' }))!;
    assert.equal(entryOf(got, 'status-writer'), undefined);
    assert.equal(entryOf(got, 'creator')?.fieldsV1, entryOf(entries(old), 'creator')?.fieldsV1);
  });

  test('fieldsV1 that is not in canonical form (key order, `.` with content, scalar leaves) is re-encoded', () => {
    const old = history();
    const raw = entries(old);
    const creator = entryOf(raw, 'creator')!;
    const spec = (creator.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec']!;
    creator.fieldsV1 = { 'f:spec': Object.fromEntries(Object.entries(spec).reverse()), 'f:metadata': { 'f:labels': { '.': { x: 1 }, 'f:app': 1 } } };
    const next = clone(old);
    next.status = { replicas: 1 };
    const got = assertAsReference(old, next, w('status-writer', '2025-01-01T00:05:00Z', { subresource: 'status' }))!;
    const out = entryOf(got, 'creator')!;
    assert.notEqual(out.fieldsV1, creator.fieldsV1);
    assert.deepEqual(Object.keys(out.fieldsV1 as object), ['f:metadata', 'f:spec']);
  });

  test('duplicate entries of one manager are united and re-encoded', () => {
    const old = history();
    const raw = entries(old);
    const creator = entryOf(raw, 'creator')!;
    old.metadata.managedFields = [...raw, { ...creator, fieldsV1: { 'f:spec': { 'f:strategy': {} } } }] as typeof old.metadata.managedFields;
    const next = clone(old);
    next.status = { replicas: 4 };
    delete next.metadata.managedFields;
    const got = assertAsReference(old, next, w('status-writer', '2025-01-01T00:06:00Z', { subresource: 'status' }))!;
    assert.ok(((entryOf(got, 'creator')!.fieldsV1 as Record<string, Record<string, unknown>>)['f:spec'] ?? {})['f:strategy']);
  });

  test('randomized writes give exactly what the straightforward computation gives', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const managers = Array.from({ length: 13 }, (_, i) => `m${i}`);
    for (let run = 0; run < 40; run++) {
      let obj = history();
      for (let step = 0; step < 15; step++) {
        const next = clone(obj);
        const spec = next.spec as Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[] } } };
        switch (rnd(7)) {
          case 0:
            spec.replicas = rnd(4);
            break;
          case 1:
            spec.template.spec.containers.push({ name: `c${rnd(5)}`, image: 'x' });
            break;
          case 2:
            if (spec.template.spec.containers.length > 1) spec.template.spec.containers.shift();
            break;
          case 3:
            next.status = { replicas: rnd(3), ...(rnd(2) ? { ready: rnd(2) } : {}) };
            break;
          case 4:
            next.metadata.labels = rnd(2) ? { app: 'web', tier: `${rnd(2)}` } : {};
            break;
          case 5:
            spec.template.spec.containers[0] = { ...spec.template.spec.containers[0], image: `img${rnd(3)}` };
            break;
          default:
            delete spec.paused;
        }
        const info = w(managers[rnd(managers.length)]!, `2025-01-01T00:${String(10 + step).padStart(2, '0')}:0${rnd(2)}Z`, {
          subresource: ['', 'status', 'scale'][rnd(3)]!,
          apiVersion: ['apps/v1', 'apps/v1beta2'][rnd(2)]!,
        });
        if (info.subresource === '' && rnd(5) === 0) delete next.metadata.managedFields;
        const got = assertAsReference(obj, next, info);
        if (got) next.metadata.managedFields = got;
        else delete next.metadata.managedFields;
        obj = next;
      }
    }
  });
});
