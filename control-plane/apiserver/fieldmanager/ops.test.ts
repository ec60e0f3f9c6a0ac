import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { applyToObject, LAST_APPLIED, type ApplyInfo } from './apply-op.js';
import { managerFromUserAgent } from './manager-name.js';
import { updateManagedFields, type WriteInfo } from './update-op.js';
import { deploymentType } from './testdata/schema.js';

const w = (manager: string, extra: Partial<WriteInfo> = {}): WriteInfo => ({
  type: deploymentType,
  manager,
  apiVersion: 'apps/v1',
  subresource: '',
  hasStatusSubresource: true,
  now: '2025-01-01T00:00:00Z',
  ...extra,
});
const a = (manager: string, extra: Partial<ApplyInfo> = {}): ApplyInfo => ({ ...w(manager), force: false, ...extra });

function deploy(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...meta }, spec };
}
const tpl = (...containers: Record<string, unknown>[]) => ({ template: { metadata: { labels: { app: 'web' } }, spec: { containers } } });

function entries(obj: KubeObject): Record<string, unknown>[] {
  return (obj.metadata.managedFields ?? []) as Record<string, unknown>[];
}
function fieldsOf(obj: KubeObject, manager: string): unknown {
  return entries(obj).find((e) => e.manager === manager)?.fieldsV1;
}

function conflictOf(fn: () => unknown): { message: string; causes: unknown } {
  try {
    fn();
  } catch (e) {
    if (isApiError(e) && e.code === 'SKIFF_CONFLICT') return { message: e.message, causes: e.details?.causes };
    throw e;
  }
  assert.fail('expected a conflict');
}

describe('managedFields of non-apply writes', () => {
  test('a create records an Update entry with every field the writer set, server metadata excluded', () => {
    const obj = deploy({ replicas: 2, ...tpl({ name: 'c', image: 'nginx' }) }, { uid: 'u', labels: { app: 'web' } });
    const mf = updateManagedFields(undefined, obj, w('kubectl-create'))!;
    assert.equal(mf.length, 1);
    assert.deepEqual(mf[0], {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2025-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:template': {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    });
  });

  test('ownership moves to the last writer; entries left empty disappear', () => {
    const v1 = deploy({ replicas: 2 });
    v1.metadata.managedFields = updateManagedFields(undefined, v1, w('a'));
    const v2 = deploy({ replicas: 3 }, { managedFields: v1.metadata.managedFields });
    const mf = updateManagedFields(v1, v2, w('b', { now: '2025-01-01T00:00:05Z' }))!;
    assert.deepEqual(mf.map((e) => e.manager), ['b']);
    assert.deepEqual(mf[0]?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  test('a write that changes nothing keeps the entries and their times', () => {
    const v1 = deploy({ replicas: 2 });
    v1.metadata.managedFields = updateManagedFields(undefined, v1, w('a'));
    const mf = updateManagedFields(v1, structuredClone(v1), w('b', { now: '2030-01-01T00:00:00Z' }));
    assert.deepEqual(mf, v1.metadata.managedFields);
  });

  test('client-sent managedFields replace the tracked set; [] keeps it; [{}] resets it', () => {
    const v1 = deploy({ replicas: 2 });
    v1.metadata.managedFields = updateManagedFields(undefined, v1, w('a'));
    const sent = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    assert.deepEqual(updateManagedFields(v1, deploy({ replicas: 2 }, { managedFields: sent }), w('p'))?.map((e) => e.manager), ['kubectl']);
    assert.deepEqual(updateManagedFields(v1, deploy({ replicas: 2 }, { managedFields: [] }), w('p'))?.map((e) => e.manager), ['a']);
    assert.equal(updateManagedFields(v1, deploy({ replicas: 2 }, { managedFields: [{}] }), w('p')), undefined);
  });

  test('status writes carry subresource status and own only .status; main writes never own status', () => {
    const v1 = deploy({ replicas: 2 });
    const v2 = { ...deploy({ replicas: 2 }), status: { replicas: 2 } };
    const mf = updateManagedFields(v1, v2, w('ctrl', { subresource: 'status' }))!;
    assert.equal(mf[0]?.subresource, 'status');
    assert.deepEqual(mf[0]?.fieldsV1, { 'f:status': { 'f:replicas': {} } });
    assert.equal(updateManagedFields(v1, v2, w('main')), undefined);
  });

  test('more than ten updaters fold the oldest into ancient-changes', () => {
    let obj = deploy({});
    for (let i = 0; i < 12; i++) {
      const next = deploy({}, { labels: { ...(obj.metadata.labels ?? {}), [`l${i}`]: 'x' }, managedFields: obj.metadata.managedFields });
      next.metadata.managedFields = updateManagedFields(obj, next, w(`m${String(i).padStart(2, '0')}`, { now: `2025-01-01T00:00:${String(i).padStart(2, '0')}Z` }));
      obj = next;
    }
    const managers = entries(obj).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.ok(managers.includes('ancient-changes'));
    assert.ok(managers.includes('m11'));
  });
});

describe('server-side apply', () => {
  const base = (): KubeObject => {
    const cfg = deploy({ replicas: 2, ...tpl({ name: 'c', image: 'nginx' }) });
    return applyToObject(deploy({}), cfg, a('kubectl'));
  };

  test('create-on-apply: the Apply entry owns exactly the applied fields', () => {
    const obj = base();
    assert.deepEqual(entries(obj).map((e) => [e.manager, e.operation]), [['kubectl', 'Apply']]);
    assert.deepEqual(fieldsOf(obj, 'kubectl'), {
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
  });

  test('re-applying without a field removes it; fields nobody applied stay', () => {
    const live = base();
    live.spec = { ...(live.spec as object), paused: true }; // set by nobody tracked
    const out = applyToObject(live, deploy(tpl({ name: 'c', image: 'nginx' })), a('kubectl'));
    assert.equal((out.spec as Record<string, unknown>).replicas, undefined);
    assert.equal((out.spec as Record<string, unknown>).paused, true);
  });

  test('dropping a keyed element removes it unless another manager owns it', () => {
    const two = applyToObject(deploy({}), deploy(tpl({ name: 'a', image: 'x' }, { name: 'b', image: 'y' })), a('kubectl'));
    const one = applyToObject(two, deploy(tpl({ name: 'a', image: 'x' })), a('kubectl'));
    const names = ((one.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((c) => c.name);
    assert.deepEqual(names, ['a']);
    const shared = applyToObject(two, deploy(tpl({ name: 'b', image: 'y' })), a('other'));
    const kept = applyToObject(shared, deploy(tpl({ name: 'a', image: 'x' })), a('kubectl'));
    assert.deepEqual(((kept.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers).map((c) => c.name), ['a', 'b']);
  });

  test('a changed field owned by another manager conflicts with upstream wording; force takes it', () => {
    const live = base();
    const cfg = deploy({ replicas: 5 });
    const c = conflictOf(() => applyToObject(live, cfg, a('other')));
    assert.equal(c.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    assert.deepEqual(c.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }]);
    const forced = applyToObject(live, cfg, a('other', { force: true }));
    assert.deepEqual(fieldsOf(forced, 'other'), { 'f:spec': { 'f:replicas': {} } });
    assert.equal((fieldsOf(forced, 'kubectl') as { 'f:spec': Record<string, unknown> })['f:spec']['f:replicas'], undefined);
  });

  test('the same value is shared ownership, not a conflict', () => {
    const out = applyToObject(base(), deploy({ replicas: 2 }), a('other'));
    assert.deepEqual(fieldsOf(out, 'other'), { 'f:spec': { 'f:replicas': {} } });
    assert.ok(fieldsOf(out, 'kubectl'));
  });

  test('several conflicts with an Update manager list every path', () => {
    const live = deploy({ replicas: 1, paused: false });
    live.metadata.managedFields = updateManagedFields(undefined, live, w('kubectl-client-side-apply'));
    const c = conflictOf(() => applyToObject(live, deploy({ replicas: 3, paused: true }), a('other')));
    assert.equal(c.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.paused\n- .spec.replicas');
  });

  test('kubectl may take fields from client-side apply whose last-applied value is live, and updates the annotation', () => {
    const lastApplied = JSON.stringify(deploy({ replicas: 1 }));
    const live = deploy({ replicas: 1 }, { annotations: { [LAST_APPLIED]: lastApplied } });
    live.metadata.managedFields = updateManagedFields(undefined, live, w('kubectl-client-side-apply'));
    const out = applyToObject(live, deploy({ replicas: 4 }), a('kubectl'));
    assert.equal((out.spec as Record<string, unknown>).replicas, 4);
    assert.deepEqual(fieldsOf(out, 'kubectl'), { 'f:spec': { 'f:replicas': {} } });
    assert.match(out.metadata.annotations?.[LAST_APPLIED] ?? '', /"replicas":4/);
    conflictOf(() => applyToObject(live, deploy({ replicas: 4 }), a('someone-else')));
  });

  test('a key field left to defaulting is taken from the live element', () => {
    const cfg = () => deploy(tpl({ name: 'c', ports: [{ containerPort: 80 }] }));
    const live = applyToObject(deploy({}), cfg(), a('kubectl'));
    const c0 = (live.spec as { template: { spec: { containers: { ports: Record<string, unknown>[] }[] } } }).template.spec.containers[0]!;
    c0.ports[0]!.protocol = 'TCP'; // what defaulting adds
    const again = applyToObject(live, cfg(), a('kubectl'));
    const ports = JSON.stringify(fieldsOf(again, 'kubectl'));
    assert.match(ports, /k:\{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"\}/);
    assert.doesNotMatch(ports, /f:protocol/);
    const out = (again.spec as { template: { spec: { containers: { ports: unknown[] }[] } } }).template.spec.containers[0]!.ports;
    assert.deepEqual(out, [{ containerPort: 80, protocol: 'TCP' }]);
  });

  test('a no-op re-apply keeps the entry time', () => {
    const live = base();
    const again = applyToObject(live, deploy({ replicas: 2, ...tpl({ name: 'c', image: 'nginx' }) }), a('kubectl', { now: '2031-01-01T00:00:00Z' }));
    assert.deepEqual(again.metadata.managedFields, live.metadata.managedFields);
  });

  test('status in an apply to the main resource is not owned', () => {
    const cfg = { ...deploy({ replicas: 1 }), status: { replicas: 9 } };
    const out = applyToObject(deploy({}), cfg, a('kubectl'));
    assert.deepEqual(fieldsOf(out, 'kubectl'), { 'f:spec': { 'f:replicas': {} } });
  });
});

describe('manager names', () => {
  const cases: [string | undefined, string][] = [
    ['kubectl/v1.32.5 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['kube-controller-manager/v1.33.0 (linux/amd64) kubernetes/x/system:serviceaccount:kube-system:deployment-controller', 'kube-controller-manager'],
    ['curl', 'curl'],
    [undefined, ''],
    ['x'.repeat(200), 'x'.repeat(128)],
  ];
  for (const [ua, want] of cases) test(`user agent ${String(ua).slice(0, 40)} → ${want.slice(0, 20) || '(empty)'}`, () => assert.equal(managerFromUserAgent(ua), want));
});
