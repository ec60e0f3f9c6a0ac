/**
 * The names the serving certificate must carry: localhost, 127.0.0.1, the
 * bind address (unless it is the wildcard), every address of the host's
 * interfaces, the hostname, and every --tls-san. Each name lands in the IP
 * or DNS list by its syntax. Pure apart from the injected host facts.
 */
import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import type { SubjectAltNames } from './certificates.js';

export interface HostFacts {
  hostname: string;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** Interface addresses worth advertising (IPv6 link-local ones are scoped and useless in a SAN). */
export function hostAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const out: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const i of infos ?? []) {
      if (i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80:')) continue;
      out.push(i.address);
    }
  }
  return out;
}

/** A non-loopback IPv4 address of the host, else 127.0.0.1: where in-cluster clients reach the server. */
export function primaryIpv4(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  for (const infos of Object.values(interfaces)) {
    for (const i of infos ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return '127.0.0.1';
}

export function servingNames(bindAddress: string, tlsSans: readonly string[], host: HostFacts): SubjectAltNames {
  const dns = new Set<string>(['localhost']);
  const ips = new Set<string>(['127.0.0.1']);
  const add = (name: string) => {
    const n = name.trim();
    if (n === '') return;
    if (isIP(n)) ips.add(n);
    else dns.add(n.toLowerCase());
  };
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') add(bindAddress);
  for (const a of hostAddresses(host.interfaces)) add(a);
  add(host.hostname);
  for (const s of tlsSans) add(s);
  // The in-cluster names of the kubernetes Service, as upstream's serving cert carries.
  for (const s of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) add(s);
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}
