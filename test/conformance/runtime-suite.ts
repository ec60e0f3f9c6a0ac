/**
 * runtimeSuite: the specification every Runtime implementation passes
 * (agent/cri/runtime.ts). It runs against the in-memory fake
 * (runtime-fake.test.ts) and against real containerd over gRPC
 * (runtime-containerd.test.ts), so the fake the kubelet's unit tests use
 * behaves as containerd does where the kubelet can tell.
 *
 * The fixture is set up once per suite. Every test makes its own
 * sandboxes (unique pod names and log directories) and removes them in a
 * `finally`; the fixture's cleanup removes whatever is left.
 *
 * Containers run busybox `sh -c` one-liners (the fake models exactly the
 * ones used here, see agent/cri/fake-shell.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTAINER_CREATED,
  CONTAINER_EXITED,
  CONTAINER_RUNNING,
  isRuntimeError,
  SANDBOX_NOTREADY,
  SANDBOX_READY,
  type ContainerConfig,
  type ContainerStatus,
  type PodSandboxConfig,
  type Runtime,
  type RuntimeErrorCode,
} from '../../agent/cri/runtime.js';

export interface RuntimeFixture {
  runtime: Runtime;
  /** A busybox image present in the runtime (containers of the suite run it). */
  image: string;
  /** Makes a further, unique image present that a test may remove; returns its reference. */
  addRemovableImage(): Promise<string>;
  /** A directory the suite creates pod log directories in. */
  logRoot: string;
  cleanup(): Promise<void>;
}

export type RuntimeSetup = () => Promise<RuntimeFixture>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function expectCode(p: Promise<unknown>, code: RuntimeErrorCode, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRuntimeError(e), `${what}: expected a RuntimeError, got ${String(e)}`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    return;
  }
  assert.fail(`${what}: expected ${code}, but the call succeeded`);
}

const ns = (s: string): bigint => BigInt(s);

export function runtimeSuite(name: string, setup: RuntimeSetup, options: { skip?: string } = {}): void {
  describe(`Runtime conformance: ${name}`, { skip: options.skip }, () => {
    let fx: RuntimeFixture;
    let rt: Runtime;
    let podSeq = 0;

    before(async () => {
      fx = await setup();
      rt = fx.runtime;
    });
    after(async () => {
      await fx?.cleanup();
    });

    const sandboxConfig = (extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig => {
      const n = ++podSeq;
      const uid = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      const name = `conf-${n}-${process.pid}`;
      return {
        metadata: { name, uid, namespace: 'conformance', attempt: 0 },
        hostname: name,
        logDirectory: join(fx.logRoot, `conformance_${name}_${uid}`),
        portMappings: [],
        labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.uid': uid, 'skiff.dev/managed': 'true', suite: 'runtime' },
        annotations: { 'io.kubernetes.pod.terminationGracePeriod': '30', note: `pod ${n}` },
        linux: { cgroupParent: '' },
        ...extra,
      };
    };

    const containerConfig = (cname: string, script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
      metadata: { name: cname, attempt: 0 },
      image: { image: fx.image },
      command: ['sh', '-c'],
      args: [script],
      workingDir: '',
      envs: [],
      mounts: [],
      labels: { 'io.kubernetes.container.name': cname, 'skiff.dev/managed': 'true' },
      annotations: { 'io.kubernetes.container.restartCount': '0', 'io.kubernetes.container.hash': 'abc123' },
      logPath: `${cname}/0.log`,
      stdin: false,
      stdinOnce: false,
      tty: false,
      // as the kubelet does for every pod without shareProcessNamespace: the command is PID 1 of its own PID namespace
      linux: { securityContext: { namespaceOptions: { network: 0, pid: 1, ipc: 0 } } },
      ...extra,
    });

    /** Runs body with a fresh ready sandbox, removing it afterwards whatever happens. */
    const withPod = async (body: (id: string, config: PodSandboxConfig) => Promise<void>, extra?: Partial<PodSandboxConfig>): Promise<void> => {
      const config = sandboxConfig(extra);
      const id = await rt.runPodSandbox(config);
      try {
        await body(id, config);
      } finally {
        await rt.stopPodSandbox(id).catch(() => undefined);
        await rt.removePodSandbox(id).catch(() => undefined);
      }
    };

    const startContainer = async (pod: string, podConfig: PodSandboxConfig, cname: string, script: string, extra?: Partial<ContainerConfig>): Promise<string> => {
      const id = await rt.createContainer(pod, containerConfig(cname, script, extra), podConfig);
      await rt.startContainer(id);
      return id;
    };

    const exited = (id: string): Promise<ContainerStatus> =>
      eventually(`container ${id.slice(0, 12)} to exit`, async () => {
        const s = await rt.containerStatus(id);
        return s.state === CONTAINER_EXITED ? s : undefined;
      });

    it('reports its name and the v1 API, and is ready', async () => {
      const v = await rt.version();
      assert.equal(v.runtimeApiVersion, 'v1');
      assert.ok(v.runtimeName.length > 0 && v.runtimeVersion.length > 0);
      const conditions = await rt.status();
      for (const type of ['RuntimeReady', 'NetworkReady']) assert.equal(conditions.find((c) => c.type === type)?.status, true, type);
    });

    it('runs a sandbox that is ready with an IP, stops it (not ready) and removes it (gone)', async () => {
      const config = sandboxConfig();
      const id = await rt.runPodSandbox(config);
      try {
        const s = await rt.podSandboxStatus(id);
        assert.equal(s.id, id);
        assert.equal(s.state, SANDBOX_READY);
        assert.match(s.network?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/);
        assert.deepEqual(s.metadata, config.metadata);
        assert.deepEqual(s.labels, config.labels);
        assert.deepEqual(s.annotations, config.annotations);
        assert.ok(ns(s.createdAt) > 1_600_000_000n * 1_000_000_000n, `createdAt ${s.createdAt} is nanoseconds since the epoch`);
        const listed = await rt.listPodSandbox({ id });
        assert.deepEqual(listed.map((p) => [p.id, p.state, p.createdAt]), [[id, SANDBOX_READY, s.createdAt]]);

        await rt.stopPodSandbox(id);
        assert.equal((await rt.podSandboxStatus(id)).state, SANDBOX_NOTREADY);
        await rt.stopPodSandbox(id); // idempotent
      } finally {
        await rt.removePodSandbox(id);
      }
      await expectCode(rt.podSandboxStatus(id), 'NOT_FOUND', 'status of a removed sandbox');
      assert.deepEqual(await rt.listPodSandbox({ id }), []);
      await rt.removePodSandbox(id); // idempotent
      await rt.stopPodSandbox(id); // gone: still fine
    });

    it('gives a host-network sandbox no pod IP of its own', async () => {
      await withPod(
        async (id) => {
          const s = await rt.podSandboxStatus(id);
          assert.equal(s.state, SANDBOX_READY);
          assert.equal(s.network?.ip ?? '', '');
        },
        // no hostname: a host-network sandbox has no UTS namespace of its own to set it in
        { hostname: '', linux: { cgroupParent: '', securityContext: { namespaceOptions: { network: 2, pid: 0, ipc: 0 } } } },
      );
    });

    it('refuses a second sandbox with the same name, namespace, uid and attempt', async () => {
      await withPod(async (_id, config) => {
        await expectCode(rt.runPodSandbox(config), 'UNKNOWN', 'duplicate sandbox');
      });
    });

    it('creates, starts and runs a container; labels, annotations, attempt and log path round-trip', async () => {
      await withPod(async (pod, podConfig) => {
        const config = containerConfig('web', 'sleep 3600', { metadata: { name: 'web', attempt: 2 }, logPath: 'web/2.log' });
        const id = await rt.createContainer(pod, config, podConfig);
        const created = await rt.containerStatus(id);
        assert.equal(created.state, CONTAINER_CREATED);
        assert.equal(created.startedAt, '0');
        await rt.startContainer(id);
        const s = await rt.containerStatus(id);
        assert.equal(s.state, CONTAINER_RUNNING);
        assert.deepEqual(s.metadata, { name: 'web', attempt: 2 });
        assert.deepEqual(s.labels, config.labels);
        assert.deepEqual(s.annotations, config.annotations);
        assert.equal(s.logPath, join(podConfig.logDirectory, 'web/2.log'));
        assert.ok(ns(s.startedAt) >= ns(s.createdAt) && ns(s.createdAt) > 0n);
        assert.equal(s.finishedAt, '0');
        assert.match(s.imageRef, /sha256:[0-9a-f]{64}$/);
        const [listed] = await rt.listContainers({ id });
        assert.equal(listed?.podSandboxId, pod);
        assert.equal(listed?.state, CONTAINER_RUNNING);
        assert.deepEqual(listed?.metadata, { name: 'web', attempt: 2 });
        assert.deepEqual(listed?.labels, config.labels);
        assert.deepEqual(listed?.annotations, config.annotations);
        await expectCode(rt.startContainer(id), 'UNKNOWN', 'starting a running container');
      });
    });

    it('reports a container that exits with its exit code (Error) and a clean exit as Completed', async () => {
      await withPod(async (pod, podConfig) => {
        const failing = await startContainer(pod, podConfig, 'fails', 'exit 3');
        const ok = await startContainer(pod, podConfig, 'succeeds', 'true');
        const f = await exited(failing);
        assert.equal(f.exitCode, 3);
        assert.equal(f.reason, 'Error');
        // both set; a process this short may be seen finished before its start is recorded, so no order between them
        assert.ok(ns(f.startedAt) > 0n && ns(f.finishedAt) >= ns(f.createdAt), `created ${f.createdAt}, started ${f.startedAt}, finished ${f.finishedAt}`);
        const o = await exited(ok);
        assert.equal(o.exitCode, 0);
        assert.equal(o.reason, 'Completed');
        await expectCode(rt.startContainer(failing), 'UNKNOWN', 'starting an exited container');
      });
    });

    it('refuses a second container with the same name and attempt in a sandbox', async () => {
      await withPod(async (pod, podConfig) => {
        await rt.createContainer(pod, containerConfig('dup', 'true'), podConfig);
        await expectCode(rt.createContainer(pod, containerConfig('dup', 'true'), podConfig), 'UNKNOWN', 'duplicate container');
        // another attempt of the same container is fine
        await rt.createContainer(pod, containerConfig('dup', 'true', { metadata: { name: 'dup', attempt: 1 }, logPath: 'dup/1.log' }), podConfig);
      });
    });

    it('filters sandboxes and containers by id, state, sandbox and labels', async () => {
      await withPod(async (podA, configA) => {
        await withPod(async (podB, configB) => {
          const a1 = await startContainer(podA, configA, 'a1', 'sleep 3600');
          const a2 = await rt.createContainer(podA, containerConfig('a2', 'true'), configA);
          const b1 = await startContainer(podB, configB, 'b1', 'sleep 3600');
          const ids = async (f: Parameters<Runtime['listContainers']>[0]): Promise<string[]> => (await rt.listContainers(f)).map((c) => c.id).sort();
          assert.deepEqual(await ids({ podSandboxId: podA }), [a1, a2].sort());
          assert.deepEqual(await ids({ podSandboxId: podA, state: CONTAINER_RUNNING }), [a1]);
          assert.deepEqual(await ids({ podSandboxId: podA, state: CONTAINER_CREATED }), [a2]);
          assert.deepEqual(await ids({ id: b1 }), [b1]);
          assert.deepEqual(await ids({ labelSelector: { 'io.kubernetes.container.name': 'b1', 'skiff.dev/managed': 'true' } }), [b1]);
          assert.deepEqual(await ids({ labelSelector: { 'io.kubernetes.container.name': 'b1', 'skiff.dev/managed': 'false' } }), []);
          const mine = (await rt.listContainers()).map((c) => c.id);
          for (const id of [a1, a2, b1]) assert.ok(mine.includes(id));

          const pods = async (f: Parameters<Runtime['listPodSandbox']>[0]): Promise<string[]> => (await rt.listPodSandbox(f)).map((p) => p.id).sort();
          assert.deepEqual(await pods({ labelSelector: { 'io.kubernetes.pod.uid': configB.metadata.uid } }), [podB]);
          assert.deepEqual(await pods({ labelSelector: { suite: 'runtime', 'io.kubernetes.pod.name': configA.metadata.name } }), [podA]);
          await rt.stopPodSandbox(podA);
          assert.deepEqual(await pods({ id: podA, state: SANDBOX_READY }), []);
          assert.deepEqual(await pods({ id: podA, state: SANDBOX_NOTREADY }), [podA]);
          assert.deepEqual(await pods({ id: podB, state: SANDBOX_READY }), [podB]);
        });
      });
    });

    it('stops a container that ignores SIGTERM after the timeout, by SIGKILL (137)', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'stubborn', 'sleep 3600');
        await rt.stopContainer(id, 0); // a 0 timeout kills at once
        const s0 = await rt.containerStatus(id);
        assert.equal(s0.state, CONTAINER_EXITED);
        assert.equal(s0.exitCode, 137);

        const id2 = await startContainer(pod, podConfig, 'stubborn2', 'sleep 3600');
        const t0 = Date.now();
        await rt.stopContainer(id2, 2);
        const took = Date.now() - t0;
        assert.ok(took >= 1900, `stop returned after ${took} ms, before the 2 s timeout`);
        assert.ok(took < 10_000, `stop took ${took} ms`);
        const s = await rt.containerStatus(id2);
        assert.equal(s.state, CONTAINER_EXITED);
        assert.equal(s.exitCode, 137);
        assert.equal(s.reason, 'Error');
        await rt.stopContainer(id2, 2); // stopping an exited container is fine
      });
    });

    it('stops a container that shares the sandbox PID namespace (not PID 1) at once by SIGTERM (143)', async () => {
      await withPod(async (pod, podConfig) => {
        const shared = { linux: { securityContext: { namespaceOptions: { network: 0, pid: 0, ipc: 0 } } } };
        const id = await startContainer(pod, podConfig, 'shared', 'sleep 3600', shared);
        await sleep(300);
        const t0 = Date.now();
        await rt.stopContainer(id, 30);
        assert.ok(Date.now() - t0 < 10_000, 'SIGTERM ends it long before the 30 s timeout');
        const s = await rt.containerStatus(id);
        assert.deepEqual([s.state, s.exitCode, s.reason], [CONTAINER_EXITED, 143, 'Error']);
      });
    });

    it('stops a container that traps SIGTERM at once, with its handler’s exit code', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'graceful', "trap 'exit 0' TERM; sleep 3600 & wait");
        await sleep(300); // let the shell install its trap
        const t0 = Date.now();
        await rt.stopContainer(id, 30);
        assert.ok(Date.now() - t0 < 10_000, 'the trap ends the container long before the 30 s timeout');
        const s = await rt.containerStatus(id);
        assert.equal(s.state, CONTAINER_EXITED);
        assert.equal(s.exitCode, 0);
        assert.equal(s.reason, 'Completed');
      });
    });

    it('runs execSync with stdout, stderr and the exit code, and times it out', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'shell', 'sleep 3600');
        const r = await rt.execSync(id, ['sh', '-c', 'echo out; echo err >&2; exit 4'], 10);
        assert.equal(r.stdout.toString(), 'out\n');
        assert.equal(r.stderr.toString(), 'err\n');
        assert.equal(r.exitCode, 4);
        assert.ok(Buffer.isBuffer(r.stdout) && Buffer.isBuffer(r.stderr));
        const ok = await rt.execSync(id, ['echo', 'hi'], 10);
        assert.deepEqual([ok.stdout.toString(), ok.exitCode], ['hi\n', 0]);
        await expectCode(rt.execSync(id, ['sleep', '5'], 1), 'DEADLINE_EXCEEDED', 'exec past its timeout');
      });
    });

    it('returns single-use streaming URLs for exec, attach and port-forward', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'stream', 'sleep 3600');
        const e1 = await rt.exec({ containerId: id, cmd: ['sh'], tty: false, stdin: true, stdout: true, stderr: true });
        const e2 = await rt.exec({ containerId: id, cmd: ['sh'], tty: false, stdin: true, stdout: true, stderr: true });
        assert.match(e1, /^https?:\/\/[^/]+\/exec\/\S+$/);
        assert.notEqual(e1, e2);
        assert.match(await rt.attach({ containerId: id, tty: false, stdin: false, stdout: true, stderr: true }), /^https?:\/\/[^/]+\/attach\/\S+$/);
        assert.match(await rt.portForward({ podSandboxId: pod, port: [8080] }), /^https?:\/\/[^/]+\/portforward\/\S+$/);
        await expectCode(rt.exec({ containerId: 'nonexistent', cmd: ['sh'], tty: false, stdin: false, stdout: true, stderr: true }), 'NOT_FOUND', 'exec in a missing container');
      });
    });

    it('writes the container log in CRI format at logDirectory/logPath', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'logger', 'echo hello; echo oops >&2; echo world');
        await exited(id);
        const file = join(podConfig.logDirectory, 'logger/0.log');
        const lines = await eventually('3 log lines', async () => {
          const l = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
          return l.length >= 3 ? l : undefined;
        });
        const parsed = lines.map((l) => {
          const m = /^(\S+) (stdout|stderr) (F|P) (.*)$/.exec(l);
          assert.ok(m, `not a CRI log line: ${JSON.stringify(l)}`);
          const ts = m[1] as string;
          assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
          assert.ok(Math.abs(Date.parse(ts) - Date.now()) < 600_000, `timestamp ${ts}`);
          return `${m[2]} ${m[3]} ${m[4]}`;
        });
        assert.deepEqual(parsed.filter((l) => l.startsWith('stdout')), ['stdout F hello', 'stdout F world']);
        assert.deepEqual(parsed.filter((l) => l.startsWith('stderr')), ['stderr F oops']);
      });
    });

    it('reports CPU and memory of running containers', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'busy', 'sleep 3600');
        const stats = await eventually('stats with memory', async () => {
          const [s] = await rt.listContainerStats({ id });
          return s?.memory && ns(s.memory.workingSetBytes) > 0n ? s : undefined;
        });
        assert.equal(stats.attributes.id, id);
        assert.deepEqual(stats.attributes.metadata, { name: 'busy', attempt: 0 });
        assert.equal(stats.attributes.labels['io.kubernetes.container.name'], 'busy');
        assert.ok(stats.cpu && ns(stats.cpu.timestamp) > 0n && ns(stats.cpu.usageCoreNanoSeconds) >= 0n);
        assert.ok(ns(stats.memory?.timestamp ?? '0') > 0n);
        const bySandbox = await rt.listContainerStats({ podSandboxId: pod });
        assert.deepEqual(bySandbox.map((s) => s.attributes.id), [id]);
      });
    });

    it('applies new resources to a running container and reopens its log', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'resized', 'sleep 3600');
        await rt.updateContainerResources(id, { cpuPeriod: '100000', cpuQuota: '50000', cpuShares: '512', memoryLimitInBytes: String(64 * 1024 * 1024), oomScoreAdj: '0' });
        await rt.reopenContainerLog(id);
        await rt.stopContainer(id, 0);
        await expectCode(rt.reopenContainerLog(id), 'UNKNOWN', 'reopening the log of an exited container');
      });
    });

    it('stopping a sandbox kills its containers; removing one removes them', async () => {
      const config = sandboxConfig();
      const pod = await rt.runPodSandbox(config);
      try {
        const id = await startContainer(pod, config, 'victim', 'sleep 3600');
        await rt.stopPodSandbox(pod);
        const s = await rt.containerStatus(id);
        assert.equal(s.state, CONTAINER_EXITED);
        assert.equal(s.exitCode, 137);
        await expectCode(rt.createContainer(pod, containerConfig('late', 'true'), config), 'NOT_FOUND', 'creating in a stopped sandbox');
        await rt.removePodSandbox(pod);
        await expectCode(rt.containerStatus(id), 'NOT_FOUND', 'container of a removed sandbox');
      } finally {
        await rt.removePodSandbox(pod);
      }
    });

    it('removes a running container (killing it), and removing it twice is fine', async () => {
      await withPod(async (pod, podConfig) => {
        const id = await startContainer(pod, podConfig, 'doomed', 'sleep 3600');
        await rt.removeContainer(id);
        await expectCode(rt.containerStatus(id), 'NOT_FOUND', 'status of a removed container');
        assert.deepEqual(await rt.listContainers({ id }), []);
        await rt.removeContainer(id);
        // the name is free again
        const again = await rt.createContainer(pod, containerConfig('doomed', 'true'), podConfig);
        assert.notEqual(again, id);
      });
    });

    it('answers NOT_FOUND for unknown sandboxes, containers and images', async () => {
      await expectCode(rt.podSandboxStatus('nonexistent'), 'NOT_FOUND', 'podSandboxStatus');
      await expectCode(rt.containerStatus('nonexistent'), 'NOT_FOUND', 'containerStatus');
      await expectCode(rt.startContainer('nonexistent'), 'NOT_FOUND', 'startContainer');
      await expectCode(rt.stopContainer('nonexistent', 1), 'NOT_FOUND', 'stopContainer');
      await expectCode(rt.execSync('nonexistent', ['true'], 1), 'NOT_FOUND', 'execSync');
      await expectCode(rt.createContainer('nonexistent', containerConfig('x', 'true'), sandboxConfig()), 'NOT_FOUND', 'createContainer in a missing sandbox');
      await withPod(async (pod, podConfig) => {
        const missing = containerConfig('x', 'true', { image: { image: 'localhost/skiff-absent:0' } });
        await expectCode(rt.createContainer(pod, missing, podConfig), 'NOT_FOUND', 'createContainer of a missing image');
      });
    });

    it('lists images, tells present from absent ones and removes an image', async () => {
      const images = await rt.listImages();
      const base = images.find((i) => i.repoTags.includes(fx.image));
      assert.ok(base, `${fx.image} is listed`);
      assert.match(base.id, /^sha256:[0-9a-f]{64}$/);
      assert.ok(ns(base.size) > 0n);
      assert.deepEqual(await rt.imageStatus(fx.image), base);
      assert.equal(await rt.imageStatus('localhost/skiff-absent:0'), undefined);

      const ref = await fx.addRemovableImage();
      const added = await rt.imageStatus(ref);
      assert.ok(added && added.repoTags.includes(ref), `${ref} is present`);
      assert.deepEqual(await rt.imageStatus(added.id), added, 'an image is found by its id too');
      await rt.removeImage(ref);
      assert.equal(await rt.imageStatus(ref), undefined);
      assert.ok(!(await rt.listImages()).some((i) => i.id === added.id));
      await rt.removeImage(ref); // already gone: fine
      assert.ok(await rt.imageStatus(fx.image), 'other images stay');

      const [fs] = await rt.imageFsInfo();
      assert.ok(fs && ns(fs.usedBytes) > 0n && fs.mountpoint.length > 0);
    });

    it('fails to pull an image no registry serves', async () => {
      await assert.rejects(rt.pullImage('127.0.0.1:1/skiff-nowhere:1'), (e: unknown) => isRuntimeError(e) && /skiff-nowhere/.test(e.message));
    });
  });
}
