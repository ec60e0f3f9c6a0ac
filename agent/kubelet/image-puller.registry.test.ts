/**
 * The image puller against real containerd pulling from a real registry
 * (Debian's docker-registry behind htpasswd on loopback): a pull secret
 * becomes CRI auth that containerd accepts, a missing or wrong credential
 * is ErrImagePull with containerd's 401, then ImagePullBackOff. Skips
 * when containerd, docker-registry, skopeo or htpasswd are missing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { createRuntime } from '../cri/create-runtime.js';
import type { PodSandboxConfig, Runtime } from '../cri/runtime.js';
import { containerdSkipReason, startTestContainerd, testImageFiles, type TestContainerd } from '../../test/helpers/containerd.js';
import { registrySkipReason, startTestRegistry, type TestRegistry } from '../../test/helpers/registry.js';
import { CriImagePuller } from './image-puller.js';
import { ContainerStartError, type Pod } from './pod-deps.js';

const skip = containerdSkipReason() ?? registrySkipReason(true);
const sandbox: PodSandboxConfig = { metadata: { name: 'p', uid: 'u1', namespace: 'ns', attempt: 0 }, hostname: 'p', logDirectory: '', portMappings: [], labels: {}, annotations: {} };

function pullSecret(name: string, host: string, username: string, password: string): KubeObject {
  const cfg = { auths: { [host]: { username, password, auth: Buffer.from(`${username}:${password}`).toString('base64') } } };
  return { metadata: { namespace: 'ns', name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify(cfg)).toString('base64') } };
}

describe('image pulls from an authenticated registry', { skip }, () => {
  let ctd: TestContainerd;
  let registry: TestRegistry;
  let runtime: Runtime;
  let image = '';
  const secrets: KubeObject[] = [];

  before(async () => {
    ctd = await startTestContainerd({ images: false });
    registry = await startTestRegistry({ auth: true });
    runtime = createRuntime(ctd.endpoint);
    image = await registry.push(testImageFiles().busybox, 'h4/busybox:1.0');
    const auth = registry.auth ?? { username: '', password: '' };
    secrets.push(pullSecret('good', registry.host, auth.username, auth.password), pullSecret('bad', registry.host, auth.username, 'wrong'));
  });

  after(async () => {
    runtime?.close();
    await registry?.stop();
    await ctd?.stop();
  });

  const puller = () =>
    new CriImagePuller({ runtime, source: { getSecret: async (ns, name) => secrets.find((s) => s.metadata.namespace === ns && s.metadata.name === name) } });
  const pod = (pullSecrets: string[], uid: string): Pod => ({
    metadata: { name: 'p', namespace: 'ns', uid },
    spec: { containers: [], imagePullSecrets: pullSecrets.map((name) => ({ name })) },
  });

  it('fails without credentials as ErrImagePull, then backs off', async () => {
    const p = puller();
    const c = { name: 'c', image, imagePullPolicy: 'Always' };
    await assert.rejects(p.ensureImage(pod([], 'u-anon'), c, sandbox), (e: unknown) => e instanceof ContainerStartError && e.reason === 'ErrImagePull' && /401|unauthorized|authorization/i.test(e.message));
    await assert.rejects(p.ensureImage(pod([], 'u-anon'), c, sandbox), (e: unknown) => e instanceof ContainerStartError && e.reason === 'ImagePullBackOff');
  });

  it('fails with a wrong password as ErrImagePull', async () => {
    const c = { name: 'c', image, imagePullPolicy: 'Always' };
    await assert.rejects(puller().ensureImage(pod(['bad'], 'u-bad'), c, sandbox), (e: unknown) => e instanceof ContainerStartError && e.reason === 'ErrImagePull');
  });

  it('pulls with the imagePullSecret and then finds the image present', async () => {
    const c = { name: 'c', image, imagePullPolicy: 'IfNotPresent' };
    const ref = await puller().ensureImage(pod(['bad', 'good'], 'u-good'), c, sandbox);
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await runtime.imageStatus(image))?.id, ref);
    assert.equal(await puller().ensureImage(pod([], 'u-other'), c, sandbox), ref);
  });
});
