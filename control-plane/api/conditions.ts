/**
 * The condition shapes of core/v1 Pods and Nodes, shared by everything
 * that reads or writes them: the controllers, the kubelet, the simulated
 * nodes. Times are RFC 3339 strings as on the wire. Pure types.
 */

/** core/v1 PodCondition. */
export interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  /** Fields of later API versions are kept as they came. */
  [k: string]: unknown;
}

/** core/v1 NodeCondition. */
export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}
