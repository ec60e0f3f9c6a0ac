/**
 * The score plug-in contract: prepared once per pod and cycle, then a
 * per-node score in [0, MAX_NODE_SCORE]. The scheduler adds weight × score
 * over plug-ins and picks among the best nodes. Pure.
 */
import type { CycleContext } from '../filters/filter.js';
import type { NodeInfo } from '../snapshot.js';

export const MAX_NODE_SCORE = 100;

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  prepare(ctx: CycleContext): (node: NodeInfo) => number;
}
