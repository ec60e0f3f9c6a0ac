/**
 * Runs Debian's containerd as a supervised child process, configured
 * under one directory (DIR/agent/containerd in production, a temp dir in
 * tests).
 *
 * Contract:
 * - startContainerd() writes config.toml and (given a podCidr) the CNI
 *   conflist — cni-network.ts writes it later otherwise —, spawns
 *   `containerd --config …`, and resolves once the CRI plugin answers a
 *   Version call on the socket (not merely once the socket accepts).
 * - An unexpected exit is logged and containerd is started again with
 *   backoff (0.5 s doubling to 30 s, reset after a minute of uptime).
 * - stop() sends SIGTERM (SIGKILL after 10 s) and waits. Containers keep
 *   running: each pod has its own shim process, outside containerd, and
 *   the next containerd on the same dir reconnects to them. Removing them
 *   is host-cleanup.ts's job, not stop()'s.
 * - containerd runs in its own process group (a terminal's Ctrl-C reaches
 *   only Skiff, which stops it in order). A containerd left running with
 *   the same config by a crashed Skiff is stopped and replaced; a socket
 *   answering for anything else means another owner: start fails rather
 *   than fighting over the state dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { createRuntime } from '../cri/create-runtime.js';
import { isRuntimeError } from '../cri/runtime.js';
import { writeCniConfig } from './cni-network.js';
import { containerdConfig, containerdPaths, type ContainerdPaths } from './config.js';

export interface ContainerdOptions {
  /** The instance dir: root, state, socket and config live under it. */
  dir: string;
  /** CNI conf and IPAM dir; default a `cni` dir beside `dir`. */
  cniDir?: string;
  streamAddress: string;
  streamPort: number;
  sandboxImage: string;
  /** The node's pod CIDR; when not known yet, write it later with cni-network.ts writeCniConfig(). */
  podCidr?: string;
  bridgeName: string;
  /** CNI network name (names IPAM/results state); default "skiff". */
  networkName?: string;
  /** containerd binary, default "containerd" from PATH. */
  binary?: string;
  /** containerd --log-level; default "warn". */
  logLevel?: string;
  /** One line per call, unprefixed: containerd's own output and the supervisor's notes. */
  log?: (line: string) => void;
  /** How long to wait for the CRI plugin, default 30 s. */
  startTimeoutMs?: number;
}

export interface RunningContainerd {
  /** unix:///…/containerd.sock — the CRI endpoint. */
  endpoint: string;
  socketPath: string;
  paths: ContainerdPaths;
  cniConfDir: string;
  ipamDir: string;
  networkName: string;
  bridgeName: string;
  /** The current containerd process id, if running. */
  pid(): number | undefined;
  /** How many times containerd was restarted after dying. */
  restarts(): number;
  /** Resolves when the (possibly restarted) containerd serves CRI. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const HEALTHY_RESET_MS = 60_000;
const STOP_GRACE_MS = 10_000;
/** Deadline of one readiness probe (a CRI Version call). */
const PROBE_TIMEOUT_MS = 2000;

/**
 * One CRI Version call on the socket, through the real CRI client: 'ready'
 * when the CRI plugin answers, 'no-cri' when containerd does not know the
 * CRI service (UNIMPLEMENTED "unknown service": the plugin failed to load,
 * a configuration error rather than a wait), else the error text — e.g.
 * "server is not initialized yet" while the plugin recovers its state.
 */
async function probeCri(socketPath: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<{ state: 'ready' | 'no-cri' | 'waiting'; message: string }> {
  const runtime = createRuntime(`unix://${socketPath}`, { requestTimeoutMs: timeoutMs });
  try {
    const v = await runtime.version();
    return { state: 'ready', message: `${v.runtimeName} ${v.runtimeVersion}` };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { state: isRuntimeError(e, 'UNIMPLEMENTED') ? 'no-cri' : 'waiting', message };
  } finally {
    runtime.close();
  }
}

export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(path)) return resolve(false);
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** containerd processes started with `--config <config>` (from /proc). */
export function containerdPidsFor(config: string): number[] {
  const pids: number[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const i = argv.indexOf('--config');
      if (basename(argv[0] ?? '') === 'containerd' && i >= 0 && argv[i + 1] === config) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

async function terminatePids(pids: number[], graceMs: number): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(pid, sig);
      return true;
    } catch {
      return false;
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some((p) => signal(p, 0) && !isZombie(p))) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids) signal(pid, 'SIGKILL');
}

function parentPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return true;
  }
}

/** Writes config.toml and the one conflist; returns the CNI dirs. */
export function writeContainerdFiles(opts: ContainerdOptions): { paths: ContainerdPaths; cniConfDir: string; ipamDir: string; networkName: string } {
  const paths = containerdPaths(opts.dir);
  const cniDir = opts.cniDir ?? join(opts.dir, '..', 'cni');
  const cniConfDir = join(cniDir, 'net.d');
  const ipamDir = join(cniDir, 'ipam');
  const networkName = opts.networkName ?? 'skiff';
  for (const d of [paths.dir, paths.root, paths.state, paths.certsDir, cniConfDir, ipamDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(
    paths.config,
    containerdConfig({ paths, sandboxImage: opts.sandboxImage, streamAddress: opts.streamAddress, streamPort: opts.streamPort, cniConfDir }),
  );
  if (opts.podCidr !== undefined) writeCniConfig({ cniConfDir, ipamDir, networkName, bridgeName: opts.bridgeName }, opts.podCidr);
  return { paths, cniConfDir, ipamDir, networkName };
}

export async function startContainerd(opts: ContainerdOptions): Promise<RunningContainerd> {
  const log = opts.log ?? (() => undefined);
  const { socket, config } = containerdPaths(opts.dir);
  // sun_path holds 107 bytes, and containerd adds ".ttrpc" for its second socket.
  if (Buffer.byteLength(`${socket}.ttrpc`) > 107) throw new Error(`the containerd socket path ${socket} is too long for a unix socket: use a shorter data dir`);
  // A containerd orphaned by a crashed Skiff (same config, reparented to init) is replaced;
  // one another live process supervises, or anything else on the socket, is an error.
  const stale = containerdPidsFor(config).filter((pid) => parentPid(pid) === 1);
  if (stale.length > 0) {
    log(`stopping an orphaned containerd on ${config} (pid ${stale.join(', ')})`);
    await terminatePids(stale, STOP_GRACE_MS);
  }
  if (await socketAnswers(socket)) throw new Error(`a containerd already serves ${socket}`);
  const files = writeContainerdFiles(opts);
  const { paths } = files;
  rmSync(paths.socket, { force: true });

  let child: ChildProcess | undefined;
  let stopping = false;
  let restartCount = 0;
  let backoff = BACKOFF_START_MS;
  let restartTimer: NodeJS.Timeout | undefined;
  let cancelRestart: (() => void) | undefined;
  let tail: string[] = [];
  let readyPromise: Promise<void> = Promise.resolve();

  const launch = (): ChildProcess => {
    const args = ['--config', paths.config, '--log-level', opts.logLevel ?? 'warn'];
    // Its own process group: a terminal's Ctrl-C reaches only Skiff, which then stops containerd in order.
    const c = spawn(opts.binary ?? 'containerd', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const startedAt = Date.now();
    let partial = '';
    const onData = (b: Buffer): void => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l === '') continue;
        tail = [...tail.slice(-39), l];
        log(l);
      }
    };
    c.stdout?.on('data', onData);
    c.stderr?.on('data', onData);
    c.on('error', (e) => log(`spawn failed: ${e.message}`));
    c.on('exit', (code, signal) => {
      if (child !== c) return;
      child = undefined;
      if (stopping) return;
      if (Date.now() - startedAt > HEALTHY_RESET_MS) backoff = BACKOFF_START_MS;
      const wait = backoff;
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      log(`exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${wait} ms`);
      readyPromise = new Promise<void>((resolve, reject) => {
        cancelRestart = () => reject(new Error('containerd stopped before it restarted'));
        restartTimer = setTimeout(() => {
          cancelRestart = undefined;
          restartTimer = undefined;
          if (stopping) return reject(new Error('containerd stopped'));
          restartCount++;
          rmSync(paths.socket, { force: true });
          const next = launch();
          child = next;
          waitReady(next).then(resolve, reject);
        }, wait);
      });
      readyPromise.catch((e: unknown) => log(`restart failed: ${e instanceof Error ? e.message : String(e)}`));
    });
    return c;
  };

  const waitReady = async (c: ChildProcess): Promise<void> => {
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
    let last = 'socket not created yet';
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`containerd exited during start (${c.signalCode ?? `code ${c.exitCode}`}): ${tail.join(' | ')}`);
      if (existsSync(paths.socket)) {
        const r = await probeCri(paths.socket);
        if (r.state === 'ready') return;
        if (r.state === 'no-cri') throw new Error(`containerd's CRI plugin did not load (${r.message}); check ${paths.config}: ${tail.join(' | ')}`);
        last = r.message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`containerd did not serve CRI within ${opts.startTimeoutMs ?? 30_000} ms (${last}): ${tail.join(' | ')}`);
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    if (restartTimer) clearTimeout(restartTimer);
    restartTimer = undefined;
    cancelRestart?.();
    cancelRestart = undefined;
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const first = launch();
  child = first;
  try {
    await waitReady(first);
  } catch (e) {
    await stop();
    throw e;
  }
  log(`serving CRI on ${paths.socket} (pid ${first.pid})`);
  return {
    endpoint: `unix://${paths.socket}`,
    socketPath: paths.socket,
    paths,
    cniConfDir: files.cniConfDir,
    ipamDir: files.ipamDir,
    networkName: files.networkName,
    bridgeName: opts.bridgeName,
    pid: () => child?.pid,
    restarts: () => restartCount,
    ready: () => readyPromise,
    stop,
  };
}
