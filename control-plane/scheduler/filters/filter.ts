/**
 * The filter plug-in contract. A plug-in is prepared once per pod and
 * scheduling cycle (its pre-filter work: counting, parsing) and returns a
 * per-node check. The check returns [] when the node passes, otherwise the
 * reason strings upstream's plug-in reports (counted per node in the
 * FailedScheduling message).
 *
 * `isUnresolvable` tells preemption whether a failure can never be fixed by
 * evicting pods from the node (upstream's UnschedulableAndUnresolvable
 * status code); absent means the failure may be resolvable. Pure.
 */
import type { Resources } from '../requests.js';
import type { ClusterSnapshot, NodeInfo } from '../snapshot.js';
import type { PodView } from '../types.js';

export interface CycleContext {
  pod: PodView;
  snapshot: ClusterSnapshot;
  /** The pod's effective requests (requests.ts), computed once per cycle. */
  requests: Resources;
}

export type NodeFilter = (node: NodeInfo) => string[];

export interface FilterPlugin {
  readonly name: string;
  prepare(ctx: CycleContext): NodeFilter;
  isUnresolvable?(reasons: readonly string[], node: NodeInfo, ctx: CycleContext): boolean;
}

export const ALWAYS_UNRESOLVABLE = (): boolean => true;

export const PASS: string[] = [];
