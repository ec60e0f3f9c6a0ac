/**
 * What the node knows about its host: the machine (logical CPUs, memory,
 * kernel, OS image, identities), and readings that change (memory, CPU
 * time, a filesystem's space and inodes, process IDs).
 *
 * `HostProbe` is the seam: the node object, the conditions and the stats
 * summary read only through it, so unit tests pass a fake and the agent the
 * real Linux probe below. The real probe uses systeminformation for the CPU,
 * memory and OS facts, and reads what the kubelet (cAdvisor) reads itself
 * where systeminformation has nothing: /proc/stat for CPU time, /proc/meminfo
 * for the working set, statfs(2) for filesystems, /proc/loadavg and
 * kernel.pid_max/threads-max for PIDs (as upstream's pidlimit), and the
 * machine-id, boot_id and DMI product_uuid files.
 *
 * Contract: machine() is cached after the first call (boot-time facts);
 * every other call reads the host afresh. Byte and nanosecond values are
 * plain numbers (exact up to 2^53; more than enough for rates).
 */
import { readFileSync, statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import si from 'systeminformation';

export interface HugePages {
  /** Page size in bytes (2 MiB, 1 GiB). */
  pageSizeBytes: number;
  /** Pages configured (nr_hugepages). */
  total: number;
}

export interface MachineInfo {
  hostname: string;
  /** Logical cores. */
  cpus: number;
  memoryTotalBytes: number;
  kernelVersion: string;
  /** /etc/os-release PRETTY_NAME, e.g. `Debian GNU/Linux 12 (bookworm)`. */
  osImage: string;
  /** Go's GOARCH spelling: amd64, arm64… */
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  /** When the host booted (ms since the epoch): the node's stats startTime. */
  bootTimeMs: number;
  hugePages: HugePages[];
}

export interface MemoryReading {
  totalBytes: number;
  freeBytes: number;
  /** MemAvailable (the kernel's estimate). */
  availableBytes: number;
  /** Inactive(file): page cache the kernel can drop; excluded from the working set. */
  inactiveFileBytes: number;
  /** AnonPages: the rss of everything. */
  anonBytes: number;
  pageFaults: number;
  majorPageFaults: number;
}

export interface CpuReading {
  /** CPU time all cores spent busy since boot (user, nice, system, irq, softirq), ns. */
  usageCoreNanoSeconds: number;
}

export interface FsReading {
  capacityBytes: number;
  availableBytes: number;
  usedBytes: number;
  inodes: number;
  inodesFree: number;
}

export interface PidReading {
  /** min(kernel.pid_max, kernel.threads-max), as upstream's rlimit MaxPID. */
  max: number;
  /** Tasks that exist now (/proc/loadavg's total), as upstream's curproc. */
  running: number;
}

export interface HostProbe {
  machine(): Promise<MachineInfo>;
  memory(): Promise<MemoryReading>;
  cpu(): Promise<CpuReading>;
  /** The filesystem holding `path`. */
  fs(path: string): Promise<FsReading>;
  pids(): Promise<PidReading>;
}

/** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture Skiff runs on. */
const NS_PER_TICK = 10_000_000;

/** Node's process.arch → Go's GOARCH. */
export function goArch(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

/** Fields of a `key: value kB` file such as /proc/meminfo, in bytes (values without a unit as they are). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1));
  }
  return out;
}

/** Busy CPU time (ns) from /proc/stat's aggregate `cpu` line. */
export function parseProcStatCpu(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no cpu line in /proc/stat');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0);
  return busy * NS_PER_TICK;
}

/** The task total from /proc/loadavg (`0.1 0.2 0.3 1/93 8252` → 93). */
export function parseLoadavgTasks(text: string): number {
  const m = /\s\d+\/(\d+)\s/.exec(text);
  if (!m?.[1]) throw new Error(`unexpected /proc/loadavg: ${text.trim()}`);
  return Number(m[1]);
}

/** PRETTY_NAME from an os-release file. */
export function parseOsRelease(text: string): string | undefined {
  const m = /^PRETTY_NAME=(.*)$/m.exec(text);
  return m?.[1]?.trim().replace(/^"(.*)"$/, '$1');
}

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function readHugePages(): HugePages[] {
  const out: HugePages[] = [];
  for (const kb of [2048, 1048576]) {
    const n = readTrim(`/sys/kernel/mm/hugepages/hugepages-${kb}kB/nr_hugepages`);
    if (n !== '') out.push({ pageSizeBytes: kb * 1024, total: Number(n) });
  }
  return out;
}

/** The host as Linux reports it. */
export class LinuxHostProbe implements HostProbe {
  private cached: Promise<MachineInfo> | undefined;

  machine(): Promise<MachineInfo> {
    this.cached ??= this.readMachine();
    return this.cached;
  }

  private async readMachine(): Promise<MachineInfo> {
    const [cpu, mem, os] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
    const pretty = parseOsRelease(readTrim('/etc/os-release')) ?? `${os.distro} ${os.release}${os.codename ? ` (${os.codename})` : ''}`;
    return {
      hostname: os.hostname,
      cpus: cpu.cores,
      memoryTotalBytes: mem.total,
      kernelVersion: os.kernel,
      osImage: pretty,
      architecture: goArch(process.arch),
      machineID: readTrim('/etc/machine-id'),
      systemUUID: readTrim('/sys/class/dmi/id/product_uuid'),
      bootID: readTrim('/proc/sys/kernel/random/boot_id'),
      bootTimeMs: Math.round((Date.now() - uptime() * 1000) / 1000) * 1000,
      hugePages: readHugePages(),
    };
  }

  async memory(): Promise<MemoryReading> {
    const [mem, info, vmstat] = await Promise.all([si.mem(), readFile('/proc/meminfo', 'utf8'), readFile('/proc/vmstat', 'utf8').catch(() => '')]);
    const mi = parseMeminfo(info);
    const vm = new Map(vmstat.split('\n').map((l) => l.split(' ') as [string, string]).map(([k, v]) => [k, Number(v)] as const));
    return {
      totalBytes: mem.total,
      freeBytes: mem.free,
      availableBytes: mem.available,
      inactiveFileBytes: mi.get('Inactive(file)') ?? 0,
      anonBytes: mi.get('AnonPages') ?? 0,
      pageFaults: vm.get('pgfault') ?? 0,
      majorPageFaults: vm.get('pgmajfault') ?? 0,
    };
  }

  async cpu(): Promise<CpuReading> {
    return { usageCoreNanoSeconds: parseProcStatCpu(await readFile('/proc/stat', 'utf8')) };
  }

  async fs(path: string): Promise<FsReading> {
    const s = statfsSync(path);
    return {
      capacityBytes: s.blocks * s.bsize,
      availableBytes: s.bavail * s.bsize,
      usedBytes: (s.blocks - s.bfree) * s.bsize,
      inodes: s.files,
      inodesFree: s.ffree,
    };
  }

  async pids(): Promise<PidReading> {
    const limits = ['/proc/sys/kernel/pid_max', '/proc/sys/kernel/threads-max'].map((p) => Number(readTrim(p))).filter((n) => n > 0);
    return { max: limits.length ? Math.min(...limits) : 0, running: parseLoadavgTasks(await readFile('/proc/loadavg', 'utf8')) };
  }

}
