import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import type { AdmissionAttributes, AdmissionOperation } from './admission.js';
import { defaultTolerationSecondsPlugin } from './default-toleration-seconds.js';

const table = newBuiltinTable();
const pods = table.resolve('', 'v1', 'pods')!;
const services = table.resolve('', 'v1', 'services')!;

function attrs(tolerations: unknown[] | undefined, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes & { object: KubeObject } {
  const spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'x' }] };
  if (tolerations) spec.tolerations = tolerations;
  return {
    operation: 'CREATE' as AdmissionOperation,
    resource: pods,
    subresource: '',
    namespace: 'default',
    name: 'p',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec },
    user: { name: 'admin', groups: [] },
    dryRun: false,
    ...over,
  } as AdmissionAttributes & { object: KubeObject };
}

const tolerationsOf = (a: { object: KubeObject }): unknown => (a.object.spec as { tolerations?: unknown }).tolerations;

const NOT_READY = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

describe('DefaultTolerationSeconds admission', () => {
  const plugin = defaultTolerationSecondsPlugin();

  it('gives a new pod 300 s tolerations for not-ready and unreachable', () => {
    const a = attrs(undefined);
    plugin.admit(a);
    assert.deepEqual(tolerationsOf(a), [NOT_READY, UNREACHABLE]);
  });

  it('appends after the pod\'s own tolerations', () => {
    const own = { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' };
    const a = attrs([own]);
    plugin.admit(a);
    assert.deepEqual(tolerationsOf(a), [own, NOT_READY, UNREACHABLE]);
  });

  it('leaves a taint the pod already tolerates alone', () => {
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
    const a = attrs([own]);
    plugin.admit(a);
    assert.deepEqual(tolerationsOf(a), [own, NOT_READY]);
  });

  it('counts an empty key or an empty effect as tolerating', () => {
    const everything = { operator: 'Exists' };
    const a = attrs([everything]);
    plugin.admit(a);
    assert.deepEqual(tolerationsOf(a), [everything]);
    const anyEffect = { key: 'node.kubernetes.io/not-ready', operator: 'Exists' };
    const b = attrs([anyEffect]);
    plugin.admit(b);
    assert.deepEqual(tolerationsOf(b), [anyEffect, UNREACHABLE]);
  });

  it('does not count a NoSchedule toleration for the same key', () => {
    const noSchedule = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };
    const a = attrs([noSchedule]);
    plugin.admit(a);
    assert.deepEqual(tolerationsOf(a), [noSchedule, NOT_READY, UNREACHABLE]);
  });

  it('re-adds dropped defaults on update, as upstream', () => {
    const a = attrs(undefined, { operation: 'UPDATE' });
    plugin.admit(a);
    assert.deepEqual(tolerationsOf(a), [NOT_READY, UNREACHABLE]);
  });

  it('ignores subresources, deletes and other resources', () => {
    const status = attrs(undefined, { subresource: 'status' });
    plugin.admit(status);
    assert.equal(tolerationsOf(status), undefined);
    const del = attrs(undefined, { operation: 'DELETE' });
    plugin.admit(del);
    assert.equal(tolerationsOf(del), undefined);
    const svc = attrs(undefined, { resource: services });
    plugin.admit(svc);
    assert.equal(tolerationsOf(svc), undefined);
  });

  it('takes the seconds from its options', () => {
    const a = attrs(undefined);
    defaultTolerationSecondsPlugin({ notReadySeconds: 60, unreachableSeconds: 30 }).admit(a);
    assert.deepEqual(tolerationsOf(a), [
      { ...NOT_READY, tolerationSeconds: 60 },
      { ...UNREACHABLE, tolerationSeconds: 30 },
    ]);
  });
});
