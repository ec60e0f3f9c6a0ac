/**
 * Container preparation against real containerd: volumes set up by the
 * DiskVolumeManager, env from makeResolveEnv and the CRI config from
 * buildContainerConfig are accepted by containerd 1.6 and seen as
 * intended inside a running busybox container, including an in-place
 * ConfigMap update. Skips when containerd is not installed (or not root).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { createRuntime } from '../cri/create-runtime.js';
import type { PodSandboxConfig, Runtime } from '../cri/runtime.js';
import { BUSYBOX_IMAGE, containerdSkipReason, startTestContainerd, type TestContainerd } from '../../test/helpers/containerd.js';
import { tempDir, type TempDir } from '../../test/helpers/temp-dir.js';
import { makeBuildContainerConfig } from './container-config.js';
import { makeResolveEnv } from './env.js';
import { CriImagePuller } from './image-puller.js';
import type { ObjectSource, Pod } from './pod-deps.js';
import { DiskVolumeManager } from './volumes/volume-manager.js';

const skip = containerdSkipReason();
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('container preparation on containerd', { skip }, () => {
  let ctd: TestContainerd;
  let runtime: Runtime;
  let tmp: TempDir;
  let sandboxId = '';
  let containerId = '';
  let vm: DiskVolumeManager;
  const configMaps = new Map<string, KubeObject>();
  const source: ObjectSource = {
    getConfigMap: async (_ns, name) => configMaps.get(name),
    getSecret: async (_ns, name) => (name === 'creds' ? { metadata: { name }, data: { pass: b64('hunter2') } } : undefined),
    listServices: async (ns) => (ns === 'default' ? [{ metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } }] : []),
    requestServiceAccountToken: async () => ({ token: 'header.payload.sig', expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() }),
  };
  const container = {
    name: 'app',
    image: BUSYBOX_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c'],
    args: ['echo started $(GREETING); trap "exit 0" TERM; while true; do sleep 1; done'],
    env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } }, { name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
    securityContext: { runAsUser: 1000, capabilities: { drop: ['NET_RAW'] }, allowPrivilegeEscalation: false },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/config' },
      { name: 'config', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      { name: 'secret', mountPath: '/etc/secret' },
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'sa', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
  };
  const pod: Pod = {
    metadata: { name: 'prep', namespace: 'ns', uid: 'prep-uid-1' },
    spec: {
      containers: [container],
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['db.local'] }],
      volumes: [
        { name: 'config', configMap: { name: 'cfg' } },
        { name: 'secret', secret: { secretName: 'creds', defaultMode: 0o444 } },
        { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
        { name: 'sa', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } },
      ],
    },
  };

  before(async () => {
    ctd = await startTestContainerd();
    runtime = createRuntime(ctd.endpoint);
    tmp = tempDir('skiff-prep-');
    configMaps.set('cfg', { metadata: { name: 'cfg' }, data: { greeting: 'hello', 'app.conf': 'v1' } });
    vm = new DiskVolumeManager({ podsDir: join(tmp.path, 'pods'), source });
  });

  after(async () => {
    try {
      if (sandboxId) {
        await runtime.stopPodSandbox(sandboxId).catch(() => undefined);
        await runtime.removePodSandbox(sandboxId).catch(() => undefined);
      }
      await vm?.tearDown('prep-uid-1');
    } finally {
      runtime?.close();
      await ctd?.stop();
      tmp?.remove();
    }
  });

  const exec = async (cmd: string[]) => {
    const r = await runtime.execSync(containerId, cmd, 10);
    assert.equal(r.exitCode, 0, `${cmd.join(' ')}: ${r.stderr.toString()}`);
    return r.stdout.toString();
  };

  it('starts the container with the prepared env, mounts, hosts file and security settings', async () => {
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'prep', uid: 'prep-uid-1', namespace: 'ns', attempt: 0 },
      hostname: 'prep',
      logDirectory: join(tmp.path, 'logs'),
      portMappings: [],
      labels: { 'skiff.dev/managed': 'true' },
      annotations: {},
      linux: { cgroupParent: '', securityContext: { namespaceOptions: { network: 0, pid: 1, ipc: 0 } } },
    };
    sandboxId = await runtime.runPodSandbox(sandboxConfig);
    const ip = (await runtime.podSandboxStatus(sandboxId)).network?.ip ?? '';
    assert.ok(ip);
    const imageRef = await new CriImagePuller({ runtime, source }).ensureImage(pod, container, sandboxConfig);
    const volumePaths = await vm.setUp(pod);
    const env = await makeResolveEnv(source, { nodeName: 'n1', hostIP: '127.0.0.1' })(pod, container, [ip]);
    const config = makeBuildContainerConfig()({
      pod, container, attempt: 0, env, volumePaths, podDir: join(tmp.path, 'pods/prep-uid-1'), sandboxConfig, imageRef, podIPs: [ip],
    });
    containerId = await runtime.createContainer(sandboxId, config, sandboxConfig);
    await runtime.startContainer(containerId);

    assert.equal((await exec(['id', '-u'])).trim(), '1000');
    const envText = await exec(['env']);
    assert.match(envText, /^GREETING=hello$/m);
    assert.match(envText, /^MY_POD=prep$/m);
    assert.match(envText, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
    assert.equal(await exec(['cat', '/etc/config/app.conf']), 'v1');
    assert.equal(await exec(['cat', '/etc/app.conf']), 'v1');
    assert.equal(await exec(['cat', '/etc/secret/pass']), 'hunter2');
    assert.equal(await exec(['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']), 'header.payload.sig');
    assert.equal(await exec(['cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace']), 'ns');
    const hosts = await exec(['cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.replace(/\./g, '\\.')}\\tprep$`, 'm'));
    assert.match(hosts, /^10\.1\.2\.3\tdb\.local$/m);
    // Read-only volume: writing into the configMap mount fails.
    const ro = await runtime.execSync(containerId, ['touch', '/etc/config/x'], 10);
    assert.notEqual(ro.exitCode, 0);
    await exec(['touch', '/scratch/ok']);
  });

  it('shows an updated ConfigMap inside the running container after the next setUp', async () => {
    configMaps.set('cfg', { metadata: { name: 'cfg' }, data: { greeting: 'hello', 'app.conf': 'v2' } });
    await vm.setUp(pod);
    assert.equal(await exec(['cat', '/etc/config/app.conf']), 'v2');
  });

  it('lets the container write its termination message to the host file', async () => {
    await exec(['sh', '-c', 'echo -n bye > /dev/termination-log']);
    const status = await runtime.containerStatus(containerId);
    const m = status.mounts.find((x) => x.containerPath === '/dev/termination-log');
    assert.ok(m, JSON.stringify(status.mounts));
    assert.equal(readFileSync(m.hostPath, 'utf8'), 'bye');
  });
});
