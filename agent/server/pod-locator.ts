/**
 * What the agent's HTTPS server needs from the kubelet to answer
 * containerLogs, exec, attach and portForward: where a container's log
 * files are and which CRI ids a pod's container and sandbox have. The
 * kubelet implements PodLocator from its pod manager and runtime cache;
 * the server depends on this declaration only.
 *
 * Failures are values (LocatorError) carrying the HTTP status and message
 * the upstream kubelet answers with, so the server writes them verbatim
 * (plain text, as upstream's go-restful WriteError). The helpers below
 * build them with upstream's texts (pkg/kubelet/server/server.go and
 * kubelet_pods.go validateContainerLogStatus / findContainer).
 */

export class LocatorError {
  readonly kind = 'LocatorError';
  constructor(
    readonly status: 400 | 404 | 500,
    readonly message: string,
  ) {}
}

export function isLocatorError(v: unknown): v is LocatorError {
  return v instanceof LocatorError;
}

/** The log files of one container, oldest first, and whether it still runs (ends a follow). */
export interface ContainerLogFiles {
  paths: string[];
  running: () => boolean;
}

export interface PodLocator {
  /**
   * The log of a container of a pod bound to this node: the current (or
   * last) instance, or with `previous` the one before. Errors as upstream:
   * logPodNotFound, logContainerNotInSpec (404), then the status errors
   * of validateContainerLogStatus (400).
   */
  containerLog(namespace: string, pod: string, container: string, previous: boolean): Promise<ContainerLogFiles | LocatorError>;
  /**
   * The CRI id of a running container, for exec and attach. `uid`, when
   * given in the path, must match the pod's. Errors: streamPodNotFound
   * (404), containerNotFound (500, upstream's findContainer answer).
   */
  containerId(namespace: string, pod: string, uid: string | undefined, container: string): Promise<string | LocatorError>;
  /** The CRI id of the pod's ready sandbox, for portForward. Errors: streamPodNotFound, podUidMismatch (404). */
  sandboxId(namespace: string, pod: string, uid: string | undefined): Promise<string | LocatorError>;
  /** The pods bound to this node, for GET /pods (optional). */
  pods?(): Promise<unknown[]>;
}

// ---- upstream's texts ----

/** containerLogs for a pod the kubelet does not have. */
export const logPodNotFound = (pod: string) => new LocatorError(404, `pod ${JSON.stringify(pod)} does not exist`);
/** containerLogs for a container not in the pod's spec. */
export const logContainerNotInSpec = (container: string, pod: string) => new LocatorError(404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(pod)}`);
/** containerLogs: no status for the container yet. */
export const logContainerNotAvailable = (container: string, pod: string) => new LocatorError(400, `container ${JSON.stringify(container)} in pod ${JSON.stringify(pod)} is not available`);
/** containerLogs?previous=true with no terminated instance. */
export const logPreviousNotFound = (container: string, pod: string) => new LocatorError(400, `previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(pod)} not found`);
/** containerLogs of a terminated container whose id is gone. */
export const logContainerTerminated = (container: string, pod: string) => new LocatorError(400, `container ${JSON.stringify(container)} in pod ${JSON.stringify(pod)} is terminated`);

/** containerLogs of a container waiting to start, with its waiting reason. */
export function logContainerWaiting(container: string, pod: string, reason: string | undefined): LocatorError {
  const head = `container ${JSON.stringify(container)} in pod ${JSON.stringify(pod)} is waiting to start`;
  if (reason === undefined || reason === '') return new LocatorError(400, `${head} - no logs yet`);
  if (reason === 'ErrImagePull') return new LocatorError(400, `${head}: image can't be pulled`);
  if (reason === 'ImagePullBackOff') return new LocatorError(400, `${head}: trying and failing to pull image`);
  return new LocatorError(400, `${head}: ${reason}`);
}

/** exec/attach/portForward for a pod the kubelet does not have. */
export const streamPodNotFound = () => new LocatorError(404, 'pod does not exist');
/** portForward whose path uid is not the pod's. */
export const podUidMismatch = () => new LocatorError(404, 'pod not found');
/** exec/attach to a container that is not running (upstream answers 500). */
export const containerNotFound = (container: string) => new LocatorError(500, `container not found (${JSON.stringify(container)})`);
