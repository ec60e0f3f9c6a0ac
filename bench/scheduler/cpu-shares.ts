/**
 * Who had the machine's CPUs while pods were bound: the server's main
 * thread, the server's other threads (the scheduler's and the controller
 * manager's, the SQLite writer, V8's helpers), the simulator, this
 * benchmark process, and what was left idle. Read from /proc (clock ticks
 * of 10 ms on Linux), so it costs nothing while the run goes on and, unlike
 * a profile, does not slow what it measures.
 *
 * Why: a profile of the server's main thread said "85–90 % busy", yet the
 * per-thread accounting showed 57 % with the machine 9 % idle. The rate
 * was bound by round trips between threads, not by one saturated thread.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSample {
  at: number;
  /** CPU ms per thread id of the server and of the simulator. */
  server: Map<string, number>;
  sim: Map<string, number>;
  benchMs: number;
  machine: { idle: number; total: number };
}

/** Percent of one CPU over the interval (100 = one core busy all the time), and the machine's idle share (percent of all CPUs). */
export interface CpuShares {
  serverMainThread: number;
  serverOtherThreads: number;
  sim: number;
  bench: number;
  machineIdle: number;
}

const TICK_MS = 10;

/** utime + stime of a /proc stat line, in ms. */
function statMs(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

function threadsMs(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!pid) return out;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      out.set(t, statMs(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

function machineTicks(): { idle: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: idle counts idle + iowait.
  return { idle: (f[3] ?? 0) + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
}

export function sampleCpu(serverPid: number | undefined, simPid: number | undefined): CpuSample {
  const u = process.cpuUsage();
  return { at: Date.now(), server: threadsMs(serverPid), sim: threadsMs(simPid), benchMs: (u.user + u.system) / 1000, machine: machineTicks() };
}

function spent(a: Map<string, number>, b: Map<string, number>, only?: (tid: string) => boolean): number {
  let ms = 0;
  for (const [tid, v] of b) if (!only || only(tid)) ms += v - (a.get(tid) ?? 0);
  return ms;
}

export function cpuShares(a: CpuSample, b: CpuSample, serverPid: number | undefined): CpuShares {
  const wall = Math.max(1, b.at - a.at);
  const pct = (ms: number): number => Math.round((1000 * ms) / wall) / 10;
  const main = String(serverPid ?? '');
  const total = b.machine.total - a.machine.total;
  return {
    serverMainThread: pct(spent(a.server, b.server, (t) => t === main)),
    serverOtherThreads: pct(spent(a.server, b.server, (t) => t !== main)),
    sim: pct(spent(a.sim, b.sim)),
    bench: pct(b.benchMs - a.benchMs),
    machineIdle: total > 0 ? Math.round((1000 * (b.machine.idle - a.machine.idle)) / total) / 10 : NaN,
  };
}
