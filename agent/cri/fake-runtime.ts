/**
 * FakeRuntime: an in-memory CRI runtime for unit tests, with containerd
 * 1.6's observable semantics (the shared suite in
 * test/conformance/runtime-suite.ts checks both against each other).
 *
 * - Sandboxes: READY with an IP (none for host network) → stopPodSandbox
 *   kills their containers (137) and clears the IP → NOTREADY → removal
 *   removes them with their containers. Names are reserved per
 *   (name, namespace, uid, attempt) like containerd, and containers per
 *   (name, sandbox, attempt).
 * - Containers run a model of their argv (fake-shell.ts): `echo` lines go
 *   to the CRI log file at logDirectory/logPath, `sleep`, `exit N`, a
 *   `trap 'exit N' TERM`. stopContainer sends SIGTERM: a trap exits with
 *   its code; no trap kills (143), except a container that is PID 1 of its
 *   own PID namespace (pid CONTAINER, as the kubelet sets): it ignores
 *   SIGTERM, so stop waits the timeout (on the injected `sleep`) and kills:
 *   exit 137, reason Error. Exit 0 gives reason Completed. Test helpers: exitContainer, oomKill,
 *   writeLog, setStats.
 * - Images: addImage (like an airgap import: no repo digest), allowPull
 *   (a registry has it, optionally behind credentials), failPull. Refs are
 *   normalized as containerd does (`busybox` → docker.io/library/busybox:latest).
 * - execSync runs the same model, or what scriptExec returns.
 * - Errors are criError(...) with containerd's texts. injectError makes
 *   the next call(s) of a method fail; setAvailable(false) makes every
 *   call UNAVAILABLE. Every call is logged in `calls`.
 * - Time comes from the injected clock; waiting (sleep steps, stop
 *   timeouts) from the injected `sleep`, so tests on a manual clock can
 *   make waits advance it.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { systemClock, type Clock } from '../../control-plane/api/meta.js';
import { criError } from './cri-errors.js';
import { parseProgram, type Program } from './fake-shell.js';
import {
  CONTAINER_CREATED,
  CONTAINER_EXITED,
  CONTAINER_RUNNING,
  RuntimeError,
  SANDBOX_NOTREADY,
  SANDBOX_READY,
  type AuthConfig,
  type Container,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecSyncResult,
  type Image,
  type LinuxContainerResources,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeCondition,
  type RuntimeErrorCode,
  type VersionInfo,
} from './runtime.js';
import { rfc3339Nano } from './fake-support.js';
import { copyImage, FakeImageStore } from './fake-images.js';

export interface FakeRuntimeOptions {
  clock?: Clock;
  /**
   * How the fake waits: stop timeouts and exec sleeps, and (background =
   * true) a running container's own `sleep` steps. Default: real timers
   * (background ones unref'd). ms may be Infinity.
   */
  sleep?: (ms: number, background?: boolean) => Promise<void>;
  /** First three octets of sandbox IPs. Default `10.88.0.`. */
  ipPrefix?: string;
  /** Base of exec/attach/portForward URLs. Default `http://127.0.0.1:10350`. */
  streamingBase?: string;
}

export interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  state: number;
  createdAt: string;
  ip: string;
  runtimeHandler: string;
}

export interface FakeContainer {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  imageId: string;
  state: number;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  reason: string;
  message: string;
  logFile: string;
  resources?: LinuxContainerResources;
  stats: { cpuNanos: string; memoryBytes: string };
  logReopens: number;
  /** Bumped on every exit so a running program notices it was killed. */
  run: number;
  program?: Program;
}

export interface FakeCall {
  method: string;
  args: unknown[];
}

type ExecScript = (containerId: string, cmd: string[]) => ExecSyncResult | undefined;

/** Real timers; a container's own sleeps (`background`) do not keep the process alive, a caller's wait (stop timeout, exec) does. */
const realSleep = (ms: number, background = false): Promise<void> =>
  ms === Infinity
    ? new Promise<void>(() => undefined)
    : new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        if (background) t.unref();
      });

const notFoundContainer = (id: string): RuntimeError => criError('NOT_FOUND', `an error occurred when try to find container ${JSON.stringify(id)}: not found`);
const notFoundSandbox = (): RuntimeError => criError('NOT_FOUND', 'an error occurred when try to find sandbox: not found');
const STATE_NAMES = ['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED', 'CONTAINER_UNKNOWN'];

export class FakeRuntime implements Runtime {
  readonly calls: FakeCall[] = [];
  private readonly clock: Clock;
  private readonly sleep: (ms: number, background?: boolean) => Promise<void>;
  private readonly ipPrefix: string;
  private readonly streamingBase: string;
  private readonly sandboxes = new Map<string, FakeSandbox>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly images = new FakeImageStore();
  private readonly injected = new Map<string, { error: RuntimeError; times: number }>();
  private readonly names = new Map<string, string>();
  private readonly execScripts: ExecScript[] = [];
  private conditions: RuntimeCondition[] = [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ];
  private available = true;
  private seq = 0;
  private nextIp = 2;

  constructor(options: FakeRuntimeOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.ipPrefix = options.ipPrefix ?? '10.88.0.';
    this.streamingBase = options.streamingBase ?? 'http://127.0.0.1:10350';
  }

  // ---- test helpers ----

  /** Makes an image present, as an airgap import does (no repo digest). Returns its id. */
  addImage(ref: string, size = '2000000'): string {
    return this.images.add(ref, size);
  }

  /** Lets pullImage(ref) succeed, optionally only with these credentials. */
  allowPull(ref: string, options: { auth?: { username: string; password: string }; size?: string } = {}): void {
    this.images.allowPull(ref, options);
  }

  /** Makes pullImage(ref) fail with this description (code UNKNOWN unless given). */
  failPull(ref: string, desc: string, code: RuntimeErrorCode = 'UNKNOWN'): void {
    this.images.failPull(ref, desc, code);
  }

  /** Makes the next `times` calls of `method` (an interface method name, e.g. `createContainer`) fail. */
  injectError(method: string, error: RuntimeError | { code: RuntimeErrorCode; desc: string }, times = 1): void {
    this.injected.set(method, { error: error instanceof RuntimeError ? error : criError(error.code, error.desc), times });
  }

  /** false: every call fails with UNAVAILABLE, as when containerd is down. */
  setAvailable(available: boolean): void {
    this.available = available;
  }

  setCondition(type: string, status: boolean, reason = '', message = ''): void {
    this.conditions = [...this.conditions.filter((c) => c.type !== type), { type, status, reason, message }];
  }

  /** Answers execSync calls the script returns a result for (first match wins; others run the shell model). */
  scriptExec(script: ExecScript): void {
    this.execScripts.push(script);
  }

  /** Ends a running container's process with this exit code. */
  exitContainer(id: string, exitCode: number, reason?: string, message = ''): void {
    const c = this.mustContainer(id);
    if (c.state === CONTAINER_RUNNING) this.finish(c, exitCode, reason, message);
  }

  /** The cgroup OOM killer ends the container: exit 137, reason OOMKilled. */
  oomKill(id: string): void {
    this.exitContainer(id, 137, 'OOMKilled');
  }

  /** Appends output to the container's CRI log file as the runtime would. */
  writeLog(id: string, stream: 'stdout' | 'stderr', text: string): void {
    this.appendLog(this.mustContainer(id), stream, text);
  }

  setStats(id: string, stats: { cpuNanos?: string; memoryBytes?: string }): void {
    const c = this.mustContainer(id);
    c.stats = { cpuNanos: stats.cpuNanos ?? c.stats.cpuNanos, memoryBytes: stats.memoryBytes ?? c.stats.memoryBytes };
  }

  getSandbox(id: string): FakeSandbox | undefined {
    return this.sandboxes.get(id);
  }

  getContainer(id: string): FakeContainer | undefined {
    return this.containers.get(id);
  }

  /** Calls of one method, for assertions (`fake.callsOf('pullImage')`). */
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  // ---- Runtime ----

  async version(): Promise<VersionInfo> {
    this.enter('version', []);
    return { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async status(): Promise<RuntimeCondition[]> {
    this.enter('status', []);
    return this.conditions.map((c) => ({ ...c }));
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    this.enter('runPodSandbox', [config, runtimeHandler]);
    const m = config.metadata;
    const id = this.newId('sandbox');
    this.reserve(`sandbox:${m.name}_${m.namespace}_${m.uid}_${m.attempt}`, `sandbox name "${m.name}_${m.namespace}_${m.uid}_${m.attempt}"`, id);
    const hostNetwork = config.linux?.securityContext?.namespaceOptions?.network === 2;
    if (hostNetwork && config.hostname) {
      throw criError('UNKNOWN', 'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to set hostname without a private UTS namespace: unknown');
    }
    const ip = hostNetwork ? '' : `${this.ipPrefix}${this.nextIp++}`;
    this.sandboxes.set(id, { id, config: structuredClone(config), state: SANDBOX_READY, createdAt: this.nowNs(), ip, runtimeHandler });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    this.enter('stopPodSandbox', [podSandboxId]);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) return;
    for (const c of this.containersOf(podSandboxId)) if (c.state === CONTAINER_RUNNING) this.finish(c, 137);
    s.state = SANDBOX_NOTREADY;
    s.ip = '';
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    this.enter('removePodSandbox', [podSandboxId]);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) return;
    for (const c of this.containersOf(podSandboxId)) this.dropContainer(c);
    const m = s.config.metadata;
    this.names.delete(`sandbox:${m.name}_${m.namespace}_${m.uid}_${m.attempt}`);
    this.sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    this.enter('podSandboxStatus', [podSandboxId]);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) throw notFoundSandbox();
    return { ...this.sandboxView(s), network: { ip: s.ip, additionalIps: [] } };
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    this.enter('listPodSandbox', [filter]);
    return [...this.sandboxes.values()]
      .filter((s) => (!filter.id || s.id === filter.id) && (filter.state === undefined || s.state === filter.state) && matches(s.config.labels, filter.labelSelector))
      .map((s) => this.sandboxView(s));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    this.enter('createContainer', [podSandboxId, config, sandboxConfig]);
    const s = this.sandboxes.get(podSandboxId);
    if (!s) throw criError('NOT_FOUND', `failed to find sandbox id ${JSON.stringify(podSandboxId)}: not found`);
    if (s.state !== SANDBOX_READY) throw criError('NOT_FOUND', `failed to get sandbox container task: no running task found: task ${podSandboxId} not found: not found`);
    const image = this.images.find(config.image.image);
    if (!image) throw criError('NOT_FOUND', `failed to resolve image ${JSON.stringify(config.image.image)}: not found`);
    const id = this.newId('container');
    const sm = s.config.metadata;
    const name = `${config.metadata.name}_${sm.name}_${sm.namespace}_${sm.uid}_${config.metadata.attempt}`;
    this.reserve(`container:${name}`, `container name ${JSON.stringify(name)}`, id);
    const logFile = s.config.logDirectory && config.logPath ? (isAbsolute(config.logPath) ? config.logPath : join(s.config.logDirectory, config.logPath)) : '';
    this.containers.set(id, {
      id,
      podSandboxId,
      config: structuredClone(config),
      imageId: image.id,
      state: CONTAINER_CREATED,
      createdAt: this.nowNs(),
      startedAt: '0',
      finishedAt: '0',
      exitCode: 0,
      reason: '',
      message: '',
      logFile,
      resources: config.linux?.resources ? { ...config.linux.resources } : undefined,
      stats: { cpuNanos: '0', memoryBytes: '262144' },
      logReopens: 0,
      run: 0,
    });
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    this.enter('startContainer', [containerId]);
    const c = this.mustContainer(containerId);
    if (c.state !== CONTAINER_CREATED) {
      throw criError('UNKNOWN', `failed to set starting state for container ${JSON.stringify(containerId)}: container is in ${STATE_NAMES[c.state]} state`);
    }
    if (c.logFile) mkdirSync(dirname(c.logFile), { recursive: true });
    c.state = CONTAINER_RUNNING;
    c.startedAt = this.nowNs();
    c.program = parseProgram([...c.config.command, ...c.config.args]);
    void this.runProgram(c, c.program, c.run);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    this.enter('stopContainer', [containerId, timeoutSeconds]);
    const c = this.mustContainer(containerId);
    if (c.state !== CONTAINER_RUNNING) return;
    const run = c.run;
    if (timeoutSeconds > 0) {
      // SIGTERM: a trap runs its handler; otherwise the default action kills, except for PID 1 of its own PID namespace
      const onTerm = c.program?.onTerm;
      if (onTerm !== undefined) {
        if (onTerm !== 'ignore') this.finish(c, onTerm);
      } else if (c.config.linux?.securityContext?.namespaceOptions?.pid !== 1) this.finish(c, 143);
      if (c.state !== CONTAINER_RUNNING) return;
    }
    if (timeoutSeconds > 0) await this.sleep(timeoutSeconds * 1000);
    if (c.state === CONTAINER_RUNNING && c.run === run) this.finish(c, 137);
  }

  async removeContainer(containerId: string): Promise<void> {
    this.enter('removeContainer', [containerId]);
    const c = this.containers.get(containerId);
    if (c) this.dropContainer(c);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    this.enter('listContainers', [filter]);
    return [...this.containers.values()]
      .filter(
        (c) =>
          (!filter.id || c.id === filter.id) &&
          (filter.state === undefined || c.state === filter.state) &&
          (!filter.podSandboxId || c.podSandboxId === filter.podSandboxId) &&
          matches(c.config.labels, filter.labelSelector),
      )
      .map((c) => ({
        id: c.id,
        podSandboxId: c.podSandboxId,
        metadata: { ...c.config.metadata },
        image: { image: c.config.image.image, annotations: { ...(c.config.image.annotations ?? {}) } },
        imageRef: c.imageId,
        state: c.state,
        createdAt: c.createdAt,
        labels: { ...c.config.labels },
        annotations: { ...c.config.annotations },
      }));
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    this.enter('containerStatus', [containerId]);
    const c = this.mustContainer(containerId);
    const image = this.images.byId(c.imageId);
    return {
      id: c.id,
      metadata: { ...c.config.metadata },
      state: c.state,
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      image: { image: image?.repoTags[0] ?? c.config.image.image, annotations: { ...(c.config.image.annotations ?? {}) } },
      imageRef: image?.repoDigests[0] ?? c.imageId,
      reason: c.reason,
      message: c.message,
      labels: { ...c.config.labels },
      annotations: { ...c.config.annotations },
      mounts: c.config.mounts.map((m) => ({ ...m })),
      logPath: c.logFile,
    };
  }

  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    this.enter('updateContainerResources', [containerId, linux]);
    const c = this.mustContainer(containerId);
    if (c.state === CONTAINER_EXITED) throw criError('UNKNOWN', `failed to update resources: container ${JSON.stringify(containerId)} is in CONTAINER_EXITED state`);
    c.resources = { ...linux };
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    this.enter('reopenContainerLog', [containerId]);
    const c = this.mustContainer(containerId);
    if (c.state !== CONTAINER_RUNNING) throw criError('UNKNOWN', 'container is not running');
    c.logReopens++;
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    this.enter('execSync', [containerId, cmd, timeoutSeconds]);
    const c = this.mustContainer(containerId);
    if (c.state !== CONTAINER_RUNNING) throw criError('UNKNOWN', `failed to exec in container: container is in ${STATE_NAMES[c.state]} state`);
    for (const script of this.execScripts) {
      const r = script(containerId, cmd);
      if (r) return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exitCode: r.exitCode };
    }
    const out = { stdout: '', stderr: '' };
    let code = 0;
    let waited = 0;
    const limit = timeoutSeconds > 0 ? timeoutSeconds * 1000 : Infinity;
    for (const step of parseProgram(cmd).steps) {
      if (step.kind === 'out') out[step.stream] += step.text;
      else if (step.kind === 'status') code = step.code;
      else if (step.kind === 'exit') {
        code = step.code;
        break;
      } else {
        if (waited + step.ms > limit) {
          await this.sleep(limit - waited);
          throw criError('DEADLINE_EXCEEDED', `failed to exec in container: timeout ${timeoutSeconds}s exceeded: context deadline exceeded`);
        }
        waited += step.ms;
        await this.sleep(step.ms);
      }
    }
    return { stdout: Buffer.from(out.stdout), stderr: Buffer.from(out.stderr), exitCode: code };
  }

  async exec(req: { containerId: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }): Promise<string> {
    this.enter('exec', [req]);
    this.mustRunning(req.containerId);
    return `${this.streamingBase}/exec/${this.token()}`;
  }

  async attach(req: { containerId: string; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }): Promise<string> {
    this.enter('attach', [req]);
    this.mustRunning(req.containerId);
    return `${this.streamingBase}/attach/${this.token()}`;
  }

  async portForward(req: { podSandboxId: string; port: number[] }): Promise<string> {
    this.enter('portForward', [req]);
    if (!this.sandboxes.has(req.podSandboxId)) throw notFoundSandbox();
    return `${this.streamingBase}/portforward/${this.token()}`;
  }

  async listContainerStats(filter: { id?: string; podSandboxId?: string } = {}): Promise<ContainerStats[]> {
    this.enter('listContainerStats', [filter]);
    const ts = this.nowNs();
    return [...this.containers.values()]
      .filter((c) => (!filter.id || c.id === filter.id) && (!filter.podSandboxId || c.podSandboxId === filter.podSandboxId))
      .map((c) => {
        const s: ContainerStats = {
          attributes: { id: c.id, metadata: { ...c.config.metadata }, labels: { ...c.config.labels }, annotations: { ...c.config.annotations } },
          writableLayer: { timestamp: '0', usedBytes: '0' },
        };
        if (c.state === CONTAINER_RUNNING) {
          s.cpu = { timestamp: ts, usageCoreNanoSeconds: c.stats.cpuNanos };
          s.memory = { timestamp: ts, workingSetBytes: c.stats.memoryBytes };
        }
        return s;
      });
  }

  async listImages(): Promise<Image[]> {
    this.enter('listImages', []);
    return this.images.list();
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    this.enter('imageStatus', [image]);
    const found = this.images.find(image);
    return found && copyImage(found);
  }

  async pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string> {
    this.enter('pullImage', [image, auth, sandboxConfig]);
    return this.images.pull(image, auth);
  }

  async removeImage(image: string): Promise<void> {
    this.enter('removeImage', [image]);
    this.images.remove(image);
  }

  async imageFsInfo(): Promise<{ usedBytes: string; inodesUsed: string; mountpoint: string }[]> {
    this.enter('imageFsInfo', []);
    return [this.images.fsInfo()];
  }

  close(): void {
    this.calls.push({ method: 'close', args: [] });
  }

  // ---- internals ----

  private enter(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (!this.available) throw criError('UNAVAILABLE', 'connection error: desc = "transport: Error while dialing: dial unix: connect: no such file or directory"');
    const inj = this.injected.get(method);
    if (inj) {
      if (--inj.times <= 0) this.injected.delete(method);
      throw inj.error;
    }
  }

  private nowNs(): string {
    return String(BigInt(this.clock.now().getTime()) * 1_000_000n);
  }

  private newId(kind: string): string {
    return createHash('sha256').update(`${kind}-${++this.seq}-${this.clock.now().getTime()}`).digest('hex');
  }

  private token(): string {
    return createHash('sha256').update(`token-${++this.seq}`).digest('base64url').slice(0, 8);
  }

  private reserve(key: string, what: string, id: string): void {
    const holder = this.names.get(key);
    if (holder !== undefined) throw criError('UNKNOWN', `failed to reserve ${what}: name ${what.slice(what.indexOf('"'))} is reserved for ${JSON.stringify(holder)}`);
    this.names.set(key, id);
  }

  private mustContainer(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw notFoundContainer(id);
    return c;
  }

  private mustRunning(id: string): FakeContainer {
    const c = this.mustContainer(id);
    if (c.state !== CONTAINER_RUNNING) throw criError('UNKNOWN', `container ${JSON.stringify(id)} is in ${STATE_NAMES[c.state]} state`);
    return c;
  }

  private containersOf(sandboxId: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.podSandboxId === sandboxId);
  }

  private dropContainer(c: FakeContainer): void {
    if (c.state === CONTAINER_RUNNING) this.finish(c, 137);
    const s = this.sandboxes.get(c.podSandboxId);
    if (s) {
      const sm = s.config.metadata;
      this.names.delete(`container:${c.config.metadata.name}_${sm.name}_${sm.namespace}_${sm.uid}_${c.config.metadata.attempt}`);
    }
    this.containers.delete(c.id);
  }

  private finish(c: FakeContainer, exitCode: number, reason?: string, message = ''): void {
    c.state = CONTAINER_EXITED;
    c.finishedAt = this.nowNs();
    c.exitCode = exitCode;
    c.reason = reason ?? (exitCode === 0 ? 'Completed' : 'Error');
    c.message = message;
    c.run++;
  }

  private async runProgram(c: FakeContainer, program: Program, run: number): Promise<void> {
    let code = 0;
    for (const step of program.steps) {
      if (c.run !== run) return;
      if (step.kind === 'out') this.appendLog(c, step.stream, step.text);
      else if (step.kind === 'status') code = step.code;
      else if (step.kind === 'exit') {
        code = step.code;
        break;
      } else if (step.ms > 0) await this.sleep(step.ms, true);
    }
    if (c.run === run && c.state === CONTAINER_RUNNING) this.finish(c, code);
  }

  private appendLog(c: FakeContainer, stream: 'stdout' | 'stderr', text: string): void {
    if (!c.logFile || text === '') return;
    const ts = rfc3339Nano(this.clock.now());
    const parts = text.split('\n');
    const last = parts.pop() as string;
    let out = parts.map((line) => `${ts} ${stream} F ${line}\n`).join('');
    if (last !== '') out += `${ts} ${stream} P ${last}\n`;
    mkdirSync(dirname(c.logFile), { recursive: true });
    appendFileSync(c.logFile, out);
  }

  private sandboxView(s: FakeSandbox): PodSandbox {
    return { id: s.id, metadata: { ...s.config.metadata }, state: s.state, createdAt: s.createdAt, labels: { ...s.config.labels }, annotations: { ...s.config.annotations } };
  }
}

function matches(labels: Record<string, string>, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}
