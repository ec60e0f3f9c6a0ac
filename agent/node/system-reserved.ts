/**
 * `--system-reserved cpu=250m,memory=512Mi`: resources the node keeps back
 * for the OS and its daemons, subtracted from capacity to give allocatable.
 * Pure.
 *
 * As upstream's kubelet flag (a ResourceList from `name=quantity` pairs,
 * parsed by parseResourceList): the names allowed are cpu, memory,
 * ephemeral-storage and pid; quantities use the API's syntax; negative
 * values are refused. An empty string reserves nothing.
 */
import { formatQuantity, tryParseQuantity, type Quantity } from '../../control-plane/api/quantity.js';

export const RESERVABLE = ['cpu', 'memory', 'ephemeral-storage', 'pid'] as const;

export type ReservedResources = Partial<Record<(typeof RESERVABLE)[number], Quantity>>;

export class ReservedParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReservedParseError';
  }
}

/** Parses `cpu=250m,memory=512Mi`; throws ReservedParseError with the flag's complaint. */
export function parseSystemReserved(text: string): ReservedResources {
  const out: ReservedResources = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ReservedParseError(`invalid --system-reserved entry "${item}": expected name=quantity, e.g. cpu=250m,memory=512Mi`);
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!(RESERVABLE as readonly string[]).includes(name)) throw new ReservedParseError(`cannot reserve "${name}" resource`);
    const q = tryParseQuantity(value);
    if (!q) throw new ReservedParseError(`invalid --system-reserved quantity "${value}" for "${name}"`);
    if (q.mantissa < 0n) throw new ReservedParseError(`resource quantity for "${name}" cannot be negative: ${value}`);
    out[name as keyof ReservedResources] = q;
  }
  return out;
}

/** The flag form back again (canonical quantities, in RESERVABLE order). */
export function formatSystemReserved(r: ReservedResources): string {
  return RESERVABLE.filter((k) => r[k] !== undefined)
    .map((k) => `${k}=${formatQuantity(r[k]!)}`)
    .join(',');
}
