/**
 * A second host on this machine for multi-node e2e tests: a network
 * namespace joined to the host by a veth pair, and a real `skiff agent`
 * (the built CLI, as a user runs it) inside it, with the containerd it
 * supervises.
 *
 * - createNetnsHost() makes `skiff-e2e-<pid>-<n>` with a veth pair on a
 *   free 10.201.X.0/30: the host side is .1, the node side .2 (the node
 *   IP), lo is up and the default route points at the host side. remove()
 *   deletes the veth and the namespace (with them the CNI bridge and the
 *   iptables rules the agent's containerd made inside it).
 * - startNetnsAgent() runs `nsenter --net=/var/run/netns/NAME node skiff.js
 *   agent …` — never `ip netns exec`, which remounts /sys and breaks
 *   cgroups. The supervised containerd inherits the namespace, so its
 *   streaming server listens on the node IP. Each agent gets its own pod
 *   cgroup parent (/skiff-join-<pid>-<n>): agents on one host must not
 *   share one. start() resolves on the "node NAME is Ready" line.
 * - destroy() stops the agent and removes what it left: containers a test
 *   left running (host cleanup run INSIDE the namespace, so the bridge and
 *   iptables rules of other agents named `skiff` on the host are never
 *   touched), mounts under the data dir, the pod cgroup parent, the data
 *   dir.
 *
 * Needs root and iproute2; tests skip otherwise (netnsSkipReason()).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { containerdPaths } from '../../agent/containerd/config.js';
import { mountsUnder, shimPids } from '../../agent/containerd/host-cleanup.js';
import { freePort } from './free-port.js';
import { skiffBin, skiffNodeArgs } from './skiff.js';
import { tempDir, type TempDir } from './temp-dir.js';

export interface NetnsHost {
  name: string;
  /** /var/run/netns/NAME, for nsenter --net. */
  path: string;
  /** The host end of the veth (10.201.X.1): the address the API server is reached at. */
  hostIp: string;
  /** The namespace end (10.201.X.2): the node IP. */
  nodeIp: string;
  hostLink: string;
  /** Runs a command inside the namespace (nsenter --net), synchronously. */
  run(cmd: string, args: string[]): { ok: boolean; out: string; err: string };
  remove(): void;
}

function sh(cmd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.error ? r.error.message : (r.stderr ?? '') };
}

function must(cmd: string, args: string[]): string {
  const r = sh(cmd, args);
  if (!r.ok) throw new Error(`${cmd} ${args.join(' ')}: ${r.err.trim()}`);
  return r.out;
}

/** Why a namespaced-node test cannot run here, or undefined. */
export function netnsSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  if (!sh('ip', ['-V']).ok || !sh('nsenter', ['--version']).ok) return 'iproute2 or nsenter not installed';
  return undefined;
}

let made = 0;

export function createNetnsHost(): NetnsHost {
  const n = made++;
  const name = `skiff-e2e-${process.pid}-${n}`;
  const path = `/var/run/netns/${name}`;
  // Unique per run and at most 15 characters: "sj" + pid (≤ 7 digits) + n + h|n.
  const hostLink = `sj${process.pid}${n}h`.slice(-15);
  const nsLink = `sj${process.pid}${n}n`.slice(-15);
  const used = must('ip', ['-4', '-o', 'addr', 'show']);
  const start = randomInt(256);
  let x = -1;
  for (let i = 0; i < 256 && x < 0; i++) if (!used.includes(` 10.201.${(start + i) % 256}.`)) x = (start + i) % 256;
  if (x < 0) throw new Error('no free 10.201.X.0/30 for a test node');
  const hostIp = `10.201.${x}.1`;
  const nodeIp = `10.201.${x}.2`;
  const run = (cmd: string, args: string[]) => sh('nsenter', [`--net=${path}`, cmd, ...args]);
  const remove = (): void => {
    if (sh('ip', ['link', 'show', hostLink]).ok) sh('ip', ['link', 'delete', hostLink]);
    if (existsSync(path)) sh('ip', ['netns', 'delete', name]);
  };
  try {
    must('ip', ['netns', 'add', name]);
    must('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink]);
    must('ip', ['link', 'set', nsLink, 'netns', name]);
    must('ip', ['addr', 'add', `${hostIp}/30`, 'dev', hostLink]);
    must('ip', ['link', 'set', hostLink, 'up']);
    must('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    must('ip', ['-n', name, 'addr', 'add', `${nodeIp}/30`, 'dev', nsLink]);
    must('ip', ['-n', name, 'link', 'set', nsLink, 'up']);
    must('ip', ['-n', name, 'route', 'add', 'default', 'via', hostIp]);
  } catch (e) {
    remove();
    throw e;
  }
  return { name, path, hostIp, nodeIp, hostLink, run, remove };
}

export interface NetnsAgentOptions {
  netns: NetnsHost;
  /** https://HOST:PORT of the server, reachable from the namespace. */
  server: string;
  token: string;
  nodeName: string;
  /** Image tarballs copied into DIR/agent/images before start (the airgap path). */
  images?: string[];
  extraArgs?: string[];
}

export interface NetnsAgentHandle {
  dataDir: string;
  /** DIR/agent/kubeconfig.yaml: the agent's own identity. */
  kubeconfig: string;
  kubeletPort: number;
  nodeName: string;
  /** The pods' cgroup parent name under each hierarchy. */
  cgroupRoot: string;
  /** The agent's supervised containerd socket (reachable from the host). */
  containerdSocket: string;
  /** runc's state root of that containerd (namespace k8s.io). */
  runcRoot: string;
  /** Milliseconds from spawn to the "is Ready" line of the last start. */
  readyMs: number;
  logs(): string;
  pid(): number | undefined;
  /** SIGTERM and wait for exit (containers keep running). */
  stop(): Promise<void>;
  /** Start again with the same flags and data dir. */
  start(): Promise<void>;
  /** Stops, removes whatever is left on the host and the data dir. */
  destroy(): Promise<void>;
}

/** Removes the leftovers of a stopped agent's containerd, run inside its namespace. */
function cleanupInNamespace(netns: NetnsHost, containerdDir: string): string {
  const module = pathToFileURL(join(import.meta.dirname, '..', '..', 'agent', 'containerd', 'host-cleanup.js')).href;
  const config = pathToFileURL(join(import.meta.dirname, '..', '..', 'agent', 'containerd', 'config.js')).href;
  const script = `const { cleanupHost } = await import(${JSON.stringify(module)});
const { containerdPaths } = await import(${JSON.stringify(config)});
const r = await cleanupHost({ paths: containerdPaths(${JSON.stringify(containerdDir)}), networkName: 'skiff', bridgeName: 'skiff0', log: (l) => console.error(l) });
console.log(JSON.stringify(r));`;
  const r = netns.run(process.execPath, ['--input-type=module', '-e', script]);
  return `${r.out}${r.err}`.trim();
}

export async function startNetnsAgent(opts: NetnsAgentOptions): Promise<NetnsAgentHandle> {
  const dir: TempDir = tempDir('skiff-join-');
  const kubeletPort = await freePort();
  const cgroupRoot = `skiff-join-${process.pid}-${opts.netns.name.split('-').pop() ?? '0'}`;
  mkdirSync(join(dir.path, 'agent', 'images'), { recursive: true });
  (opts.images ?? []).forEach((img, i) => copyFileSync(img, join(dir.path, 'agent', 'images', `${i}-${img.split('/').pop() ?? 'image.tar'}`)));
  const paths = containerdPaths(join(dir.path, 'agent', 'containerd'));
  const args = [`--net=${opts.netns.path}`, process.execPath, ...skiffNodeArgs(), skiffBin, 'agent', '--server', opts.server, '--token', opts.token, '--data-dir', dir.path, '--node-name', opts.nodeName, '--node-ip', opts.netns.nodeIp, '--kubelet-port', String(kubeletPort), '--cgroup-root', `/${cgroupRoot}`, ...(opts.extraArgs ?? [])];
  let child: ChildProcess | undefined;
  let log = '';
  const handle: NetnsAgentHandle = {
    dataDir: dir.path,
    kubeconfig: join(dir.path, 'agent', 'kubeconfig.yaml'),
    kubeletPort,
    nodeName: opts.nodeName,
    cgroupRoot,
    containerdSocket: paths.socket,
    runcRoot: join(paths.runcRoot, 'k8s.io'),
    readyMs: 0,
    logs: () => log,
    pid: () => child?.pid,
    stop: async () => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const slow = setTimeout(() => c.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(slow);
      child = undefined;
    },
    start: async () => {
      const started = Date.now();
      // nsenter execs the agent: the child's pid is the agent's.
      const c = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let seen = log.length;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`skiff agent was not Ready in 60 s: ${log}`)), 60_000);
        const onData = (d: Buffer): void => {
          log += d.toString();
          if (log.slice(seen).includes(`node ${opts.nodeName} is Ready`)) {
            seen = log.length;
            clearTimeout(timer);
            resolve();
          }
        };
        c.stdout?.on('data', onData);
        c.stderr?.on('data', onData);
        c.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`skiff agent exited ${code}: ${log}`));
        });
      });
      handle.readyMs = Date.now() - started;
    },
    destroy: async () => {
      await handle.stop();
      // Containers a test left running: runc state or shims of this containerd.
      const leftovers = (existsSync(handle.runcRoot) && readdirSync(handle.runcRoot).length > 0) || shimPids(paths.socket).length > 0;
      if (leftovers && existsSync(paths.dir)) {
        const out = cleanupInNamespace(opts.netns, paths.dir);
        if (out) process.stderr.write(`# netns agent clean-up: ${out}\n`);
      }
      // Volumes of pods a test left running (tmpfs for secrets and tokens), deepest first.
      for (const m of mountsUnder(dir.path).reverse()) spawnSync('umount', ['-l', m]);
      removeCgroupParent(cgroupRoot);
      dir.remove();
    },
  };
  try {
    await handle.start();
  } catch (e) {
    await handle.destroy();
    throw e;
  }
  return handle;
}

/** Removes /sys/fs/cgroup/<ctrl>/<name> and the empty cgroups below it, deepest first. */
export function removeCgroupParent(name: string): void {
  const rm = (dir: string): void => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) rm(join(dir, e));
    try {
      rmdirSync(dir);
    } catch {
      // still holding a process
    }
  };
  for (const ctrl of existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : []) rm(join('/sys/fs/cgroup', ctrl, name));
}
