/**
 * The private containerd, for real: the agent's supervisor and the test
 * helper built on it start Debian's containerd in a temp dir, import the
 * locally built images, run pods on their own bridge, restart containerd
 * when it dies, leave containers running across a containerd stop, and
 * remove everything of one instance — and only of that instance — at the
 * end. Pods are created through the agent's CRI client (a sandbox with a
 * hostPort), over a fresh connection per step, closed after.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanupHost, removeAllPods, shimPids } from '../../agent/containerd/host-cleanup.js';
import { containerdPidsFor, socketAnswers, startContainerd, type RunningContainerd } from '../../agent/containerd/supervisor.js';
import { BUSYBOX_IMAGE, containerdSkipReason, PAUSE_IMAGE, reservePodCidr, startTestContainerd, testImageFiles, type TestContainerd } from '../helpers/containerd.js';
import { createRuntime } from '../../agent/cri/create-runtime.js';
import type { ContainerConfig, PodSandboxConfig, Runtime } from '../../agent/cri/runtime.js';
import { importImages } from '../../agent/images/import.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/temp-dir.js';

const skip = containerdSkipReason();

/** One CRI client on the socket for `fn`, closed after. */
async function withCri<T>(socket: string, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const runtime = createRuntime(`unix://${socket}`, { requestTimeoutMs: 10_000, longTimeoutMs: 60_000 });
  try {
    return await fn(runtime);
  } finally {
    runtime.close();
  }
}

/** CRI answers Version (the CRI plugin serves, not merely the socket). */
const criVersion = (socket: string): Promise<string> => withCri(socket, async (rt) => (await rt.version()).runtimeName);

const podConfig = (name: string, logDir: string, hostPort?: number): PodSandboxConfig => ({
  metadata: { name, uid: `${name}-uid`, namespace: 'default', attempt: 0 },
  hostname: name,
  logDirectory: logDir,
  portMappings: hostPort ? [{ protocol: 0, containerPort: 80, hostPort, hostIp: '' }] : [],
  labels: { 'skiff.dev/managed': 'true' },
  annotations: {},
  linux: { cgroupParent: '' },
});

const runPod = (socket: string, name: string, logDir: string, hostPort?: number): Promise<string> =>
  withCri(socket, (rt) => rt.runPodSandbox(podConfig(name, logDir, hostPort)));

const sandboxIds = (socket: string): Promise<string[]> => withCri(socket, async (rt) => (await rt.listPodSandbox()).map((s) => s.id));

const ctr = (socket: string, ...args: string[]): string => execFileSync('ctr', ['--address', socket, '-n', 'k8s.io', ...args], { encoding: 'utf8' });
const natRules = (): string => execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' });
const linkExists = (name: string): boolean => spawnSync('ip', ['link', 'show', name]).status === 0;
const cniResults = (network: string): string[] => {
  try {
    return readdirSync('/var/lib/cni/results').filter((f) => f.startsWith(`${network}-`));
  } catch {
    return [];
  }
};
const mountsUnder = (dir: string): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(` ${dir}/`));
/** Running (a zombie waiting for its reaper counts as gone). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('the test containerd helper', { skip }, () => {
  let a: TestContainerd;
  let b: TestContainerd;
  before(async () => {
    [a, b] = await Promise.all([startTestContainerd(), startTestContainerd()]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('serves CRI on its own socket with the pause and busybox images imported', async () => {
    assert.equal(a.endpoint, `unix://${a.socketPath}`);
    assert.ok(a.socketPath.startsWith(a.dir));
    assert.equal(await criVersion(a.socketPath), 'containerd');
    const refs = ctr(a.socketPath, 'images', 'ls', '-q').split('\n');
    assert.ok(refs.includes(PAUSE_IMAGE), refs.join(' '));
    assert.ok(refs.includes(BUSYBOX_IMAGE), refs.join(' '));
  });

  it('gives each instance its own bridge, CNI network and pod CIDR', () => {
    assert.notEqual(a.bridgeName, b.bridgeName);
    assert.notEqual(a.networkName, b.networkName);
    assert.notEqual(a.podCidr, b.podCidr);
    assert.match(a.podCidr, /^10\.88\.\d{1,3}\.0\/24$/);
    assert.notEqual(a.streamPort, b.streamPort);
  });

  it('runs pod sandboxes with hostPorts on its bridge (pause image, CNI bridge + portmap)', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    await runPod(a.socketPath, 'web', join(a.dir, 'logs', 'web'), pa);
    await runPod(b.socketPath, 'web', join(b.dir, 'logs', 'web'), pb);
    assert.equal((await sandboxIds(a.socketPath)).length, 1);
    assert.ok(linkExists(a.bridgeName) && linkExists(b.bridgeName));
    const nat = natRules();
    assert.ok(nat.includes(`name: \\"${a.networkName}\\"`), nat);
    assert.ok(nat.includes(`name: \\"${b.networkName}\\"`), nat);
    assert.equal(cniResults(a.networkName).length, 1);
  });

  it('stop() removes its sandboxes, shims, mounts, iptables rules, bridge, CNI results and dir, and nothing of another instance', async () => {
    const socket = a.socketPath;
    await a.stop();
    assert.equal(existsSync(a.dir), false, 'temp dir removed');
    assert.deepEqual(shimPids(socket), []);
    assert.deepEqual(mountsUnder(a.dir), []);
    assert.equal(linkExists(a.bridgeName), false, 'bridge removed');
    assert.ok(!natRules().includes(`name: \\"${a.networkName}\\"`), 'portmap rules removed');
    assert.deepEqual(cniResults(a.networkName), []);
    // The other instance is untouched.
    assert.equal((await sandboxIds(b.socketPath)).length, 1);
    assert.ok(linkExists(b.bridgeName));
    assert.ok(natRules().includes(`name: \\"${b.networkName}\\"`));
    assert.equal(cniResults(b.networkName).length, 1);
  });

  it('removeAllPods() stops and removes every container and sandbox through CRI, releasing their CNI state, while containerd runs', async () => {
    const [pod] = await sandboxIds(b.socketPath);
    assert.ok(pod);
    const sandboxConfig = podConfig('web', join(b.dir, 'logs', 'web'));
    const container: ContainerConfig = {
      metadata: { name: 'sleeper', attempt: 0 },
      image: { image: BUSYBOX_IMAGE },
      command: ['sleep', '3600'],
      args: [],
      workingDir: '',
      envs: [],
      mounts: [],
      labels: { 'skiff.dev/managed': 'true' },
      annotations: {},
      logPath: 'sleeper/0.log',
      stdin: false,
      stdinOnce: false,
      tty: false,
    };
    await withCri(b.socketPath, async (rt) => rt.startContainer(await rt.createContainer(pod, container, sandboxConfig)));
    assert.equal(await removeAllPods(b.socketPath), 1);
    assert.deepEqual(await sandboxIds(b.socketPath), []);
    assert.deepEqual(await withCri(b.socketPath, (rt) => rt.listContainers()), []);
    assert.ok(!natRules().includes(`name: \\"${b.networkName}\\"`), 'CNI DEL removed the portmap rules');
    assert.deepEqual(cniResults(b.networkName), []);
    assert.ok(b.supervisor.pid(), 'containerd still running');
  });
});

describe('the containerd supervisor', { skip }, () => {
  const tmp = tempDir('skiff-sup-');
  const cidr = skip ? undefined : reservePodCidr();
  const dir = join(tmp.path, 'containerd');
  let c: RunningContainerd | undefined;
  const start = async (): Promise<RunningContainerd> =>
    startContainerd({
      dir,
      streamAddress: '127.0.0.1',
      streamPort: await freePort(),
      sandboxImage: PAUSE_IMAGE,
      podCidr: cidr!.cidr,
      bridgeName: `sksup${process.pid % 10000}`,
      networkName: `skiff-sup${process.pid}`,
    });
  after(async () => {
    await c?.stop();
    if (c) await cleanupHost({ paths: c.paths, networkName: c.networkName, bridgeName: `sksup${process.pid % 10000}`, extraDirs: [tmp.path] });
    tmp.remove();
    cidr?.release();
  });

  it('writes config.toml and one conflist, and serves CRI once started', async () => {
    c = await start();
    assert.match(readFileSync(join(dir, 'config.toml'), 'utf8'), /sandbox_image = "localhost\/pause:1\.0"/);
    assert.deepEqual(readdirSync(join(tmp.path, 'cni', 'net.d')), [`10-skiff-sup${process.pid}.conflist`]);
    assert.equal(await criVersion(c.socketPath), 'containerd');
    const imported = await importImages(c.socketPath, [testImageFiles().pause, testImageFiles().busybox]);
    assert.deepEqual(imported.map((i) => i.ref).sort(), [BUSYBOX_IMAGE, PAUSE_IMAGE]);
  });

  it('restarts containerd that died and serves CRI again on the same socket', async () => {
    assert.ok(c);
    const before = c.pid();
    assert.ok(before);
    process.kill(before, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    await c.ready();
    assert.equal(c.restarts(), 1);
    assert.notEqual(c.pid(), before);
    assert.equal(await criVersion(c.socketPath), 'containerd');
  });

  it('rejects a dir whose socket path would not fit a unix socket, before starting anything', async () => {
    await assert.rejects(
      startContainerd({ dir: join(tmp.path, 'x'.repeat(100)), streamAddress: '127.0.0.1', streamPort: 0, sandboxImage: PAUSE_IMAGE, bridgeName: 'skx0' }),
      /too long for a unix socket/,
    );
    assert.equal(existsSync(join(tmp.path, 'x'.repeat(100))), false);
  });

  it('refuses to start a second containerd on a dir whose socket answers', async () => {
    await assert.rejects(start(), /already serves/);
  });

  it('leaves pods running when containerd stops; the next containerd on the dir adopts them', async () => {
    assert.ok(c);
    const id = await runPod(c.socketPath, 'survivor', join(tmp.path, 'logs'), await freePort());
    const pid = sandboxPid(c, id);
    assert.ok(pid > 0);
    assert.ok(natRules().includes(`name: \\"skiff-sup${process.pid}\\"`), 'hostPort rules in place');
    await c.stop();
    assert.equal(existsSync(c.socketPath), false, 'containerd removed its socket');
    assert.ok(alive(pid), 'the sandbox outlives containerd');
    c = await start();
    assert.deepEqual(await sandboxIds(c.socketPath), [id]);
    assert.equal(sandboxPid(c, id), pid, 'same process, not restarted');
  });

  it('cleanupHost() after stop kills what is left and removes the dir', async () => {
    assert.ok(c);
    const [id] = await sandboxIds(c.socketPath);
    const pid = sandboxPid(c, id!);
    await c.stop();
    const report = await cleanupHost({ paths: c.paths, networkName: c.networkName, bridgeName: `sksup${process.pid % 10000}` });
    c = undefined;
    assert.ok(report.shims >= 1);
    assert.ok(report.containers >= 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alive(pid), false, 'sandbox process killed');
    assert.equal(existsSync(dir), false);
    assert.deepEqual(mountsUnder(dir), []);
    assert.equal(linkExists(`sksup${process.pid % 10000}`), false);
    assert.deepEqual(cniResults(`skiff-sup${process.pid}`), []);
    assert.ok(!natRules().includes(`name: \\"skiff-sup${process.pid}\\"`), 'portmap rules removed without containerd');
  });

  it('replaces a containerd orphaned by a crashed Skiff on the same dir', async () => {
    const config = join(dir, 'config.toml');
    c = await start();
    await c.stop();
    // As if Skiff had died: a containerd on this config, reparented to init.
    spawnSync('sh', ['-c', `containerd --config ${config} >/dev/null 2>&1 &`]);
    const deadline = Date.now() + 15_000;
    while (!(await socketAnswers(join(dir, 'containerd.sock'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [orphan] = containerdPidsFor(config);
    assert.ok(orphan && alive(orphan), 'orphan running');
    c = await start();
    assert.notEqual(c.pid(), orphan);
    assert.equal(alive(orphan), false, 'orphan stopped');
    assert.equal(await criVersion(c.socketPath), 'containerd');
  });

  it('stop() during the restart backoff cancels the restart', async () => {
    assert.ok(c);
    process.kill(c.pid()!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    await c.stop();
    await assert.rejects(c.ready(), /stopped before it restarted/);
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(containerdPidsFor(join(dir, 'config.toml')), []);
  });
});

/** The pid of a sandbox's pause process, from the instance's runc root. */
function sandboxPid(c: RunningContainerd, id: string): number {
  const state = JSON.parse(execFileSync('runc', ['--root', join(c.paths.runcRoot, 'k8s.io'), 'state', id], { encoding: 'utf8' })) as { pid: number; status: string };
  assert.equal(state.status, 'running');
  return state.pid;
}
