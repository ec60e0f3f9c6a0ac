/**
 * A HostProbe whose readings tests set: a fixed machine and mutable
 * memory, CPU, filesystem and PID readings, so node conditions, allocatable
 * and stats can be checked against known numbers.
 */
import type { CpuReading, FsReading, HostProbe, MachineInfo, MemoryReading, PidReading } from './host-info.js';

const GiB = 1024 ** 3;

export function fakeMachine(over: Partial<MachineInfo> = {}): MachineInfo {
  return {
    hostname: 'fake-host',
    cpus: 2,
    memoryTotalBytes: 8 * GiB,
    kernelVersion: '6.1.0-test',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    architecture: 'amd64',
    machineID: '0123456789abcdef0123456789abcdef',
    systemUUID: '01234567-89ab-cdef-0123-456789abcdef',
    bootID: 'fb515c80-4c99-417b-9b3b-20b40a2375ab',
    bootTimeMs: Date.UTC(2026, 10, 28, 0, 0, 0),
    hugePages: [],
    ...over,
  };
}

export class FakeHostProbe implements HostProbe {
  machineInfo: MachineInfo;
  mem: MemoryReading;
  cpuReading: CpuReading = { usageCoreNanoSeconds: 0 };
  filesystems = new Map<string, FsReading>();
  defaultFs: FsReading = { capacityBytes: 100 * GiB, availableBytes: 60 * GiB, usedBytes: 40 * GiB, inodes: 6_000_000, inodesFree: 5_000_000 };
  pidReading: PidReading = { max: 32768, running: 100 };

  constructor(machine: Partial<MachineInfo> = {}) {
    this.machineInfo = fakeMachine(machine);
    this.mem = {
      totalBytes: this.machineInfo.memoryTotalBytes,
      freeBytes: 5 * GiB,
      availableBytes: 6 * GiB,
      inactiveFileBytes: 1 * GiB,
      anonBytes: 1.5 * GiB,
      pageFaults: 1000,
      majorPageFaults: 10,
    };
  }

  machine(): Promise<MachineInfo> {
    return Promise.resolve(this.machineInfo);
  }
  memory(): Promise<MemoryReading> {
    return Promise.resolve({ ...this.mem });
  }
  cpu(): Promise<CpuReading> {
    return Promise.resolve({ ...this.cpuReading });
  }
  fs(path: string): Promise<FsReading> {
    return Promise.resolve({ ...(this.filesystems.get(path) ?? this.defaultFs) });
  }
  pids(): Promise<PidReading> {
    return Promise.resolve({ ...this.pidReading });
  }
}
