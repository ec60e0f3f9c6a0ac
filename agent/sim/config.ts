/**
 * `skiff sim` settings: what the flags mean, their defaults and their
 * checks, as one pure function from raw flag strings to a SimConfig. A
 * mistake is a SimConfigError naming the flag (the CLI exits 2 with it).
 */
import { tryParseQuantity } from '../../control-plane/api/quantity.js';
import { isDNS1123Subdomain } from '../../control-plane/api/validation.js';

export class SimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimConfigError';
  }
}

export interface SimConfig {
  kubeconfig: string;
  nodes: number;
  cpu: string;
  memory: string;
  maxPods: number;
  prefix: string;
  ephemeralStorage: string;
  /** Most API writes in flight at once. */
  concurrency: number;
}

export interface SimFlags {
  kubeconfig?: string;
  nodes?: string;
  cpu?: string;
  memory?: string;
  maxPods?: string;
  prefix?: string;
}

export const SIM_DEFAULTS = { cpu: '8', memory: '32Gi', maxPods: 110, prefix: 'sim-', ephemeralStorage: '100Gi', concurrency: 64 } as const;
/** Node InternalIPs come from a /16, so at most this many nodes. */
export const MAX_SIM_NODES = 65_000;

function positiveInt(flag: string, v: string, max: number): number {
  if (!/^\d+$/.test(v.trim())) throw new SimConfigError(`${flag}: "${v}" is not a positive integer`);
  const n = Number(v);
  if (n < 1 || n > max) throw new SimConfigError(`${flag}: ${n} is out of range (1-${max})`);
  return n;
}

function quantity(flag: string, v: string): string {
  const q = tryParseQuantity(v.trim());
  if (!q || q.mantissa < 0n) throw new SimConfigError(`${flag}: "${v}" is not a quantity such as 8, 500m or 32Gi`);
  return v.trim();
}

export function buildSimConfig(f: SimFlags): SimConfig {
  if (!f.kubeconfig) throw new SimConfigError('--kubeconfig is required');
  if (f.nodes === undefined) throw new SimConfigError('--nodes is required');
  const nodes = positiveInt('--nodes', f.nodes, MAX_SIM_NODES);
  const prefix = f.prefix ?? SIM_DEFAULTS.prefix;
  const last = `${prefix}${nodes - 1}`;
  const bad = isDNS1123Subdomain(last);
  if (bad.length) throw new SimConfigError(`--prefix: node name "${last}" is not valid: ${bad.join('; ')}`);
  return {
    kubeconfig: f.kubeconfig,
    nodes,
    cpu: quantity('--cpu', f.cpu ?? SIM_DEFAULTS.cpu),
    memory: quantity('--memory', f.memory ?? SIM_DEFAULTS.memory),
    maxPods: f.maxPods === undefined ? SIM_DEFAULTS.maxPods : positiveInt('--max-pods', f.maxPods, 1_000_000),
    prefix,
    ephemeralStorage: SIM_DEFAULTS.ephemeralStorage,
    concurrency: SIM_DEFAULTS.concurrency,
  };
}
