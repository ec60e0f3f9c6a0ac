/**
 * Removes what one private containerd and its CNI network leave on the
 * host, scoped to that instance so other instances (tests run several at
 * once) are untouched.
 *
 * Two stages:
 * - removeAllPods(socket): while containerd runs, stop and remove every
 *   container and sandbox through CRI (the agent's CRI client). That is
 *   the clean path: CRI stops the containers, runs CNI DEL (portmap
 *   rules, IPAM lease) and unmounts netns and shm.
 * - cleanupHost(scope): after containerd has stopped, forcibly removes
 *   anything left: runc containers in the instance's own runc root, the
 *   shims serving its socket, mounts under its dir, iptables rules whose
 *   CNI comment names its network (and the CNI-DN/SN chains they jump to),
 *   the shared CNI-HOSTPORT-* chains once no rule uses them, its bridge,
 *   its /var/lib/cni/results entries and shim sockets, and its dirs.
 *
 * Scoping: everything is found through the instance's socket path, runc
 * root, dir, CNI network name and bridge name — never by a broad pattern.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerdPaths } from './config.js';
import { createRuntime } from '../cri/create-runtime.js';

export interface InstanceScope {
  paths: ContainerdPaths;
  networkName: string;
  bridgeName: string;
  /** Extra dirs to remove at the end (e.g. the CNI dir). */
  extraDirs?: string[];
  /**
   * Other instances use the same CNI network name (every agent's is `skiff`):
   * remove only iptables rules and CNI results of this instance's containers.
   */
  sharedNetworkName?: boolean;
  /**
   * Remove the shared CNI-HOSTPORT-* chains when no rule uses them (default
   * true). Pass false while another instance on the host may be adding a
   * hostPort: the check and the removal are not one atomic step.
   */
  removeSharedChains?: boolean;
  log?: (line: string) => void;
}

const CNI_CACHE = '/var/lib/cni';
const SHIM_SOCKET_DIR = '/run/containerd/s';
const DEFAULT_RUNC_ROOT = '/run/containerd/runc';
const SHARED_CHAINS = ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ'];

/**
 * Stops and removes every container and pod sandbox through CRI; returns
 * how many sandboxes. Best effort: a failing call is skipped (cleanupHost
 * removes the rest by force); 0 when CRI does not answer the sandbox
 * list. `timeoutMs` bounds each sandbox stop/remove call.
 */
export async function removeAllPods(socketPath: string, timeoutMs = 30_000): Promise<number> {
  const runtime = createRuntime(`unix://${socketPath}`, { requestTimeoutMs: 5000, longTimeoutMs: timeoutMs });
  const bestEffort = async (call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
    } catch {
      // left for cleanupHost()
    }
  };
  try {
    let sandboxes: string[];
    try {
      sandboxes = (await runtime.listPodSandbox()).map((s) => s.id);
    } catch {
      return 0;
    }
    const containers = (await runtime.listContainers().catch(() => [])).map((c) => c.id);
    // Containers first (SIGKILL: no grace at cleanup), as the kubelet kills a pod; then the
    // sandboxes, whose stop runs CNI DEL (portmap rules, IPAM lease) and unmounts netns and shm.
    await Promise.all(
      containers.map(async (id) => {
        await bestEffort(() => runtime.stopContainer(id, 0));
        await bestEffort(() => runtime.removeContainer(id));
      }),
    );
    await Promise.all(
      sandboxes.map(async (id) => {
        await bestEffort(() => runtime.stopPodSandbox(id));
        await bestEffort(() => runtime.removePodSandbox(id));
      }),
    );
    return sandboxes.length;
  } finally {
    runtime.close();
  }
}

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.error ? r.error.message : (r.stderr ?? '') };
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Processes whose argv contains `-address <socket>` (the shims of this instance). */
export function shimPids(socketPath: string): number[] {
  const pids: number[] = [];
  for (const name of listDir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.includes('containerd-shim')) continue;
    const i = argv.indexOf('-address');
    if (i >= 0 && argv[i + 1] === socketPath) pids.push(Number(name));
  }
  return pids;
}

/** Processes whose parent is one of ppids (a shim's children are its containers' init processes). */
export function childPids(ppids: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const name of listDir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppids.has(ppid)) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Mount points at or under dir, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string, mountinfo: string = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/**
 * The iptables-restore scripts removing this network's rules from one
 * table (iptables-save format in), or [] if none: first the rules (`-D`,
 * `-F`), then the chains (`-X`) — two batches, because the nf_tables
 * backend refuses to delete a chain in the batch that drops its last
 * reference ("Device or resource busy"). Shared CNI-HOSTPORT-* chains are
 * removed too once nothing else uses them.
 */
export function iptablesCleanupScripts(save: string, table: string, networkName: string, removeShared: boolean, ids?: ReadonlySet<string>): string[] {
  const marker = `name: \\"${networkName}\\" id: \\"`;
  const rules = save.split('\n').filter((l) => l.startsWith('-A '));
  const chains = new Set(save.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]!));
  // With the instance's container ids, only its own pods' rules: other agents use the same network name.
  const idOf = (l: string): string => /^[0-9a-f]+/.exec(l.slice(l.indexOf(marker) + marker.length))?.[0] ?? '';
  const ours = rules.filter((l) => l.includes(marker) && (ids === undefined || ids.has(idOf(l))));
  const ownChains = new Set<string>();
  for (const r of ours) {
    const target = / -j (CNI-[\w-]+)/.exec(r)?.[1];
    if (target && !SHARED_CHAINS.includes(target)) ownChains.add(target);
  }
  const lines: string[] = [];
  for (const r of ours) if (!ownChains.has(r.split(' ')[1]!)) lines.push(`-D ${r.slice(3)}`);
  for (const c of ownChains) if (chains.has(c)) lines.push(`-F ${c}`);
  for (const c of ownChains) if (chains.has(c)) lines.push(`-X ${c}`);
  if (removeShared && table === 'nat' && chains.has('CNI-HOSTPORT-DNAT')) {
    const remaining = rules.filter((l) => !ours.includes(l) && !ownChains.has(l.split(' ')[1]!));
    const dnatInUse = remaining.some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT '));
    const otherCniChains = [...chains].some((c) => c.startsWith('CNI-') && !SHARED_CHAINS.includes(c) && !ownChains.has(c));
    if (!dnatInUse && !otherCniChains) {
      for (const r of remaining) {
        const chain = r.split(' ')[1]!;
        const target = / -j (CNI-HOSTPORT-[\w-]+)/.exec(r)?.[1];
        if (!SHARED_CHAINS.includes(chain) && target && SHARED_CHAINS.includes(target)) lines.push(`-D ${r.slice(3)}`);
      }
      for (const c of SHARED_CHAINS) if (chains.has(c)) lines.push(`-F ${c}`);
      for (const c of SHARED_CHAINS) if (chains.has(c)) lines.push(`-X ${c}`);
    }
  }
  const batch = (ls: string[]): string => `*${table}\n${ls.join('\n')}\nCOMMIT\n`;
  const rulesFirst = lines.filter((l) => !l.startsWith('-X '));
  const chainsThen = lines.filter((l) => l.startsWith('-X '));
  return [rulesFirst, chainsThen].filter((ls) => ls.length > 0).map(batch);
}

function cleanIptables(networkName: string, removeShared: boolean, ids: ReadonlySet<string> | undefined, log: (l: string) => void): void {
  for (const table of ['nat', 'filter']) {
    const save = run('iptables-save', ['-t', table]);
    if (!save.ok) continue;
    for (const script of iptablesCleanupScripts(save.out, table, networkName, removeShared, ids)) {
      const r = run('iptables-restore', ['-w', '--noflush'], script);
      if (!r.ok) log(`cleanup: iptables-restore (${table}) failed: ${r.err.trim()}`);
    }
  }
}

/** Container and sandbox ids this instance knows of, per containerd namespace. */
function knownIds(paths: ContainerdPaths): Map<string, Set<string>> {
  const byNs = new Map<string, Set<string>>();
  const add = (ns: string, id: string): void => {
    if (!byNs.has(ns)) byNs.set(ns, new Set());
    byNs.get(ns)!.add(id);
  };
  for (const ns of listDir(paths.runcRoot)) for (const id of listDir(join(paths.runcRoot, ns))) add(ns, id);
  const tasks = join(paths.state, 'io.containerd.runtime.v2.task');
  for (const ns of listDir(tasks)) for (const id of listDir(join(tasks, ns))) add(ns, id);
  for (const kind of ['sandboxes', 'containers']) for (const id of listDir(join(paths.root, 'io.containerd.grpc.v1.cri', kind))) add('k8s.io', id);
  return byNs;
}

export interface CleanupReport {
  containers: number;
  shims: number;
  mounts: number;
}

/** Forcibly removes everything the (stopped) instance left on the host. */
export async function cleanupHost(scope: InstanceScope): Promise<CleanupReport> {
  const log = scope.log ?? (() => undefined);
  const { paths } = scope;
  const ids = knownIds(paths);
  let containers = 0;
  for (const ns of listDir(paths.runcRoot)) {
    for (const id of listDir(join(paths.runcRoot, ns))) {
      const r = run('runc', ['--root', join(paths.runcRoot, ns), 'delete', '--force', id]);
      if (r.ok) containers++;
      else log(`cleanup: runc delete ${id}: ${r.err.trim()}`);
    }
  }
  // Tasks started outside CRI (`ctr run`) keep their runc state in the default root; ours have their bundle under our dir.
  for (const ns of listDir(DEFAULT_RUNC_ROOT)) {
    const root = join(DEFAULT_RUNC_ROOT, ns);
    const list = run('runc', ['--root', root, 'list', '--format', 'json']);
    if (!list.ok) continue;
    let states: Array<{ id?: string; bundle?: string }> = [];
    try {
      states = (JSON.parse(list.out) as typeof states | null) ?? [];
    } catch {
      continue;
    }
    for (const st of states) {
      if (!st.id || !st.bundle?.startsWith(`${paths.dir}/`)) continue;
      if (run('runc', ['--root', root, 'delete', '--force', st.id]).ok) containers++;
    }
  }
  const shims = shimPids(paths.socket);
  // Containers the runc root does not list (e.g. started with `ctr run`) die with their shim's children.
  for (const pid of [...childPids(new Set(shims)), ...shims]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (shims.length > 0) await new Promise((r) => setTimeout(r, 200));
  const mounts = mountsUnder(paths.dir);
  for (const m of mounts) {
    const r = run('umount', ['-l', m]);
    if (!r.ok) log(`cleanup: umount ${m}: ${r.err.trim()}`);
  }
  const allIds = new Set([...ids.values()].flatMap((set) => [...set]));
  cleanIptables(scope.networkName, scope.removeSharedChains ?? true, scope.sharedNetworkName ? allIds : undefined, log);
  if (run('ip', ['link', 'show', scope.bridgeName]).ok) {
    const r = run('ip', ['link', 'delete', scope.bridgeName]);
    if (!r.ok) log(`cleanup: ip link delete ${scope.bridgeName}: ${r.err.trim()}`);
  }
  const results = join(CNI_CACHE, 'results');
  // `<network>-<container id>-<ifname>`; with a shared network name only this instance's containers.
  for (const f of listDir(results)) {
    const loopbackId = /^cni-loopback-([0-9a-f]{64})-/.exec(f)?.[1];
    const networkId = f.startsWith(`${scope.networkName}-`) ? /^([0-9a-f]{64})-/.exec(f.slice(scope.networkName.length + 1))?.[1] : undefined;
    const ours = (loopbackId !== undefined && allIds.has(loopbackId)) || (networkId !== undefined && (!scope.sharedNetworkName || allIds.has(networkId)));
    if (ours) rmSync(join(results, f), { force: true });
  }
  for (const d of [results, CNI_CACHE]) {
    try {
      rmdirSync(d);
    } catch {
      // not empty (another instance) or absent
    }
  }
  for (const [ns, set] of ids) {
    for (const id of set) {
      const hash = createHash('sha256').update(join(paths.socket, ns, id)).digest('hex');
      rmSync(join(SHIM_SOCKET_DIR, hash), { force: true });
    }
  }
  for (const d of [paths.dir, ...(scope.extraDirs ?? [])]) {
    if (!existsSync(d)) continue;
    try {
      rmSync(d, { recursive: true, force: true });
    } catch (e) {
      log(`cleanup: removing ${d}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { containers, shims: shims.length, mounts: mounts.length };
}
