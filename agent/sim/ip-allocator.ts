/**
 * IPv4 address pools for simulated pods and nodes. Pure: no I/O.
 *
 * A pod's IP comes from its node's spec.podCIDR once a controller has
 * allocated one; until then from a shared fallback range (172.16.0.0/12).
 * An address stays taken while its pod is in use and returns to the pool
 * when the pod goes, so IPs are unique per node (and per pool) while in use.
 * Allocation is next-fit from a moving cursor, so a freed address is not
 * handed out again at once (a stale endpoint never points at a new pod).
 */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  /** Number of addresses in the range. */
  size: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses `a.b.c.d/p` (IPv4 only); undefined for anything else, e.g. an IPv6 CIDR. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const addr = ipToInt(m[1] ?? '');
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const base = prefix === 0 ? 0 : addr - (addr % size);
  return { base, prefix, size };
}

/** The i-th address of a range (0 is the network address). */
export function nthAddress(cidr: Ipv4Cidr, i: number): string {
  return intToIp(cidr.base + i);
}

/**
 * A pool over one CIDR. The network address, the first host (the bridge's
 * gateway on a real node) and the broadcast address are never handed out
 * for ranges larger than /30.
 */
export class Ipv4Pool {
  readonly cidr: Ipv4Cidr;
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(readonly cidrText: string) {
    const c = parseIpv4Cidr(cidrText);
    if (!c) throw new Error(`invalid IPv4 CIDR "${cidrText}"`);
    this.cidr = c;
    const small = c.size <= 4;
    this.first = c.base + (small ? 0 : 2);
    this.last = c.base + c.size - 1 - (small ? 0 : 1);
    this.cursor = this.first;
  }

  get capacity(): number {
    return this.last - this.first + 1;
  }

  get inUse(): number {
    return this.used.size;
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    return n !== undefined && n >= this.first && n <= this.last;
  }

  /** The next free address, or undefined when the pool is exhausted. */
  allocate(): string | undefined {
    const cap = this.capacity;
    if (this.used.size >= cap) return undefined;
    for (let i = 0; i < cap; i++) {
      const n = this.cursor;
      this.cursor = n >= this.last ? this.first : n + 1;
      if (!this.used.has(n)) {
        this.used.add(n);
        return intToIp(n);
      }
    }
    return undefined;
  }

  /** Marks an address taken (a pod adopted with the IP it already has); false if outside or taken. */
  reserve(ip: string): boolean {
    const n = ipToInt(ip);
    if (n === undefined || n < this.first || n > this.last || this.used.has(n)) return false;
    this.used.add(n);
    return true;
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }
}
