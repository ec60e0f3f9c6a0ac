/**
 * The pod network split into equal per-node blocks, as upstream's CidrSet
 * (pkg/controller/nodeipam/ipam/cidrset). Pure: no I/O, no clock.
 *
 * Contract:
 * - new CidrSet('10.42.0.0/16', 24) has 256 blocks of /24; the node prefix
 *   may be at most 16 bits longer than the cluster's (upstream's limit),
 *   else the constructor throws.
 * - allocateNext() hands out the next free block after the last one handed
 *   out (upstream's next-fit `nextCandidate`, wrapping around), so the
 *   first blocks go out lowest first and a block just released is not
 *   handed out again at once; undefined when every block is taken.
 * - occupy(cidr) marks the blocks a CIDR covers as taken (a node that
 *   already has a podCIDR, e.g. at start-up); release(cidr) frees them.
 *   Both throw for a CIDR outside the cluster range.
 */

export interface Ipv4Net {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export function parseIpv4Cidr(text: string): Ipv4Net {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid IPv4 CIDR "${text}"`);
  const ip = octets.reduce((n, o) => n * 256 + o, 0);
  return { base: maskOf(ip, prefix), prefix };
}

function maskOf(ip: number, prefix: number): number {
  if (prefix === 0) return 0;
  const size = 2 ** (32 - prefix);
  return ip - (ip % size);
}

export function formatIpv4(n: number): string {
  return `${Math.floor(n / 2 ** 24) % 256}.${Math.floor(n / 2 ** 16) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function formatCidr(net: Ipv4Net): string {
  return `${formatIpv4(net.base)}/${net.prefix}`;
}

/** Upstream's clusterSubNetMaxDiff: at most 2^16 blocks. */
export const MAX_SUBNET_BITS = 16;

export class CidrSet {
  private readonly cluster: Ipv4Net;
  private readonly blockSize: number;
  private readonly used: Uint8Array;
  private nextCandidate = 0;
  private allocated = 0;

  constructor(
    clusterCidr: string,
    readonly nodeMaskSize: number,
  ) {
    this.cluster = parseIpv4Cidr(clusterCidr);
    const bits = nodeMaskSize - this.cluster.prefix;
    if (!Number.isInteger(nodeMaskSize) || bits < 0 || nodeMaskSize > 32) {
      throw new Error(`node CIDR mask size ${nodeMaskSize} does not fit in cluster CIDR ${clusterCidr}`);
    }
    if (bits > MAX_SUBNET_BITS) {
      throw new Error(`node CIDR mask size ${nodeMaskSize} is more than ${MAX_SUBNET_BITS} bits longer than cluster CIDR ${clusterCidr}`);
    }
    this.blockSize = 2 ** (32 - nodeMaskSize);
    this.used = new Uint8Array(2 ** bits);
  }

  /** How many blocks the range holds. */
  get size(): number {
    return this.used.length;
  }

  /** How many blocks are taken. */
  get allocatedCount(): number {
    return this.allocated;
  }

  allocateNext(): string | undefined {
    const n = this.used.length;
    for (let i = 0; i < n; i++) {
      const candidate = (this.nextCandidate + i) % n;
      if (this.used[candidate] === 0) {
        this.used[candidate] = 1;
        this.allocated++;
        this.nextCandidate = (candidate + 1) % n;
        return this.blockCidr(candidate);
      }
    }
    return undefined;
  }

  occupy(cidr: string): void {
    const [from, to] = this.indexRange(cidr);
    for (let i = from; i <= to; i++) {
      if (this.used[i] === 0) this.allocated++;
      this.used[i] = 1;
    }
  }

  release(cidr: string): void {
    const [from, to] = this.indexRange(cidr);
    for (let i = from; i <= to; i++) {
      if (this.used[i] === 1) this.allocated--;
      this.used[i] = 0;
    }
  }

  /** Whether every block `cidr` covers is taken. */
  isOccupied(cidr: string): boolean {
    const [from, to] = this.indexRange(cidr);
    for (let i = from; i <= to; i++) if (this.used[i] === 0) return false;
    return true;
  }

  /** Whether `cidr` lies inside the cluster range. */
  contains(cidr: string): boolean {
    try {
      this.indexRange(cidr);
      return true;
    } catch {
      return false;
    }
  }

  private blockCidr(index: number): string {
    return formatCidr({ base: this.cluster.base + index * this.blockSize, prefix: this.nodeMaskSize });
  }

  /** The block indexes a CIDR covers (a larger CIDR covers several; a smaller one, its enclosing block). */
  private indexRange(cidr: string): [number, number] {
    const net = parseIpv4Cidr(cidr);
    const clusterSize = 2 ** (32 - this.cluster.prefix);
    const netSize = 2 ** (32 - net.prefix);
    const start = net.base;
    const end = net.base + netSize - 1;
    if (net.prefix < this.cluster.prefix || start < this.cluster.base || end > this.cluster.base + clusterSize - 1) {
      throw new Error(`CIDR ${cidr} is outside the cluster CIDR ${formatCidr(this.cluster)}`);
    }
    return [Math.floor((start - this.cluster.base) / this.blockSize), Math.floor((end - this.cluster.base) / this.blockSize)];
  }
}
