/**
 * Pod cgroups: the kubelet creates `/<parent>/pod<uid>` (parent `skiff` by
 * default, the agent's --cgroup-root) before the sandbox
 * (the CRI cgroupParent of the pod's sandbox and containers) and removes it
 * once the pod's containers are gone. containerd leaves the sandbox's own
 * empty cgroup behind, so removal takes the whole subtree, deepest first.
 *
 * cgroup v1 (these machines): one directory per mounted hierarchy
 * (/sys/fs/cgroup/<ctrl>/skiff/pod<uid>; `unified` skipped), with
 * cpuset.cpus/mems copied from the parent so tasks can join. cgroup v2:
 * /sys/fs/cgroup/skiff/pod<uid>, with cpu, memory and pids enabled in the
 * parents' cgroup.subtree_control.
 *
 * Pod-level limits when every container has one: memory (the sum, as
 * upstream's pod cgroup), cpu quota over a 100 ms period; cpu shares/weight
 * from the summed requests. The root is configurable for tests (any
 * directory tree shaped like a cgroup mount works).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from './pod-deps.js';
import { podCpuRequestMilli, podLimitNano } from './qos.js';

const CPU_PERIOD_US = 100_000;

export interface PodCgroupsOptions {
  root?: string;
  /** The pods' parent cgroup, relative to each hierarchy (the agent's --cgroup-root; default `skiff`). */
  parent?: string;
  log?: (msg: string) => void;
}

export class PodCgroups {
  readonly root: string;
  readonly parent: string;
  private readonly log: (msg: string) => void;

  constructor(opts: PodCgroupsOptions = {}) {
    this.root = opts.root ?? '/sys/fs/cgroup';
    this.parent = (opts.parent ?? 'skiff').replace(/^\/+|\/+$/g, '') || 'skiff';
    this.log = opts.log ?? (() => undefined);
  }

  get isV2(): boolean {
    return existsSync(join(this.root, 'cgroup.controllers'));
  }

  /** v1 hierarchies: the directories under the root that are cgroup mounts (have cgroup.procs). */
  hierarchies(): string[] {
    if (this.isV2) return [this.root];
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    const out: string[] = [];
    const seen = new Set<string>();
    for (const n of names.sort()) {
      if (n === 'unified') continue;
      const dir = join(this.root, n);
      try {
        const st = statSync(dir);
        if (!st.isDirectory() || !existsSync(join(dir, 'cgroup.procs'))) continue;
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue; // cpu → cpu,cpuacct symlinks
        seen.add(key);
        out.push(dir);
      } catch {
        continue;
      }
    }
    return out;
  }

  podPath(hierarchy: string, uid: string): string {
    return join(hierarchy, this.parent, `pod${uid}`);
  }

  /** Creates the pod cgroup everywhere and applies pod-level limits. Idempotent. */
  ensure(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const v2 = this.isV2;
    for (const h of this.hierarchies()) {
      const parent = join(h, this.parent);
      const dir = this.podPath(h, uid);
      if (!existsSync(parent)) {
        mkdirSync(parent, { recursive: true });
        if (!v2) this.copyCpuset(h, parent);
      }
      if (v2) this.enableControllers(h, parent);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        if (!v2) this.copyCpuset(parent, dir);
      }
      this.applyLimits(pod, h, dir, v2);
    }
  }

  private copyCpuset(from: string, to: string): void {
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      const src = join(from, f);
      const dst = join(to, f);
      if (!existsSync(src) || !existsSync(dst)) continue;
      try {
        if (readFileSync(dst, 'utf8').trim() === '') writeFileSync(dst, readFileSync(src, 'utf8').trim() || '\n');
      } catch (e) {
        this.log(`cgroup ${dst}: ${(e as Error).message}`);
      }
    }
  }

  private enableControllers(root: string, parent: string): void {
    const available = new Set(this.read(join(root, 'cgroup.controllers')).split(/\s+/).filter(Boolean));
    const want = ['cpu', 'memory', 'pids'].filter((c) => available.has(c));
    for (const dir of [root, parent]) {
      const have = new Set(this.read(join(dir, 'cgroup.subtree_control')).split(/\s+/).filter(Boolean));
      const missing = want.filter((c) => !have.has(c));
      if (missing.length) this.write(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    }
  }

  private applyLimits(pod: Pod, hierarchy: string, dir: string, v2: boolean): void {
    const mem = podLimitNano(pod, 'memory');
    const cpu = podLimitNano(pod, 'cpu');
    const sharesMilli = podCpuRequestMilli(pod);
    const base = hierarchy.slice(this.root.length).replace(/^\//, '');
    if (v2) {
      if (mem !== undefined) this.write(join(dir, 'memory.max'), String(mem / 1_000_000_000n));
      if (cpu !== undefined) this.write(join(dir, 'cpu.max'), `${cpuQuotaUs(cpu)} ${CPU_PERIOD_US}`);
      if (sharesMilli > 0n) this.write(join(dir, 'cpu.weight'), String(sharesToWeight(milliToShares(sharesMilli))));
      return;
    }
    if (base.split(',').includes('memory') && mem !== undefined) this.write(join(dir, 'memory.limit_in_bytes'), String(mem / 1_000_000_000n));
    if (base.split(',').includes('cpu')) {
      if (cpu !== undefined) {
        this.write(join(dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
        this.write(join(dir, 'cpu.cfs_quota_us'), String(cpuQuotaUs(cpu)));
      }
      this.write(join(dir, 'cpu.shares'), String(milliToShares(sharesMilli)));
    }
  }

  /** Removes the pod cgroup subtree everywhere; false while some part is still busy (tasks in it). */
  remove(uid: string): boolean {
    let ok = true;
    const hs = this.isV2 ? [this.root] : this.allHierarchies();
    for (const h of hs) {
      const dir = this.podPath(h, uid);
      if (!existsSync(dir)) continue;
      if (!this.rmTree(dir)) ok = false;
    }
    return ok;
  }

  /** Removes the (empty) parent cgroup everywhere: what an uninstall or a test's clean-up calls last. */
  removeParent(): void {
    for (const h of this.isV2 ? [this.root] : this.allHierarchies()) {
      try {
        rmdirSync(join(h, this.parent));
      } catch {
        // absent, or still holding pods
      }
    }
  }

  /** Pod UIDs that have a cgroup under /skiff in any hierarchy. */
  listPods(): string[] {
    const uids = new Set<string>();
    for (const h of this.isV2 ? [this.root] : this.allHierarchies()) {
      try {
        for (const n of readdirSync(join(h, this.parent))) if (n.startsWith('pod')) uids.add(n.slice(3));
      } catch {
        continue;
      }
    }
    return [...uids];
  }

  private allHierarchies(): string[] {
    try {
      return readdirSync(this.root).map((n) => join(this.root, n)).filter((d) => existsSync(join(d, 'cgroup.procs')));
    } catch {
      return [];
    }
  }

  private rmTree(dir: string): boolean {
    let ok = true;
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && !this.rmTree(join(dir, e.name))) ok = false;
      rmdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return ok;
      // A plain directory tree standing in for cgroupfs (tests) holds real files; cgroupfs never does.
      if (code === 'ENOTEMPTY' && !dir.startsWith('/sys/fs/cgroup/')) {
        rmSync(dir, { recursive: true, force: true });
        return ok;
      }
      this.log(`cgroup ${dir}: ${(e as Error).message}`);
      return false;
    }
    return ok;
  }

  private read(path: string): string {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return '';
    }
  }

  private write(path: string, value: string): void {
    try {
      writeFileSync(path, value);
    } catch (e) {
      this.log(`cgroup ${path}: ${(e as Error).message}`);
    }
  }
}

function cpuQuotaUs(cpuNano: bigint): number {
  // nano-cores → µs per 100 ms period; at least 1 ms as upstream's MinQuotaPeriod.
  const q = Number((cpuNano * BigInt(CPU_PERIOD_US)) / 1_000_000_000n);
  return Math.max(1000, q);
}

/** Upstream MilliCPUToShares: 2 minimum, 1024 per core. */
export function milliToShares(milli: bigint): number {
  if (milli === 0n) return 2;
  const s = Number((milli * 1024n) / 1000n);
  return Math.max(2, s);
}

/** cgroup v2 weight from v1 shares (runc's conversion). */
export function sharesToWeight(shares: number): number {
  return Math.round(1 + ((shares - 2) * 9999) / 262142);
}
