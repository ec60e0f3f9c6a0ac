/**
 * Hard eviction thresholds and the node pressure they signal, as upstream's
 * eviction manager (pkg/kubelet/eviction): signals observed from host
 * readings, compared against `signal<value` thresholds, folded into the
 * MemoryPressure, DiskPressure and PIDPressure conditions. Pure except for
 * PressureTracker, which holds the last time each pressure was observed.
 *
 * - Thresholds are upstream's Linux DefaultEvictionHard (memory.available
 *   <100Mi, nodefs.available<10%, nodefs.inodesFree<5%, imagefs.available
 *   <15%). Upstream sets no PID default; Skiff adds pid.available<10% so
 *   PIDPressure follows real readings too (SKIFF_EVICTION_HARD).
 * - memory.available is capacity − working set (usage − inactive file),
 *   as the kubelet computes it, not the kernel's MemAvailable.
 * - Once met, a pressure holds for the pressure transition period (5 min,
 *   evictionPressureTransitionPeriod) after the threshold is last met.
 * - The hard thresholds for memory.available and nodefs.available are
 *   subtracted from allocatable (hardEvictionReservation).
 */
import { quantityNano, tryParseQuantity } from '../../control-plane/api/quantity.js';

export type Signal = 'memory.available' | 'nodefs.available' | 'nodefs.inodesFree' | 'imagefs.available' | 'imagefs.inodesFree' | 'pid.available';
export const SIGNALS: readonly Signal[] = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];

export type PressureCondition = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

export const CONDITION_OF_SIGNAL: Record<Signal, PressureCondition> = {
  'memory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
  'pid.available': 'PIDPressure',
};

/** A `signal<value` threshold: an absolute amount or a fraction of capacity. */
export interface Threshold {
  signal: Signal;
  /** Absolute amount (bytes, inodes or PIDs). */
  quantity?: number;
  /** 0..1 of the signal's capacity. */
  percentage?: number;
}

/** Upstream's DefaultEvictionHard on Linux. */
export const UPSTREAM_EVICTION_HARD: Readonly<Record<string, string>> = {
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
};

/** What the Skiff agent uses: upstream's defaults plus a PID threshold. */
export const SKIFF_EVICTION_HARD: Readonly<Record<string, string>> = { ...UPSTREAM_EVICTION_HARD, 'pid.available': '10%' };

export const PRESSURE_TRANSITION_MS = 5 * 60_000;

/** Parses an evictionHard map (`{"memory.available": "100Mi", "nodefs.available": "10%"}`). */
export function parseThresholds(map: Readonly<Record<string, string>>): Threshold[] {
  const out: Threshold[] = [];
  for (const [signal, value] of Object.entries(map)) {
    if (!(SIGNALS as readonly string[]).includes(signal)) throw new Error(`unsupported eviction signal ${signal}`);
    const v = value.trim();
    if (v.endsWith('%')) {
      const p = Number(v.slice(0, -1));
      if (!Number.isFinite(p) || p <= 0 || p > 100) throw new Error(`invalid percentage ${v} for ${signal}`);
      out.push({ signal: signal as Signal, percentage: p / 100 });
    } else {
      const q = tryParseQuantity(v);
      if (!q || q.mantissa < 0n) throw new Error(`invalid quantity ${v} for ${signal}`);
      out.push({ signal: signal as Signal, quantity: Number(quantityNano(q) / 1_000_000_000n) });
    }
  }
  return out;
}

/** The amount a threshold stands for against a capacity (GetThresholdQuantity). */
export function thresholdAmount(t: Threshold, capacity: number): number {
  if (t.quantity !== undefined) return t.quantity;
  return Math.floor((t.percentage ?? 0) * capacity);
}

/** One observed signal: what is available out of what capacity. */
export interface Observation {
  available: number;
  capacity: number;
}

export type Observations = Partial<Record<Signal, Observation>>;

/** The inputs the observations are made from (host readings). */
export interface SignalInputs {
  memory?: { totalBytes: number; workingSetBytes: number };
  nodefs?: { capacityBytes: number; availableBytes: number; inodes: number; inodesFree: number };
  imagefs?: { capacityBytes: number; availableBytes: number; inodes: number; inodesFree: number };
  pids?: { max: number; running: number };
}

export function observe(inputs: SignalInputs): Observations {
  const o: Observations = {};
  if (inputs.memory) o['memory.available'] = { available: Math.max(0, inputs.memory.totalBytes - inputs.memory.workingSetBytes), capacity: inputs.memory.totalBytes };
  if (inputs.nodefs) {
    o['nodefs.available'] = { available: inputs.nodefs.availableBytes, capacity: inputs.nodefs.capacityBytes };
    if (inputs.nodefs.inodes > 0) o['nodefs.inodesFree'] = { available: inputs.nodefs.inodesFree, capacity: inputs.nodefs.inodes };
  }
  if (inputs.imagefs) {
    o['imagefs.available'] = { available: inputs.imagefs.availableBytes, capacity: inputs.imagefs.capacityBytes };
    if (inputs.imagefs.inodes > 0) o['imagefs.inodesFree'] = { available: inputs.imagefs.inodesFree, capacity: inputs.imagefs.inodes };
  }
  if (inputs.pids && inputs.pids.max > 0) o['pid.available'] = { available: Math.max(0, inputs.pids.max - inputs.pids.running), capacity: inputs.pids.max };
  return o;
}

/** The thresholds met by the observations (available < threshold). Unobserved signals meet nothing. */
export function thresholdsMet(thresholds: readonly Threshold[], obs: Observations): Threshold[] {
  return thresholds.filter((t) => {
    const o = obs[t.signal];
    return o !== undefined && o.available < thresholdAmount(t, o.capacity);
  });
}

/**
 * Remembers when each pressure was last observed and answers whether the
 * node is under it: met now, or within the transition period of last met.
 */
export class PressureTracker {
  private readonly lastMet = new Map<PressureCondition, number>();

  constructor(private readonly transitionMs = PRESSURE_TRANSITION_MS) {}

  /** Records the thresholds met at nowMs; returns the conditions under pressure. */
  update(met: readonly Threshold[], nowMs: number): Set<PressureCondition> {
    for (const t of met) this.lastMet.set(CONDITION_OF_SIGNAL[t.signal], nowMs);
    const out = new Set<PressureCondition>();
    for (const [c, at] of this.lastMet) if (nowMs - at < this.transitionMs) out.add(c);
    return out;
  }
}

/** The hard thresholds reserved from allocatable: memory.available → memory, nodefs.available → ephemeral-storage (bytes). */
export function hardEvictionReservation(thresholds: readonly Threshold[], capacity: { memory: number; ephemeralStorage: number }): { memory: number; ephemeralStorage: number } {
  let memory = 0;
  let ephemeralStorage = 0;
  for (const t of thresholds) {
    if (t.signal === 'memory.available') memory = thresholdAmount(t, capacity.memory);
    else if (t.signal === 'nodefs.available') ephemeralStorage = thresholdAmount(t, capacity.ephemeralStorage);
  }
  return { memory, ephemeralStorage };
}
