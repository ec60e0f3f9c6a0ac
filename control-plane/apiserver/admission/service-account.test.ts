import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { newBuiltinTable } from '../../api/resources/index.js';
import { MemoryStore } from '../../../test/helpers/memory-store.js';
import type { AdmissionAttributes } from './admission.js';
import { DEFAULT_API_TOKEN_MOUNT_PATH, serviceAccountPlugin, tokenVolumeSource } from './service-account.js';

const table = newBuiltinTable();
const pods = table.resolve('', 'v1', 'pods')!;
type Obj = Record<string, unknown>;

function podAttrs(spec: Obj, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes & { object: KubeObject } {
  return {
    operation: 'CREATE',
    resource: pods,
    subresource: '',
    namespace: 'default',
    name: 'p',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
    user: { name: 'admin', groups: [] },
    dryRun: false,
    ...extra,
  } as AdmissionAttributes & { object: KubeObject };
}

async function plugin(...sas: Obj[]) {
  const store = new MemoryStore();
  for (const sa of sas) await store.create(`/registry/serviceaccounts/default/${String((sa.metadata as Obj).name)}`, JSON.stringify(sa));
  return serviceAccountPlugin({ store, table, randomSuffix: (n) => 'x'.repeat(n) });
}

const specOf = (a: { object: KubeObject }) => a.object.spec as Obj;

describe('ServiceAccount admission', () => {
  it('defaults the service account and mounts the API access volume in every container', async () => {
    const a = podAttrs({ initContainers: [{ name: 'i', image: 'x' }] });
    await (await plugin()).admit(a);
    const spec = specOf(a);
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.serviceAccount, 'default');
    assert.deepEqual(spec.volumes, [{ name: 'kube-api-access-xxxxx', projected: tokenVolumeSource() }]);
    const mount = { name: 'kube-api-access-xxxxx', readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH };
    assert.deepEqual((spec.containers as Obj[])[0]!.volumeMounts, [mount]);
    assert.deepEqual((spec.initContainers as Obj[])[0]!.volumeMounts, [mount]);
  });

  it('projects the token for 3607 s, the kube-root-ca.crt CA and the namespace', () => {
    assert.deepEqual(tokenVolumeSource(), {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
  });

  it('mounts nothing when the pod opts out, even if its account opts in', async () => {
    const a = podAttrs({ automountServiceAccountToken: false });
    await (await plugin({ metadata: { name: 'default' }, automountServiceAccountToken: true })).admit(a);
    assert.equal(specOf(a).volumes, undefined);
  });

  it('follows the service account when the pod does not say', async () => {
    const a = podAttrs({ serviceAccountName: 'bot' });
    await (await plugin({ metadata: { name: 'bot' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'reg' }] })).admit(a);
    assert.equal(specOf(a).volumes, undefined);
    assert.deepEqual(specOf(a).imagePullSecrets, [{ name: 'reg' }]);
  });

  it('leaves containers that already mount the token path alone', async () => {
    const a = podAttrs({
      containers: [
        { name: 'own', image: 'x', volumeMounts: [{ name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }] },
        { name: 'c', image: 'x' },
      ],
    });
    await (await plugin()).admit(a);
    const cs = specOf(a).containers as Obj[];
    assert.deepEqual(cs[0]!.volumeMounts, [{ name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }]);
    assert.equal((cs[1]!.volumeMounts as Obj[]).length, 1);
    assert.equal((specOf(a).volumes as Obj[]).length, 1);
  });

  it('reuses an existing kube-api-access volume', async () => {
    const a = podAttrs({ volumes: [{ name: 'kube-api-access-abcde', projected: tokenVolumeSource() }] });
    await (await plugin()).admit(a);
    assert.equal((specOf(a).volumes as Obj[]).length, 1);
    assert.equal(((specOf(a).containers as Obj[])[0]!.volumeMounts as Obj[])[0]!.name, 'kube-api-access-abcde');
  });

  it('ignores updates and mirror pods', async () => {
    const p = await plugin();
    const upd = podAttrs({}, { operation: 'UPDATE' });
    await p.admit(upd);
    assert.equal(specOf(upd).serviceAccountName, undefined);
    const mirror = podAttrs({});
    mirror.object.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' };
    await p.admit(mirror);
    assert.equal(specOf(mirror).volumes, undefined);
  });
});
