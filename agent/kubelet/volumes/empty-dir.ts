/**
 * emptyDir (upstream pkg/volume/emptydir): a directory under the pod dir,
 * mode 0777, living as long as the pod. medium Memory mounts a tmpfs
 * there whose size is the smallest positive of the node's allocatable
 * memory, the pod's memory limit and the volume's sizeLimit (upstream's
 * calculateEmptyDirMemorySize, SizeMemoryBackedVolumes); none known →
 * the kernel default. Set-up is idempotent: an existing mount is kept.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { quantityNano, tryParseQuantity } from '../../../control-plane/api/quantity.js';
import { str } from '../../../control-plane/api/resources/fields.js';
import type { Pod } from '../pod-deps.js';
import { podLimitNano } from '../qos.js';
import type { Mounter } from './mounter.js';

/** Bytes of a quantity (rounded up), undefined when absent or zero. */
export function sizeBytes(limit: unknown): bigint | undefined {
  const text = typeof limit === 'number' ? String(limit) : str(limit);
  const q = text === undefined ? undefined : tryParseQuantity(text);
  if (!q) return undefined;
  const nano = quantityNano(q);
  const bytes = nano / 1_000_000_000n + (nano % 1_000_000_000n > 0n ? 1n : 0n);
  return bytes > 0n ? bytes : undefined;
}

/** Creates dir, on tmpfs when memory is true. */
export async function setUpDir(dir: string, mounter: Mounter, memory: boolean, limitBytes?: bigint): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o777 });
  if (memory && !(await mounter.isMountPoint(dir))) await mounter.mountTmpfs(dir, limitBytes);
  await chmod(dir, 0o777);
}

/** The tmpfs size of a memory-backed volume (undefined: no limit known). */
export function memoryVolumeSize(pod: Pod, allocatableMemory: unknown, sizeLimit: unknown): bigint | undefined {
  let size = sizeBytes(allocatableMemory);
  const podNano = podLimitNano(pod, 'memory');
  const podBytes = podNano === undefined ? undefined : podNano / 1_000_000_000n + (podNano % 1_000_000_000n > 0n ? 1n : 0n);
  for (const candidate of [podBytes, sizeBytes(sizeLimit)]) {
    if (candidate !== undefined && candidate > 0n && (size === undefined || candidate <= size)) size = candidate;
  }
  return size;
}

export async function setUpEmptyDir(dir: string, pod: Pod, source: Record<string, unknown>, mounter: Mounter, allocatableMemory?: string): Promise<void> {
  const memory = source.medium === 'Memory';
  await setUpDir(dir, mounter, memory, memory ? memoryVolumeSize(pod, allocatableMemory, source.sizeLimit) : undefined);
}
