/**
 * The kubelet core against a real `skiff server` and the in-memory fake
 * runtime (agent/cri/fake-runtime.ts), with small fakes of the seams other
 * modules fill (env, volumes, images, container config, hooks). Pods are
 * bound with spec.nodeName to a Node object the test creates. Checks: a pod
 * goes Running with upstream's status; a crashing container restarts into
 * CrashLoopBackOff; deletion runs preStop, stops the containers, removes
 * everything and only then removes the pod from the API; a restarted
 * kubelet adopts running containers without restarting them; orphans are
 * removed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import type { KubeObject } from '../../control-plane/api/meta.js';
import { FakeRuntime } from '../../agent/cri/fake-runtime.js';
import type { ContainerConfig } from '../../agent/cri/runtime.js';
import { Kubelet } from '../../agent/kubelet/kubelet.js';
import { ContainerStartError, type ContainerConfigInput, type ContainerSpec, type Pod, type ProberManager, type RunHook } from '../../agent/kubelet/pod-deps.js';
import { eventually } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const NODE = 'node-a';
const IMAGE = 'localhost/busybox:1.0';
const PODS = (ns = 'default') => ({ group: '', version: 'v1', resource: 'pods', namespace: ns });

interface ContainerStatusJson {
  name: string;
  state: { running?: { startedAt: string }; waiting?: { reason: string; message?: string }; terminated?: { exitCode: number; reason: string } };
  lastState: { terminated?: { exitCode: number; reason: string } };
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID?: string;
  image: string;
  imageID: string;
}

type PodJson = KubeObject & { status?: { phase?: string; podIP?: string; hostIP?: string; qosClass?: string; startTime?: string; conditions?: { type: string; status: string }[]; containerStatuses?: ContainerStatusJson[] } };

function podSpec(name: string, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: NODE, containers, terminationGracePeriodSeconds: 5, ...extra } };
}

function buildConfig(input: ContainerConfigInput): ContainerConfig {
  const c = input.container;
  return {
    metadata: { name: c.name, attempt: input.attempt },
    image: { image: input.imageRef },
    command: (c.command as string[] | undefined) ?? [],
    args: (c.args as string[] | undefined) ?? [],
    workingDir: '',
    envs: input.env,
    mounts: [],
    labels: {},
    annotations: {},
    logPath: `${c.name}/${input.attempt}.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
  };
}

describe('kubelet with the fake runtime', () => {
  let server: SkiffHandle;
  let client: ApiClient;
  let transport: HttpsTransport;
  let runtime: FakeRuntime;
  let data: TempDir;
  let kubelet: Kubelet;
  const hooks: { hook: string; container: string; at: number }[] = [];
  const tornDown: string[] = [];
  const startLatencies: number[] = [];
  const events: { pod: string; type: string; reason: string; message: string; fieldPath?: string }[] = [];
  let unhealthy: ((podUid: string, containerName: string, containerId: string, message: string) => void) | undefined;
  const prober: ProberManager = {
    isReady: () => undefined,
    isStarted: () => undefined,
    update: () => undefined,
    removePod: () => undefined,
    onUnhealthy: (cb) => (unhealthy = cb),
    onResult: () => undefined,
    stop: () => undefined,
  };

  const makeKubelet = (): Kubelet => {
    const runHook: RunHook = async (_pod, container, _id, hook) => {
      hooks.push({ hook, container: container.name, at: Date.now() });
      return undefined;
    };
    return new Kubelet({
      client,
      runtime,
      nodeName: NODE,
      dataDir: data.path,
      log: () => undefined,
      resolveEnv: async (_pod: Pod, c: ContainerSpec) => ((c.env as { name: string; value?: string }[] | undefined) ?? []).map((e) => ({ key: e.name, value: e.value ?? '' })),
      volumes: { setUp: async () => new Map(), tearDown: async (uid) => void tornDown.push(uid) },
      imagePuller: {
        ensureImage: async (_pod, c) => {
          if (c.image?.includes('missing')) throw new ContainerStartError('ErrImagePull', `failed to pull and unpack image "${c.image}": not found`);
          return c.image ?? IMAGE;
        },
      },
      prober,
      metrics: { podStarted: (ms) => startLatencies.push(ms) },
      event: (pod, type, reason, message, fieldPath) => void events.push({ pod: pod.metadata.name ?? '', type, reason, message, fieldPath }),
      buildContainerConfig: buildConfig,
      runHook,
      cgroups: false,
      hostIPs: () => ['192.168.77.1'],
      resolvConf: '/nonexistent',
      relistMs: 200,
      housekeepingMs: 500,
    });
  };

  const getPod = async (name: string): Promise<PodJson | undefined> => {
    try {
      return await client.get<PodJson>(PODS(), name);
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  };

  before(async () => {
    server = await startSkiff({});
    transport = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfig));
    client = new ApiClient(transport);
    await client.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } } });
    runtime = new FakeRuntime();
    runtime.addImage(IMAGE);
    data = tempDir('skiff-kubelet-');
    kubelet = makeKubelet();
    await kubelet.start();
  });

  after(async () => {
    await kubelet?.stop();
    transport?.close();
    await server?.stop();
    data?.remove();
  });

  test('runs a pod and reports it Running and Ready with upstream status fields', async () => {
    await client.create(PODS(), podSpec('web', [{ name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; echo hello; sleep infinity"] }]));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('web'))?.status?.phase === 'Running' && pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 15_000, 'web Running and Ready');
    const st = pod!.status!;
    const cs = st.containerStatuses?.[0];
    assert.equal(cs?.name, 'app');
    assert.ok(cs?.state.running?.startedAt);
    assert.equal(cs?.ready, true);
    assert.equal(cs?.started, true);
    assert.equal(cs?.restartCount, 0);
    assert.equal(cs?.image, IMAGE);
    assert.match(cs?.containerID ?? '', /^containerd:\/\/\S+$/);
    assert.match(st.podIP ?? '', /^10\.88\.0\.\d+$/);
    assert.equal(st.hostIP, '192.168.77.1');
    assert.equal(st.qosClass, 'BestEffort');
    assert.ok(st.startTime);
    assert.deepEqual(st.conditions?.map((c) => [c.type, c.status]).sort(), [
      ['ContainersReady', 'True'], ['Initialized', 'True'], ['PodReadyToStartContainers', 'True'], ['PodScheduled', 'True'], ['Ready', 'True'],
    ]);

    const uid = pod!.metadata.uid ?? '';
    const [sb] = await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } });
    assert.equal(sb?.labels['skiff.dev/managed'], 'true');
    assert.equal(runtime.getSandbox(sb!.id)?.config.logDirectory, join(data.path, 'agent', 'logs', 'pods', `default_web_${uid}`));
    assert.equal(runtime.getSandbox(sb!.id)?.config.linux?.cgroupParent, `/skiff/pod${uid}`);
    const id = cs!.containerID!.replace('containerd://', '');
    assert.equal(kubelet.containerId('default', 'web', 'app'), id);
    assert.equal(kubelet.sandboxId('default', 'web'), sb!.id);
    const log = await kubelet.containerLogPath('default', 'web', 'app', false);
    assert.equal(log?.path, join(data.path, 'agent', 'logs', 'pods', `default_web_${uid}`, 'app', '0.log'));
    assert.equal(log?.running, true);
    const running = kubelet.runningPods().find((p) => p.name === 'web');
    assert.equal(running?.containers.get('app'), id);
    assert.equal(running?.startTime, st.startTime);
    assert.equal(kubelet.isRunning(id), true);
    assert.equal(kubelet.pod('default', 'web')?.metadata.uid, uid);
    assert.equal(kubelet.waitingReason('default', 'web', 'app'), undefined);
    assert.deepEqual((await kubelet.containerLogs()).filter((l) => l.containerId === id), [{ containerId: id, logPath: log?.path }]);
    const ctr = (await runtime.listContainers({ id }))[0];
    assert.equal(ctr?.annotations['io.kubernetes.container.restartCount'], '0');
    assert.ok(ctr?.annotations['io.kubernetes.container.hash']);
    assert.deepEqual(events.filter((e) => e.pod === 'web').map((e) => [e.type, e.reason, e.message, e.fieldPath]), [
      ['Normal', 'Created', 'Created container: app', 'spec.containers{app}'],
      ['Normal', 'Started', 'Started container app', 'spec.containers{app}'],
    ]);
    // Relists and the watch events of our own writes cause syncs, but an unchanged status is not written again.
    const writes = kubelet.statuses.writes;
    assert.ok(writes <= 3, `${writes} status writes to start one pod`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(kubelet.statuses.writes, writes);
  });

  test('reports the pod start latency once per started pod', () => {
    assert.equal(startLatencies.length, 1);
    assert.ok(startLatencies[0]! >= 0 && startLatencies[0]! < 15_000);
  });

  test('runs init containers to completion before the containers', async () => {
    await client.create(PODS(), podSpec('inits', [{ name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity"] }], {
      initContainers: [{ name: 'first', image: IMAGE, command: ['sh', '-c', 'echo one'] }, { name: 'second', image: IMAGE, command: ['sh', '-c', 'echo two'] }],
    }));
    let pod: (PodJson & { status?: { initContainerStatuses?: ContainerStatusJson[] } }) | undefined;
    await eventually(async () => (pod = await getPod('inits'))?.status?.phase === 'Running', 15_000, 'inits Running');
    assert.deepEqual(pod!.status!.initContainerStatuses!.map((c) => [c.name, c.state.terminated?.reason, c.ready]), [['first', 'Completed', true], ['second', 'Completed', true]]);
    assert.equal(pod!.status!.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    const order = runtime.callsOf('createContainer').map((a) => (a[1] as ContainerConfig).metadata.name + '/' + (a[1] as ContainerConfig).labels['io.kubernetes.pod.name']);
    assert.deepEqual(order.filter((n) => n.endsWith('/inits')), ['first/inits', 'second/inits', 'app/inits']);
  });

  test('shows ErrImagePull when the image cannot be pulled', async () => {
    await client.create(PODS(), podSpec('nopull', [{ name: 'app', image: 'localhost/missing:1.0' }]));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('nopull'))?.status?.containerStatuses?.[0]?.state.waiting?.reason === 'ErrImagePull', 15_000, 'ErrImagePull');
    assert.equal(pod!.status!.containerStatuses![0]!.state.waiting?.message, 'failed to pull and unpack image "localhost/missing:1.0": not found');
    assert.equal(pod!.status!.phase, 'Pending');
  });

  test('a restartPolicy Never pod whose container exits 0 Succeeds and its sandbox is stopped', async () => {
    await client.create(PODS(), podSpec('once', [{ name: 'app', image: IMAGE, command: ['sh', '-c', 'echo done'] }], { restartPolicy: 'Never' }));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('once'))?.status?.phase === 'Succeeded', 15_000, 'once Succeeded');
    assert.equal(pod!.status!.containerStatuses![0]!.state.terminated?.reason, 'Completed');
    assert.equal(pod!.status!.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    const sandboxes = await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': pod!.metadata.uid ?? '' } });
    assert.deepEqual(sandboxes.map((x) => x.state), [1]);
    assert.equal(runtime.callsOf('startContainer').filter((a) => runtime.getContainer(a[0] as string)?.config.labels['io.kubernetes.pod.name'] === 'once').length, 1);
  });

  test('fails a pod past its activeDeadlineSeconds with DeadlineExceeded and stops its containers', async () => {
    await client.create(PODS(), podSpec('deadline', [{ name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity"] }], { activeDeadlineSeconds: 2 }));
    let pod: (PodJson & { status?: { reason?: string; message?: string } }) | undefined;
    await eventually(async () => (pod = await getPod('deadline'))?.status?.phase === 'Failed', 15_000, 'deadline Failed');
    assert.equal(pod!.status!.reason, 'DeadlineExceeded');
    assert.equal(pod!.status!.message, 'Pod was active on the node longer than the specified deadline');
    const running = await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod!.metadata.uid ?? '' }, state: 1 });
    assert.equal(running.length, 0);
  });

  test('kills a container whose liveness probe failed and starts it again', async () => {
    await client.create(PODS(), podSpec('live', [{ name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity"] }]));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('live'))?.status?.phase === 'Running', 15_000, 'live Running');
    const first = pod!.status!.containerStatuses![0]!.containerID!.replace('containerd://', '');
    unhealthy?.(pod!.metadata.uid ?? '', 'app', first, 'Liveness probe failed');
    await eventually(async () => (pod = await getPod('live'))?.status?.containerStatuses?.[0]?.restartCount === 1 && pod?.status?.containerStatuses?.[0]?.state.running !== undefined, 15_000, 'live restarted');
    assert.deepEqual(pod!.status!.containerStatuses![0]!.lastState.terminated?.exitCode, 0);
    assert.notEqual(pod!.status!.containerStatuses![0]!.containerID, `containerd://${first}`);
    assert.ok(events.some((e) => e.pod === 'live' && e.reason === 'Killing' && e.message === 'Container app failed liveness probe, will be restarted'));
  });

  test('restarts a crashing container and reports CrashLoopBackOff with the backoff message', async () => {
    await client.create(PODS(), podSpec('crash', [{ name: 'app', image: IMAGE, command: ['sh', '-c', 'echo boom; exit 3'] }]));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('crash'))?.status?.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff', 15_000, 'CrashLoopBackOff');
    const cs = pod!.status!.containerStatuses![0]!;
    assert.equal(cs.state.waiting?.message, `back-off 10s restarting failed container=app pod=crash_default(${pod!.metadata.uid})`);
    assert.equal(cs.restartCount, 1);
    assert.deepEqual([cs.lastState.terminated?.exitCode, cs.lastState.terminated?.reason], [3, 'Error']);
    assert.equal(pod!.status!.phase, 'Running');
    assert.equal(pod!.status!.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    assert.ok(events.some((e) => e.pod === 'crash' && e.type === 'Warning' && e.reason === 'BackOff' && e.message === `Back-off restarting failed container app in pod crash_default(${pod!.metadata.uid})`));
    assert.equal(kubelet.waitingReason('default', 'crash', 'app'), 'CrashLoopBackOff');
    const prev = await kubelet.containerLogPath('default', 'crash', 'app', true);
    assert.equal(prev?.running, false);
    assert.match(prev?.path ?? '', /\/app\/1\.log$/);
    // Within the 10 s backoff nothing new starts.
    const starts = runtime.callsOf('startContainer').length;
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(runtime.callsOf('startContainer').length, starts);
  });

  test('deletion runs preStop, stops the containers, removes everything, then the pod leaves the API', async () => {
    await client.create(PODS(), podSpec('bye', [{ name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity"], lifecycle: { preStop: { exec: { command: ['true'] } } } }]));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('bye'))?.status?.phase === 'Running', 15_000, 'bye Running');
    const uid = pod!.metadata.uid ?? '';
    const podDir = join(data.path, 'agent', 'pods', uid);
    const logDir = join(data.path, 'agent', 'logs', 'pods', `default_bye_${uid}`);
    assert.ok(existsSync(podDir));
    assert.ok(existsSync(logDir));
    await client.delete(PODS(), 'bye', {});
    await eventually(async () => (await getPod('bye')) === undefined, 15_000, 'bye gone from the API');
    assert.deepEqual(hooks.filter((h) => h.container === 'app').map((h) => h.hook), ['preStop']);
    assert.equal((await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).length, 0);
    assert.equal((await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).length, 0);
    const stops = runtime.calls.filter((c) => c.method === 'stopContainer');
    assert.ok(stops.length >= 1);
    assert.ok(tornDown.includes(uid));
    assert.equal(existsSync(podDir), false);
    assert.equal(existsSync(logDir), false);
  });

  test('a restarted kubelet adopts running containers without restarting them', async () => {
    await client.create(PODS(), podSpec('keep', [{ name: 'app', image: IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity"] }]));
    let pod: PodJson | undefined;
    await eventually(async () => (pod = await getPod('keep'))?.status?.phase === 'Running', 15_000, 'keep Running');
    const before = pod!.status!.containerStatuses![0]!.containerID;
    const ids = [before?.replace('containerd://', '') ?? '', kubelet.sandboxId('default', 'keep') ?? '', pod!.metadata.uid ?? ''];
    assert.ok(ids.every((x) => x !== ''));
    await kubelet.stop();
    const mark = runtime.calls.length;
    kubelet = makeKubelet();
    await kubelet.start();
    await new Promise((r) => setTimeout(r, 1500));
    const after = runtime.calls.slice(mark);
    const touching = after.filter((c) => ['runPodSandbox', 'createContainer', 'startContainer', 'stopContainer', 'stopPodSandbox', 'removeContainer'].includes(c.method) && ids.some((x) => JSON.stringify(c.args).includes(x)));
    assert.deepEqual(touching, []);
    const now = await getPod('keep');
    assert.equal(now?.status?.phase, 'Running');
    assert.equal(now?.status?.containerStatuses?.[0]?.containerID, before);
    assert.equal(now?.status?.containerStatuses?.[0]?.restartCount, 0);
    assert.equal(kubelet.containerId('default', 'keep', 'app'), before?.replace('containerd://', ''));
  });

  test('removes sandboxes, containers, pod dirs and logs that belong to no pod', async () => {
    const uid = 'orphan-uid-1';
    const sandboxConfig = {
      metadata: { name: 'ghost', namespace: 'default', uid, attempt: 0 },
      hostname: 'ghost',
      logDirectory: join(data.path, 'agent', 'logs', 'pods', `default_ghost_${uid}`),
      portMappings: [],
      labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.pod.name': 'ghost', 'io.kubernetes.pod.namespace': 'default', 'skiff.dev/managed': 'true' },
      annotations: {},
    };
    const sb = await runtime.runPodSandbox(sandboxConfig);
    const cid = await runtime.createContainer(
      sb,
      { ...buildConfig({ container: { name: 'c', command: ['sleep', 'infinity'] }, attempt: 0, env: [], imageRef: IMAGE } as unknown as ContainerConfigInput), labels: { ...sandboxConfig.labels, 'io.kubernetes.container.name': 'c' }, annotations: { 'io.kubernetes.pod.terminationGracePeriod': '0' } },
      sandboxConfig,
    );
    await runtime.startContainer(cid);
    const unmanaged = await runtime.runPodSandbox({ ...sandboxConfig, metadata: { ...sandboxConfig.metadata, name: 'foreign', uid: 'foreign' }, labels: { 'io.kubernetes.pod.uid': 'foreign' } });
    mkdirSync(join(data.path, 'agent', 'pods', 'stale-uid'), { recursive: true });
    mkdirSync(join(data.path, 'agent', 'logs', 'pods', 'default_old_stale-uid', 'c'), { recursive: true });
    writeFileSync(join(data.path, 'agent', 'logs', 'pods', 'default_old_stale-uid', 'c', '0.log'), 'x\n');
    await eventually(async () => (await runtime.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).length === 0, 15_000, 'orphan sandbox removed');
    assert.equal((await runtime.listContainers({ id: cid })).length, 0);
    await eventually(() => !existsSync(join(data.path, 'agent', 'pods', 'stale-uid')) && !existsSync(join(data.path, 'agent', 'logs', 'pods', 'default_old_stale-uid')), 5000, 'stale dirs removed');
    assert.equal((await runtime.listPodSandbox({ id: unmanaged })).length, 1, 'unmanaged sandboxes are left alone');
    // The pods of this suite are still there.
    assert.equal((await getPod('keep'))?.status?.phase, 'Running');
  });
});
