/**
 * The kubelet core on a real, private containerd (test/helpers/containerd.ts)
 * and a real `skiff server`, with the real container config builder and
 * image puller, and pod cgroups on the host's cgroupfs. Checks what the
 * fake runtime cannot: a pod gets a real IP and writes its CRI log; its
 * pod cgroup exists while it runs; deletion leaves no sandbox, cgroup, pod
 * directory or log behind; a restarted kubelet adopts the running
 * container without restarting it. Skips when containerd is not installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import type { Runtime } from '../../agent/cri/runtime.js';
import { buildContainerConfig } from '../../agent/kubelet/container-config.js';
import { createImagePuller } from '../../agent/kubelet/image-puller.js';
import { Kubelet } from '../../agent/kubelet/kubelet.js';
import { PodCgroups } from '../../agent/kubelet/pod-cgroups.js';
import type { ContainerSpec, Pod } from '../../agent/kubelet/pod-deps.js';
import { BUSYBOX_IMAGE, containerdSkipReason, startTestContainerd, type TestContainerd } from '../helpers/containerd.js';
import { eventually } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const NODE = 'ctd-node';
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' };
const skip = containerdSkipReason();

type PodJson = KubeObject & { status?: { phase?: string; podIP?: string; containerStatuses?: { containerID?: string; restartCount: number; state: Record<string, unknown> }[] } };

describe('kubelet on real containerd', { skip }, () => {
  let server: SkiffHandle;
  let transport: HttpsTransport;
  let client: ApiClient;
  let ctd: TestContainerd;
  let runtime: Runtime;
  let data: TempDir;
  let kubelet: Kubelet;
  // Its own pod cgroup parent: other agents' tests run beside this one.
  const cgroups = new PodCgroups({ parent: `skiff-test-${process.pid}` });

  // Volumes are faked here (the real ones have their own tests), so pods opt out of the
  // ServiceAccount token volume admission would add.
  const makeKubelet = (): Kubelet =>
    new Kubelet({
      client,
      runtime,
      nodeName: NODE,
      dataDir: data.path,
      log: () => undefined,
      resolveEnv: async (_pod: Pod, c: ContainerSpec) => ((c.env as { name: string; value?: string }[] | undefined) ?? []).map((e) => ({ key: e.name, value: e.value ?? '' })),
      volumes: { setUp: async () => new Map(), tearDown: async () => undefined },
      imagePuller: createImagePuller({ runtime, source: { getSecret: async () => undefined } }),
      buildContainerConfig,
      cgroups,
      hostIPs: () => ['127.0.0.1'],
      relistMs: 300,
      housekeepingMs: 1000,
    });

  const getPod = async (name: string): Promise<PodJson | undefined> => {
    try {
      return await client.get<PodJson>(PODS, name);
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  };

  before(async () => {
    ctd = await startTestContainerd();
    runtime = createRuntime(ctd.endpoint);
    server = await startSkiff({});
    transport = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig));
    client = new ApiClient(transport);
    await client.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
    data = tempDir('skiff-kubelet-ctd-');
    kubelet = makeKubelet();
    await kubelet.start();
  });

  after(async () => {
    await kubelet?.stop();
    transport?.close();
    await server?.stop();
    runtime?.close();
    await ctd?.stop();
    cgroups.removeParent();
    data?.remove();
  });

  test('runs a pod with a real IP, its CRI log and its pod cgroup; deletion leaves nothing behind', async () => {
    await client.create(PODS, {
      metadata: { name: 'hello' },
      spec: { nodeName: NODE, automountServiceAccountToken: false, terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', "trap 'exit 0' TERM; echo hello from skiff; while true; do sleep 1; done"], resources: { limits: { memory: '64Mi', cpu: '250m' } } }] },
    });
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('hello'))?.status?.phase === 'Running', 60_000, 'hello Running');
    const uid = pod!.metadata.uid ?? '';
    assert.match(pod!.status?.podIP ?? '', /^10\.88\.\d+\.\d+$/);
    const log = await kubelet.containerLogPath('default', 'hello', 'app', false);
    await eventually(() => existsSync(log!.path) && readFileSync(log!.path, 'utf8').includes('hello from skiff'), 10_000, 'log line');
    assert.equal(readFileSync(`/sys/fs/cgroup/memory/${cgroups.parent}/pod${uid}/memory.limit_in_bytes`, 'utf8').trim(), String(64 * 1024 * 1024));

    await client.delete(PODS, 'hello', {});
    await eventually(async () => (await getPod('hello')) === undefined, 30_000, 'hello gone');
    assert.equal((await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).length, 0);
    assert.equal((await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).length, 0);
    assert.equal(existsSync(`/sys/fs/cgroup/memory/${cgroups.parent}/pod${uid}`), false);
    assert.equal(existsSync(log!.path), false);
  });

  test('a restarted kubelet adopts the running container without restarting it', async () => {
    await client.create(PODS, {
      metadata: { name: 'steady' },
      spec: { nodeName: NODE, automountServiceAccountToken: false, terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"] }] },
    });
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('steady'))?.status?.phase === 'Running', 60_000, 'steady Running');
    const id = pod!.status!.containerStatuses![0]!.containerID;
    await kubelet.stop();
    kubelet = makeKubelet();
    await kubelet.start();
    await new Promise((r) => setTimeout(r, 2500));
    const now = await getPod('steady');
    assert.equal(now?.status?.phase, 'Running');
    assert.equal(now?.status?.containerStatuses?.[0]?.containerID, id);
    assert.equal(now?.status?.containerStatuses?.[0]?.restartCount, 0);
    const ctrs = await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod!.metadata.uid ?? '' } });
    assert.equal(ctrs.length, 1);
    await client.delete(PODS, 'steady', {});
    await eventually(async () => (await getPod('steady')) === undefined, 30_000, 'steady gone');
  });
});
