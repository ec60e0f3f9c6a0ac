/**
 * The two ranges Service allocation hands values out of: an IPv4 service
 * CIDR (`10.43.0.0/16`) and a node-port range (`30000-32767`). Pure parsing
 * and arithmetic; config.ts validates flags with the same parsers.
 *
 * Addresses are unsigned 32-bit integers internally. The network address
 * and (for ranges of four or more addresses) the broadcast address are
 * never usable, as upstream's allocator.
 */

export interface Ipv4Cidr {
  /** The network address as an integer. */
  base: number;
  prefix: number;
  /** Number of addresses in the block, network and broadcast included. */
  size: number;
  /** The CIDR as written canonically (`10.43.0.0/16`). */
  text: string;
}

export interface PortRange {
  base: number;
  size: number;
  /** `30000-32767`. */
  text: string;
}

/** An IPv4 dotted quad as an integer, or undefined if it is not one. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Smallest and largest prefix the allocator accepts (upstream caps IPv4 service ranges at /12). */
export const MIN_PREFIX = 12;
export const MAX_PREFIX = 28;

/** Parses an IPv4 CIDR; throws an Error with a one-line reason. */
export function parseServiceCidr(s: string): Ipv4Cidr {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m || m[1] === undefined || m[2] === undefined) throw new Error(`invalid CIDR "${s}": expected an address and prefix such as 10.43.0.0/16`);
  if (m[1].includes(':')) throw new Error(`invalid CIDR "${s}": IPv6 service ranges are not supported`);
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) throw new Error(`invalid CIDR "${s}": expected an address and prefix such as 10.43.0.0/16`);
  if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw new Error(`invalid CIDR "${s}": the prefix length must be between /${MIN_PREFIX} and /${MAX_PREFIX}`);
  }
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  if (base !== ip) throw new Error(`invalid CIDR "${s}": host bits are set (did you mean ${formatIpv4(base)}/${prefix}?)`);
  return { base, prefix, size, text: `${formatIpv4(base)}/${prefix}` };
}

/** The n-th address of the block (1 = the first usable one). */
export function nthAddress(cidr: Ipv4Cidr, n: number): string {
  return formatIpv4(cidr.base + n);
}

/** Offset of an address inside the block, or undefined if outside or unusable (network, broadcast). */
export function offsetInCidr(cidr: Ipv4Cidr, ip: string): number | undefined {
  const n = parseIpv4(ip);
  if (n === undefined) return undefined;
  const off = n - cidr.base;
  if (off <= 0 || off >= cidr.size - 1) return undefined;
  return off;
}

/** Parses `30000-32767` (or a single port); throws an Error with a one-line reason. */
export function parsePortRange(s: string): PortRange {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(s);
  if (!m || m[1] === undefined) throw new Error(`invalid port range "${s}": expected FIRST-LAST such as 30000-32767`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) throw new Error(`invalid port range "${s}": ports must satisfy 1 <= FIRST <= LAST <= 65535`);
  return { base: lo, size: hi - lo + 1, text: `${lo}-${hi}` };
}

export function inPortRange(r: PortRange, port: number): boolean {
  return Number.isInteger(port) && port >= r.base && port < r.base + r.size;
}
