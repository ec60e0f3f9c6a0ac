/**
 * CRI linux.resources from a container's requests and limits, as
 * upstream's kuberuntime_container_linux.go calculateLinuxResources and
 * pkg/kubelet/qos GetContainerOOMScoreAdjust:
 * - cpuShares = milliCPUToShares(cpu request, or the limit when only a
 *   limit is set): milli*1024/1000, at least 2, at most 262144;
 * - cpuPeriod 100000 always; cpuQuota = milli*period/1000 of the limit
 *   (at least 1000), 0 without a limit;
 * - memoryLimitInBytes = the memory limit (0 = none);
 * - oomScoreAdj by QoS: Guaranteed and node-critical -997, BestEffort
 *   1000, Burstable 1000 - 1000*memRequest/capacity clamped to [3, 999].
 *   DEVIATION: negative values are clamped to 0. Containerd here must run
 *   with restrict_oom_score_adj (root lacks CAP_SYS_RESOURCE; runc fails
 *   writing a negative oom_score_adj), and a negative value would also
 *   be below the agent's own score. Guaranteed pods thus get 0: still the
 *   lowest value the runtime can apply, so the QoS ordering holds.
 * Pure.
 */
import { quantityMilli, quantityNano, tryParseQuantity } from '../../control-plane/api/quantity.js';
import { rec, str } from '../../control-plane/api/resources/fields.js';
import type { LinuxContainerResources } from '../cri/runtime.js';
import type { ContainerSpec, Pod } from './pod-deps.js';
import { computeQos } from './qos.js';

const MIN_SHARES = 2n;
const MAX_SHARES = 262144n;
const SHARES_PER_CPU = 1024n;
const MILLI_PER_CPU = 1000n;
export const QUOTA_PERIOD = 100000n;
const MIN_QUOTA = 1000n;

export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BESTEFFORT_OOM_SCORE_ADJ = 1000;

export function milliCpuToShares(milli: bigint): bigint {
  if (milli === 0n) return MIN_SHARES;
  const shares = (milli * SHARES_PER_CPU) / MILLI_PER_CPU;
  if (shares < MIN_SHARES) return MIN_SHARES;
  return shares > MAX_SHARES ? MAX_SHARES : shares;
}

export function milliCpuToQuota(milli: bigint, period: bigint): bigint {
  if (milli === 0n) return 0n;
  const quota = (milli * period) / MILLI_PER_CPU;
  return quota < MIN_QUOTA ? MIN_QUOTA : quota;
}

function quantityOf(c: ContainerSpec, kind: 'requests' | 'limits', name: string) {
  const v = rec(rec(c.resources)?.[kind])?.[name];
  const text = typeof v === 'number' ? String(v) : str(v);
  return text === undefined ? undefined : tryParseQuantity(text);
}

function milliOf(c: ContainerSpec, kind: 'requests' | 'limits', name: string): bigint {
  const q = quantityOf(c, kind, name);
  return q ? quantityMilli(q) : 0n;
}

/** Whole units, rounded up (Quantity.Value()). */
function valueOf(c: ContainerSpec, kind: 'requests' | 'limits', name: string): bigint {
  const q = quantityOf(c, kind, name);
  if (!q) return 0n;
  const nano = quantityNano(q);
  return nano / 1_000_000_000n + (nano % 1_000_000_000n > 0n ? 1n : 0n);
}

/** Upstream's score, before Skiff's clamp. */
export function upstreamOomScoreAdj(pod: Pod, container: ContainerSpec, memoryCapacity: bigint): number {
  if (str(pod.spec?.priorityClassName) === 'system-node-critical') return GUARANTEED_OOM_SCORE_ADJ;
  const qos = computeQos(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BESTEFFORT_OOM_SCORE_ADJ;
  const request = valueOf(container, 'requests', 'memory');
  const adj = memoryCapacity > 0n ? Number(1000n - (1000n * request) / memoryCapacity) : 1000;
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BESTEFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

export function oomScoreAdj(pod: Pod, container: ContainerSpec, memoryCapacity: bigint): number {
  return Math.max(0, upstreamOomScoreAdj(pod, container, memoryCapacity));
}

export function linuxResources(pod: Pod, container: ContainerSpec, memoryCapacity: bigint): LinuxContainerResources {
  const cpuRequest = milliOf(container, 'requests', 'cpu');
  const cpuLimit = milliOf(container, 'limits', 'cpu');
  const shares = cpuRequest === 0n && cpuLimit !== 0n ? milliCpuToShares(cpuLimit) : milliCpuToShares(cpuRequest);
  return {
    cpuPeriod: String(QUOTA_PERIOD),
    cpuQuota: String(milliCpuToQuota(cpuLimit, QUOTA_PERIOD)),
    cpuShares: String(shares),
    memoryLimitInBytes: String(valueOf(container, 'limits', 'memory')),
    oomScoreAdj: String(oomScoreAdj(pod, container, memoryCapacity)),
  };
}
