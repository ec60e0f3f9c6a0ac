/**
 * ServiceAccount tokens on a real `skiff server`, driven by the real
 * kubectl 1.32: TokenRequest (`kubectl create token`, with duration,
 * audience and a bound pod), the JWT authenticator (`kubectl auth whoami`
 * with the token; expired, foreign-audience, forged, unbound tokens
 * refused), the ServiceAccount admission's projected volume, and the
 * kube-root-ca.crt ConfigMap the root CA publisher keeps in every namespace.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { adminCreds, api } from './streaming-client.js';

type Obj = Record<string, unknown>;

function claimsOf(token: string): Obj {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Obj;
}

describe('ServiceAccount tokens', () => {
  let server: SkiffHandle;
  let home: TempDir;
  let kubectl: Kubectl;
  let caFile: string;

  /** kubectl as the bearer of `token` alone (no client certificate). */
  const asToken = (token: string, args: string[]) =>
    kubectl.run(['--kubeconfig', '/dev/null', '--server', server.url, '--certificate-authority', caFile, '--token', token, ...args]);

  /** A GET with only a bearer token: the status code. */
  const statusWith = (token: string, path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const ca = readFileSync(caFile, 'utf8');
      const r = request({ host: '127.0.0.1', port: server.port, path, ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', reject);
      r.end();
    });

  before(async () => {
    server = await startSkiff();
    home = tempDir('skiff-sa-home-');
    kubectl = new Kubectl('1.32', server.kubeconfig, home.path);
    caFile = join(server.dataDir, 'tls', 'ca.crt');
    await eventually(async () => (await kubectl.run(['get', 'serviceaccount', 'default'])).code === 0, 20_000, 'the default ServiceAccount');
  });

  after(async () => {
    await server?.stop();
    home?.remove();
  });

  it('kubectl create token issues a token that authenticates as the ServiceAccount', async () => {
    const token = (await kubectl.ok(['create', 'token', 'default'])).trim();
    const sa = JSON.parse(await kubectl.ok(['get', 'serviceaccount', 'default', '-o', 'json'])) as { metadata: { uid: string } };
    const c = claimsOf(token);
    assert.equal(c.sub, 'system:serviceaccount:default:default');
    assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.equal((c.exp as number) - (c.iat as number), 3600);
    assert.deepEqual((c['kubernetes.io'] as Obj).serviceaccount, { name: 'default', uid: sa.metadata.uid });
    const whoami = JSON.parse(await (async () => {
      const r = await asToken(token, ['auth', 'whoami', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    })()) as { status: { userInfo: { username: string; uid: string; groups: string[] } } };
    assert.equal(whoami.status.userInfo.username, 'system:serviceaccount:default:default');
    assert.equal(whoami.status.userInfo.uid, sa.metadata.uid);
    assert.deepEqual(whoami.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    const list = await asToken(token, ['get', 'namespaces', '-o', 'name']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /namespace\/kube-system/);
  });

  it('honours --duration and --audience, and a token for another audience is not accepted by the API', async () => {
    const token = (await kubectl.ok(['create', 'token', 'default', '--duration', '20m', '--audience', 'vault'])).trim();
    const c = claimsOf(token);
    assert.deepEqual(c.aud, ['vault']);
    assert.equal((c.exp as number) - (c.iat as number), 1200);
    assert.equal(await statusWith(token, '/api/v1/namespaces'), 401);
  });

  it('refuses durations under ten minutes with upstream message', async () => {
    const r = await kubectl.run(['create', 'token', 'default', '--duration', '1m']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /TokenRequest\.authentication\.k8s\.io "default" is invalid: spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
  });

  it('answers 404 for a missing ServiceAccount or bound pod', async () => {
    const noSa = await kubectl.run(['create', 'token', 'nobody']);
    assert.match(noSa.stderr, /serviceaccounts "nobody" not found/);
    const noPod = await kubectl.run(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'ghost']);
    assert.match(noPod.stderr, /pods "ghost" not found/);
  });

  it('refuses forged, garbled and signature-stripped tokens', async () => {
    const token = (await kubectl.ok(['create', 'token', 'default'])).trim();
    const [h, p] = token.split('.');
    const claims = claimsOf(token);
    claims.sub = 'system:serviceaccount:kube-system:default';
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${token.split('.')[2]}`;
    assert.equal(await statusWith(forged, '/api/v1/namespaces'), 401);
    assert.equal(await statusWith(`${h}.${p}.`, '/api/v1/namespaces'), 401);
    assert.equal(await statusWith('not-a-token', '/api/v1/namespaces'), 401);
  });

  it('a pod-bound token stops working once the pod is deleted', async () => {
    await kubectl.ok(['run', 'bound', '--image=busybox', '--restart=Never']);
    const token = (await kubectl.ok(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound'])).trim();
    const pod = (claimsOf(token)['kubernetes.io'] as Obj).pod as Obj;
    assert.equal(pod.name, 'bound');
    assert.equal(await statusWith(token, '/api/v1/namespaces'), 200);
    await kubectl.ok(['delete', 'pod', 'bound', '--wait=false']);
    await eventually(async () => (await statusWith(token, '/api/v1/namespaces')) === 401, 10_000, 'the bound token to be refused');
  });

  it('TokenRequest: extended pod-bound tokens, uid conflicts and unsupported kinds as upstream', async () => {
    await kubectl.ok(['run', 'ext', '--image=busybox', '--restart=Never']);
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'ext', '-o', 'json'])) as { metadata: { uid: string } };
    const path = '/api/v1/namespaces/default/serviceaccounts/default/token';
    const tr = (spec: Obj) => api(server.port, adminCreds(server.dataDir), 'POST', path, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
    const ext = await tr({ expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'ext', uid: pod.metadata.uid } });
    assert.equal(ext.status, 201, ext.text);
    const body = ext.body as { spec: Obj; status: { token: string; expirationTimestamp: string } };
    assert.deepEqual(body.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const c = claimsOf(body.status.token);
    assert.equal((c.exp as number) - (c.iat as number), 365 * 24 * 3600);
    assert.equal((c['kubernetes.io'] as Obj).warnafter, (c.iat as number) + 3607);
    // The status reports the requested lifetime, not the extended exp (upstream's TokenREST).
    assert.equal(Math.round(Date.parse(body.status.expirationTimestamp) / 1000), (c.iat as number) + 3607);

    const stale = await tr({ boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'ext', uid: 'not-the-uid' } });
    assert.equal(stale.status, 409, stale.text);
    assert.match((stale.body as { message: string }).message, /the UID in the bound object reference \(not-the-uid\) does not match the UID in record/);

    const odd = await tr({ boundObjectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } });
    assert.equal(odd.status, 400, odd.text);
    assert.equal((odd.body as { message: string }).message, 'cannot bind token to object of type apps/v1, Kind=Deployment');
  });

  it('a token stops working when its ServiceAccount is deleted and recreated', async () => {
    await kubectl.ok(['create', 'serviceaccount', 'bot']);
    const token = (await kubectl.ok(['create', 'token', 'bot'])).trim();
    assert.equal(await statusWith(token, '/api/v1/namespaces'), 200);
    await kubectl.ok(['delete', 'serviceaccount', 'bot']);
    await kubectl.ok(['create', 'serviceaccount', 'bot']);
    await eventually(async () => (await statusWith(token, '/api/v1/namespaces')) === 401, 10_000, 'the token of the old account to be refused');
  });

  it('ServiceAccount admission mounts the API access volume into new pods', async () => {
    await kubectl.ok(['run', 'mounted', '--image=busybox', '--restart=Never']);
    const pod = JSON.parse(await kubectl.ok(['get', 'pod', 'mounted', '-o', 'json'])) as { spec: Obj };
    const spec = pod.spec as { serviceAccountName: string; volumes: Obj[]; containers: { volumeMounts: Obj[] }[] };
    assert.equal(spec.serviceAccountName, 'default');
    const vol = spec.volumes.find((v) => /^kube-api-access-[a-z0-9]{5}$/.test(String(v.name)));
    assert.ok(vol, JSON.stringify(spec.volumes));
    assert.deepEqual((vol.projected as Obj).sources, [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    assert.deepEqual(spec.containers[0]?.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);

    const manifest = join(home.path, 'no-automount.json');
    writeFileSync(manifest, JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unmounted' },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] },
    }));
    await kubectl.ok(['create', '-f', manifest]);
    const plain = JSON.parse(await kubectl.ok(['get', 'pod', 'unmounted', '-o', 'json'])) as { spec: Obj };
    assert.equal(plain.spec.volumes, undefined);
  });

  it('every namespace gets kube-root-ca.crt with the cluster CA', async () => {
    await kubectl.ok(['create', 'namespace', 'fresh']);
    const ca = readFileSync(caFile, 'utf8');
    let cm: { data?: Obj; metadata?: { annotations?: Obj } } = {};
    await eventually(async () => {
      const r = await kubectl.run(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'json']);
      if (r.code !== 0) return false;
      cm = JSON.parse(r.stdout) as typeof cm;
      return true;
    }, 10_000, 'kube-root-ca.crt in the new namespace');
    assert.deepEqual(cm.data, { 'ca.crt': ca });
    assert.match(String(cm.metadata?.annotations?.['kubernetes.io/description']), /^Contains a CA bundle/);
    // An edit is undone.
    await kubectl.ok(['patch', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '--type=merge', '-p', '{"data":{"ca.crt":"tampered"}}']);
    await eventually(async () => {
      const r = await kubectl.run(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'jsonpath={.data.ca\\.crt}']);
      return r.code === 0 && r.stdout === ca;
    }, 10_000, 'the CA to be restored');
  });

  it('tokens survive a server restart (the signing key is kept in the data dir)', async () => {
    const token = (await kubectl.ok(['create', 'token', 'default'])).trim();
    await server.restart();
    assert.equal(await statusWith(token, '/api/v1/namespaces'), 200);
  });
});
