/**
 * The agent's HTTPS server asks "which file, which container, which
 * sandbox" through PodLocator (agent/server); the kubelet knows. This
 * adapter answers from the kubelet's pods and runtime state with
 * upstream's errors, in upstream's order: the pod, then the container in
 * its spec, then the container's state.
 */
import type { ContainerSpec, Pod } from './kubelet/pod-deps.js';
import { containerLogFiles } from './kubelet/container-log-reader.js';
import {
  containerNotFound,
  logContainerNotAvailable,
  logContainerNotInSpec,
  logContainerWaiting,
  logPodNotFound,
  logPreviousNotFound,
  podUidMismatch,
  streamPodNotFound,
  type ContainerLogFiles,
  type LocatorError,
  type PodLocator,
} from './server/pod-locator.js';

/** What the adapter needs of the kubelet. */
export interface KubeletView {
  pod(namespace: string, name: string): Pod | undefined;
  containerLogPath(namespace: string, podName: string, container: string, previous: boolean): Promise<{ path: string; containerId: string; running: boolean } | undefined>;
  containerId(namespace: string, podName: string, container: string): string | undefined;
  sandboxId(namespace: string, podName: string): string | undefined;
  /** The waiting reason the kubelet reports for a container (ContainerCreating, CrashLoopBackOff…), if any. */
  waitingReason(namespace: string, podName: string, container: string): string | undefined;
  isRunning(containerId: string): boolean;
}

function specContainers(pod: Pod): ContainerSpec[] {
  const spec = pod.spec ?? {};
  const list = (v: unknown): ContainerSpec[] => (Array.isArray(v) ? (v as ContainerSpec[]) : []);
  return [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)];
}

export class KubeletPodLocator implements PodLocator {
  constructor(private readonly k: KubeletView) {}

  async containerLog(namespace: string, name: string, container: string, previous: boolean): Promise<ContainerLogFiles | LocatorError> {
    const pod = this.k.pod(namespace, name);
    if (!pod) return logPodNotFound(name);
    if (!specContainers(pod).some((c) => c.name === container)) return logContainerNotInSpec(container, name);
    const found = await this.k.containerLogPath(namespace, name, container, previous);
    if (!found) {
      if (previous) return logPreviousNotFound(container, name);
      const reason = this.k.waitingReason(namespace, name, container);
      return reason ? logContainerWaiting(container, name, reason) : logContainerNotAvailable(container, name);
    }
    const paths = await containerLogFiles(found.path);
    const id = found.containerId;
    return { paths, running: () => this.k.isRunning(id) };
  }

  async containerId(namespace: string, name: string, uid: string | undefined, container: string): Promise<string | LocatorError> {
    const pod = this.k.pod(namespace, name);
    if (!pod || (uid && pod.metadata.uid !== uid)) return streamPodNotFound();
    return this.k.containerId(namespace, name, container) ?? containerNotFound(container);
  }

  async sandboxId(namespace: string, name: string, uid: string | undefined): Promise<string | LocatorError> {
    const pod = this.k.pod(namespace, name);
    if (!pod) return streamPodNotFound();
    if (uid && pod.metadata.uid !== uid) return podUidMismatch();
    return this.k.sandboxId(namespace, name) ?? streamPodNotFound();
  }
}
