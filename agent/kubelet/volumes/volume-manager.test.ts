import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../../control-plane/api/meta.js';
import type { ObjectSource, Pod } from '../pod-deps.js';
import { mountPoints, systemMounter } from './mounter.js';
import { DiskVolumeManager, VolumeSetUpError } from './volume-manager.js';

const isRoot = process.getuid?.() === 0;

function store() {
  const configMaps = new Map<string, KubeObject>();
  const secrets = new Map<string, KubeObject>();
  const tokenRequests: { sa: string; audiences: string[]; expirationSeconds: number; podUid: string }[] = [];
  const source: ObjectSource = {
    getConfigMap: async (ns, name) => configMaps.get(`${ns}/${name}`),
    getSecret: async (ns, name) => secrets.get(`${ns}/${name}`),
    listServices: async () => [],
    requestServiceAccountToken: async (_ns, sa, req) => {
      tokenRequests.push({ sa, ...req });
      return { token: `jwt-${tokenRequests.length}`, expirationTimestamp: new Date(Date.now() + req.expirationSeconds * 1000).toISOString() };
    },
  };
  return { configMaps, secrets, tokenRequests, source };
}

function pod(uid: string, volumes: Record<string, unknown>[]): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', uid, labels: { app: 'web' } },
    spec: { serviceAccountName: 'builder', containers: [{ name: 'c', resources: { limits: { memory: '64Mi' } } }], volumes },
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('DiskVolumeManager', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vm-'));
  });
  after(async () => {
    for (const m of await systemMounter.mountsUnder(dir)) await systemMounter.unmount(m);
    await rm(dir, { recursive: true, force: true });
  });

  it('projects a configMap and picks up a changed value in place on the next setUp', async () => {
    const s = store();
    s.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v1', other: 'o' }, binaryData: { bin: b64('\u0001\u0002') } });
    const vm = new DiskVolumeManager({ podsDir: dir, source: s.source, tmpfsForSecrets: false });
    const p = pod('u-cm', [{ name: 'config', configMap: { name: 'cfg', defaultMode: 0o640 } }]);
    const paths = await vm.setUp(p);
    const path = paths.get('config') ?? '';
    assert.equal(path, join(dir, 'u-cm/volumes/kubernetes.io~configmap/config'));
    assert.equal(await readFile(join(path, 'app.conf'), 'utf8'), 'v1');
    assert.deepEqual([...(await readFile(join(path, 'bin')))], [1, 2]);
    assert.equal((await stat(join(path, 'app.conf'))).mode & 0o777, 0o640);
    const firstData = await readlink(join(path, '..data'));
    s.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v2' } });
    await vm.setUp(p);
    assert.equal(await readFile(join(path, 'app.conf'), 'utf8'), 'v2');
    assert.notEqual(await readlink(join(path, '..data')), firstData);
    await assert.rejects(lstat(join(path, 'other')));
  });

  it('projects only the listed secret items with their modes, on tmpfs', { skip: !isRoot && 'tmpfs needs root' }, async () => {
    const s = store();
    s.secrets.set('ns/creds', { metadata: { name: 'creds' }, data: { user: b64('admin'), pass: b64('hunter2') } });
    const vm = new DiskVolumeManager({ podsDir: dir, source: s.source });
    const paths = await vm.setUp(pod('u-sec', [{ name: 's', secret: { secretName: 'creds', items: [{ key: 'pass', path: 'sub/password', mode: 0o400 }] } }]));
    const path = paths.get('s') ?? '';
    assert.equal(await readFile(join(path, 'sub/password'), 'utf8'), 'hunter2');
    assert.equal((await stat(join(path, 'sub/password'))).mode & 0o777, 0o400);
    await assert.rejects(lstat(join(path, 'user')));
    assert.ok((await mountPoints()).includes(path));
    await vm.tearDown('u-sec');
    assert.ok(!(await mountPoints()).includes(path));
    await assert.rejects(lstat(join(dir, 'u-sec/volumes')));
  });

  it('fails with upstream wording for a missing ConfigMap, Secret or key, and tolerates optional ones', async () => {
    const s = store();
    s.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { a: '1' } });
    const vm = new DiskVolumeManager({ podsDir: dir, source: s.source, tmpfsForSecrets: false });
    await assert.rejects(vm.setUp(pod('u-miss', [{ name: 'v', configMap: { name: 'gone' } }])), (e: unknown) => {
      assert.ok(e instanceof VolumeSetUpError);
      assert.equal(e.message, 'MountVolume.SetUp failed for volume "v" : configmap "gone" not found');
      return true;
    });
    await assert.rejects(vm.setUp(pod('u-miss', [{ name: 'v', secret: { secretName: 'gone' } }])), { message: 'MountVolume.SetUp failed for volume "v" : secret "gone" not found' });
    await assert.rejects(vm.setUp(pod('u-miss', [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'z' }] } }])), /configmap references non-existent config key: zz/);
    const paths = await vm.setUp(pod('u-opt', [{ name: 'v', configMap: { name: 'gone', optional: true } }, { name: 'w', secret: { secretName: 'gone', optional: true } }]));
    assert.equal(paths.size, 2);
  });

  it('writes downwardAPI files from pod fields and container resources', async () => {
    const vm = new DiskVolumeManager({ podsDir: dir, source: store().source, tmpfsForSecrets: false });
    const paths = await vm.setUp(pod('u-dapi', [{ name: 'info', downwardAPI: { items: [
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
    ] } }]));
    const path = paths.get('info') ?? '';
    assert.equal(path, join(dir, 'u-dapi/volumes/kubernetes.io~downward-api/info'));
    assert.equal(await readFile(join(path, 'labels'), 'utf8'), 'app="web"');
    assert.equal(await readFile(join(path, 'name'), 'utf8'), 'p');
    assert.equal(await readFile(join(path, 'mem'), 'utf8'), '64');
  });

  it('projects the ServiceAccount token, CA and namespace as the kube-api-access volume does, requesting a pod-bound token once', async () => {
    const s = store();
    s.configMaps.set('ns/kube-root-ca.crt', { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'PEM' } });
    const vm = new DiskVolumeManager({ podsDir: dir, source: s.source, tmpfsForSecrets: false });
    const p = pod('u-sa', [{ name: 'kube-api-access-x', projected: { defaultMode: 420, sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ] } }]);
    const path = (await vm.setUp(p)).get('kube-api-access-x') ?? '';
    await vm.setUp(p);
    assert.equal(await readFile(join(path, 'token'), 'utf8'), 'jwt-1');
    assert.equal(await readFile(join(path, 'ca.crt'), 'utf8'), 'PEM');
    assert.equal(await readFile(join(path, 'namespace'), 'utf8'), 'ns');
    assert.deepEqual(s.tokenRequests, [{ sa: 'builder', audiences: [], expirationSeconds: 3607, podName: 'p', podUid: 'u-sa' }]);
  });

  it('makes emptyDir a 0777 directory, and a size-limited tmpfs for medium Memory', { skip: !isRoot && 'tmpfs needs root' }, async () => {
    const vm = new DiskVolumeManager({ podsDir: dir, source: store().source });
    const paths = await vm.setUp(pod('u-ed', [{ name: 'scratch', emptyDir: {} }, { name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }]));
    const scratch = paths.get('scratch') ?? '';
    const ram = paths.get('ram') ?? '';
    assert.equal((await stat(scratch)).mode & 0o777, 0o777);
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    const line = mountinfo.split('\n').find((l) => l.split(' ')[4] === ram) ?? '';
    assert.match(line, /tmpfs/);
    assert.match(line, /size=8192k/);
    await vm.setUp(pod('u-ed', [{ name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }]));
    assert.equal((await mountPoints()).filter((m) => m === ram).length, 1);
    await vm.tearDown('u-ed');
    assert.ok(!(await mountPoints()).includes(ram));
  });

  it('returns the node path for hostPath after the type check and fails unsupported sources', async () => {
    const vm = new DiskVolumeManager({ podsDir: dir, source: store().source });
    const made = join(dir, 'host/made');
    const paths = await vm.setUp(pod('u-hp', [{ name: 'h', hostPath: { path: made, type: 'DirectoryOrCreate' } }]));
    assert.equal(paths.get('h'), made);
    assert.ok((await stat(made)).isDirectory());
    await assert.rejects(vm.setUp(pod('u-hp', [{ name: 'claim', persistentVolumeClaim: { claimName: 'x' } }])), /volume "claim" : unsupported volume source persistentVolumeClaim/);
  });
});
