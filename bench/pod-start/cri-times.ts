/**
 * The CRI's own timestamps of one pod (bench/pod-start): when containerd
 * created its sandbox, created its container and started it, read back
 * after the fact by the pod UID label and moved onto this process's
 * performance.now() clock. They split a pod start into stages that are
 * comparable between pods started through the API and raw CRI starts:
 * everything before the sandbox's createdAt, sandbox → container created
 * (the kubelet's work between the two RPCs), created → started, and
 * started → Running seen.
 *
 * Measured here (containerd 1.6.20): a sandbox's createdAt is taken when
 * RunPodSandbox begins (~15 ms after the call, before the network set-up),
 * so it marks when the kubelet called it; a container's createdAt is near
 * the end of CreateContainer and its startedAt near the end of
 * StartContainer.
 */
import type { Runtime } from '../../agent/cri/runtime.js';
import { POD_UID } from '../../agent/kubelet/cri-labels.js';

export interface CriTimes {
  sandboxCreated: number;
  containerCreated: number;
  containerStarted: number;
}

/** ns since the epoch (decimal string) → ms on the performance.now() clock. */
export function nsToPerf(ns: string): number {
  if (!ns || ns === '0') return NaN;
  const wallMs = Number(BigInt(ns) / 1000n) / 1000;
  return wallMs - (Date.now() - performance.now());
}

/** The newest sandbox and container of the pod with this UID; undefined when it has none. */
export async function criTimes(runtime: Runtime, uid: string): Promise<CriTimes | undefined> {
  const sel = { labelSelector: { [POD_UID]: uid } };
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandbox(sel), runtime.listContainers(sel)]);
  const sb = sandboxes.sort((a, b) => (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : -1))[0];
  const c = containers.sort((a, b) => (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : -1))[0];
  if (!sb || !c) return undefined;
  const st = await runtime.containerStatus(c.id);
  return { sandboxCreated: nsToPerf(sb.createdAt), containerCreated: nsToPerf(st.createdAt), containerStarted: nsToPerf(st.startedAt) };
}
