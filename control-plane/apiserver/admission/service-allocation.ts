/**
 * ServiceAllocation: the mutating admission plug-in that gives Services
 * their cluster IPs and node ports, as upstream's service REST allocators.
 *
 * Contract:
 * - ClusterIP, NodePort and LoadBalancer Services without a cluster IP get
 *   one from the service CIDR (spec.clusterIP and spec.clusterIPs, plus
 *   ipFamilies [IPv4] / ipFamilyPolicy SingleStack when unset). `None`
 *   (headless) stays. ExternalName Services get nothing.
 * - A requested IP is honoured if it is in range and free, else 422 with
 *   upstream's message (`failed to allocate IP X: provided IP is already
 *   allocated`, or `... is not in the valid range ...`).
 * - The first address (the `kubernetes` Service) and the tenth (cluster
 *   DNS) are handed out only when requested explicitly.
 * - NodePort and LoadBalancer ports without a nodePort get one from the
 *   node-port range (LoadBalancer only while allocateLoadBalancerNodePorts
 *   is not false); requested ones must be in range and free. A
 *   LoadBalancer with externalTrafficPolicy Local gets a
 *   healthCheckNodePort.
 * - On update, values the Service already had are kept when the new
 *   object omits them and never count as conflicts.
 * - "Used" is derived from the stored Services plus an in-process
 *   reservation set (values handed out recently, kept for a while so that
 *   concurrent creates never get the same value before either is stored).
 *   dryRun requests reserve nothing.
 */
import { internal } from '../../api/errors.js';
import { invalid, invalidValue, type FieldError } from '../../api/field-errors.js';
import { isPlainObject, type Clock, type KubeObject } from '../../api/meta.js';
import type { Store } from '../../storage/store.js';
import type { AdmissionAttributes, MutatingPlugin } from './admission.js';
import { formatIpv4, inPortRange, offsetInCidr, parseIpv4, type Ipv4Cidr, type PortRange } from './service-allocation-ranges.js';

export interface ServiceAllocationOptions {
  serviceCidr: Ipv4Cidr;
  nodePortRange: PortRange;
  store: Store;
  clock: Clock;
  /** Uniform in [0, 1): where the search for a free value starts. */
  random(): number;
  /** How long a handed-out value stays reserved in process (default 60 s). */
  reservationTtlMs?: number;
}

/** Offsets into the CIDR handed out only on explicit request: the kubernetes Service and cluster DNS. */
export const RESERVED_OFFSETS = [1, 10];

interface Used {
  ips: Set<string>;
  ports: Set<number>;
}

interface Reservation {
  owner: string;
  expires: number;
}

type Spec = Record<string, unknown>;
type Port = Record<string, unknown>;

function specOf(obj: KubeObject | undefined): Spec | undefined {
  const s = obj?.['spec'];
  return isPlainObject(s) ? s : undefined;
}

function portsOf(spec: Spec | undefined): Port[] {
  const p = spec?.['ports'];
  return Array.isArray(p) ? p.filter(isPlainObject) : [];
}

function clusterIpOf(spec: Spec | undefined): string | undefined {
  const ips = spec?.['clusterIPs'];
  if (Array.isArray(ips) && typeof ips[0] === 'string' && ips[0] !== '') return ips[0];
  const ip = spec?.['clusterIP'];
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

function nodePortsOf(spec: Spec | undefined): number[] {
  const out: number[] = [];
  for (const p of portsOf(spec)) if (typeof p['nodePort'] === 'number' && p['nodePort'] > 0) out.push(p['nodePort']);
  const hc = spec?.['healthCheckNodePort'];
  if (typeof hc === 'number' && hc > 0) out.push(hc);
  return out;
}

function ownerOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export class ServiceAllocation implements MutatingPlugin {
  readonly name = 'ServiceAllocation';
  private readonly reservations = new Map<string, Reservation>();
  private readonly ttl: number;
  private anonymous = 0;

  constructor(private readonly opts: ServiceAllocationOptions) {
    this.ttl = opts.reservationTtlMs ?? 60_000;
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    const entry = attrs.resource.entry;
    if (entry.group !== '' || entry.resource !== 'services' || attrs.subresource !== '') return;
    if (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') return;
    const obj = attrs.object;
    const spec = specOf(obj);
    if (!obj || !spec) return;
    const type = typeof spec['type'] === 'string' ? spec['type'] : 'ClusterIP';
    if (type === 'ExternalName') return;

    const oldSpec = attrs.operation === 'UPDATE' ? specOf(attrs.oldObject) : undefined;
    const used = await this.usedValues(entry.storagePrefix, ownerOf(obj));
    // Everything below runs without awaiting, so no other admission can
    // interleave between reading `used` and reserving.
    this.prune();
    // Unnamed (generateName) creates cannot clash with themselves: each gets its own owner.
    const owner = obj.metadata.name ? ownerOf(obj) : `#${++this.anonymous}`;
    const errs: FieldError[] = [];
    const reserve = (key: string) => {
      if (!attrs.dryRun) this.reservations.set(key, { owner, expires: this.now() + this.ttl });
    };
    const taken = (key: string, inStore: boolean) => {
      const r = this.reservations.get(key);
      return inStore || (r !== undefined && r.owner !== owner);
    };

    this.allocateIp(spec, oldSpec, used, taken, reserve, errs);
    if (type === 'NodePort' || (type === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false)) {
      this.allocateNodePorts(spec, oldSpec, used, taken, reserve, errs);
    }
    if (type === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local') {
      this.allocateHealthCheckPort(spec, oldSpec, used, taken, reserve, errs);
    }
    if (errs.length > 0) throw invalid('Service', obj.metadata.name ?? '', errs);
  }

  private now(): number {
    return this.opts.clock.now().getTime();
  }

  private prune(): void {
    const now = this.now();
    for (const [k, r] of this.reservations) if (r.expires <= now) this.reservations.delete(k);
  }

  /** IPs and node ports held by stored Services other than `self`. */
  private async usedValues(prefix: string | undefined, self: string): Promise<Used> {
    const used: Used = { ips: new Set(), ports: new Set() };
    if (!prefix) return used;
    const { entries } = await this.opts.store.list(prefix);
    for (const e of entries) {
      let svc: unknown;
      try {
        svc = JSON.parse(e.value);
      } catch {
        continue;
      }
      if (!isPlainObject(svc) || !isPlainObject(svc['metadata'])) continue;
      const stored = svc as KubeObject;
      if (ownerOf(stored) === self) continue;
      const spec = specOf(stored);
      const ip = clusterIpOf(spec);
      if (ip && ip !== 'None') used.ips.add(ip);
      for (const p of nodePortsOf(spec)) used.ports.add(p);
    }
    return used;
  }

  private allocateIp(
    spec: Spec,
    oldSpec: Spec | undefined,
    used: Used,
    taken: (key: string, inStore: boolean) => boolean,
    reserve: (key: string) => void,
    errs: FieldError[],
  ): void {
    const { serviceCidr } = this.opts;
    let ip = clusterIpOf(spec);
    const oldIp = clusterIpOf(oldSpec);
    if (ip === undefined && oldIp !== undefined) ip = oldIp;
    if (ip === 'None') {
      spec['clusterIP'] = 'None';
      spec['clusterIPs'] = ['None'];
      return;
    }
    if (ip !== undefined && ip === oldIp) {
      this.setIp(spec, ip);
      return;
    }
    if (ip !== undefined) {
      const fail = (why: string) => errs.push(invalidValue('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: ${why}`));
      if (parseIpv4(ip) === undefined || offsetInCidr(serviceCidr, ip) === undefined) {
        fail(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${serviceCidr.text}`);
        return;
      }
      if (taken(`ip:${ip}`, used.ips.has(ip))) {
        fail('provided IP is already allocated');
        return;
      }
      reserve(`ip:${ip}`);
      this.setIp(spec, ip);
      return;
    }
    const usable = serviceCidr.size - 2;
    const start = Math.floor(this.opts.random() * usable);
    for (let i = 0; i < usable; i++) {
      const off = 1 + ((start + i) % usable);
      if (RESERVED_OFFSETS.includes(off)) continue;
      const candidate = formatIpv4(serviceCidr.base + off);
      if (taken(`ip:${candidate}`, used.ips.has(candidate))) continue;
      reserve(`ip:${candidate}`);
      this.setIp(spec, candidate);
      return;
    }
    throw internal('Internal error occurred: failed to allocate a serviceIP: range is full');
  }

  private setIp(spec: Spec, ip: string): void {
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip];
    if (spec['ipFamilies'] === undefined) spec['ipFamilies'] = ['IPv4'];
    if (spec['ipFamilyPolicy'] === undefined) spec['ipFamilyPolicy'] = 'SingleStack';
  }

  /** A free port from the range, or undefined when it is full. */
  private pickPort(used: Used, taken: (key: string, inStore: boolean) => boolean, alsoTaken: Set<number>): number | undefined {
    const { nodePortRange: r } = this.opts;
    const start = Math.floor(this.opts.random() * r.size);
    for (let i = 0; i < r.size; i++) {
      const port = r.base + ((start + i) % r.size);
      if (alsoTaken.has(port) || taken(`port:${port}`, used.ports.has(port))) continue;
      return port;
    }
    return undefined;
  }

  /** Checks a requested port; returns a reason when it cannot be had. */
  private checkPort(port: number, used: Used, taken: (key: string, inStore: boolean) => boolean): string | undefined {
    const r = this.opts.nodePortRange;
    if (!inPortRange(r, port)) return `provided port is not in the valid range. The range of valid ports is ${r.text}`;
    if (taken(`port:${port}`, used.ports.has(port))) return 'provided port is already allocated';
    return undefined;
  }

  private allocateNodePorts(
    spec: Spec,
    oldSpec: Spec | undefined,
    used: Used,
    taken: (key: string, inStore: boolean) => boolean,
    reserve: (key: string) => void,
    errs: FieldError[],
  ): void {
    const oldPorts = portsOf(oldSpec);
    const had = new Set(nodePortsOf(oldSpec));
    // Ports this Service uses in this request: one nodePort may serve
    // several protocols of the same port, as upstream allows.
    const mine = new Map<number, string[]>();
    const ports = portsOf(spec);
    // Requested ports first, so an allocation never steals one a later port asks for.
    ports.forEach((p, i) => {
      const np = p['nodePort'];
      if (typeof np !== 'number' || np === 0) return;
      const protocol = typeof p['protocol'] === 'string' ? p['protocol'] : 'TCP';
      const protos = mine.get(np) ?? [];
      if (!had.has(np) && protos.length === 0) {
        const why = this.checkPort(np, used, taken);
        if (why) {
          errs.push(invalidValue(`spec.ports[${i}].nodePort`, np, why));
          return;
        }
        reserve(`port:${np}`);
      }
      mine.set(np, [...protos, protocol]);
    });
    for (const p of ports) {
      const np = p['nodePort'];
      if (typeof np === 'number' && np !== 0) continue;
      const protocol = typeof p['protocol'] === 'string' ? p['protocol'] : 'TCP';
      const previous = oldPorts.find((o) => o['port'] === p['port'] && (o['protocol'] ?? 'TCP') === protocol);
      const prevPort = previous?.['nodePort'];
      if (typeof prevPort === 'number' && prevPort > 0 && !mine.has(prevPort)) {
        p['nodePort'] = prevPort;
        mine.set(prevPort, [protocol]);
        continue;
      }
      const port = this.pickPort(used, taken, new Set(mine.keys()));
      if (port === undefined) throw internal('Internal error occurred: failed to allocate a nodePort: range is full');
      reserve(`port:${port}`);
      p['nodePort'] = port;
      mine.set(port, [protocol]);
    }
  }

  private allocateHealthCheckPort(
    spec: Spec,
    oldSpec: Spec | undefined,
    used: Used,
    taken: (key: string, inStore: boolean) => boolean,
    reserve: (key: string) => void,
    errs: FieldError[],
  ): void {
    const requested = spec['healthCheckNodePort'];
    const old = oldSpec?.['healthCheckNodePort'];
    const mine = new Set(nodePortsOf({ ports: spec['ports'] }));
    if (typeof requested === 'number' && requested > 0) {
      if (requested === old) return;
      const why = this.checkPort(requested, used, taken);
      if (why) errs.push(invalidValue('spec.healthCheckNodePort', requested, why));
      else reserve(`port:${requested}`);
      return;
    }
    if (typeof old === 'number' && old > 0) {
      spec['healthCheckNodePort'] = old;
      return;
    }
    const port = this.pickPort(used, taken, mine);
    if (port === undefined) throw internal('Internal error occurred: failed to allocate a nodePort: range is full');
    reserve(`port:${port}`);
    spec['healthCheckNodePort'] = port;
  }
}
