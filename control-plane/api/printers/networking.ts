/**
 * Printers of Service, Endpoints and EndpointSlice: TYPE, CLUSTER-IP,
 * EXTERNAL-IP (`<none>`, `<pending>` for a LoadBalancer without ingress,
 * the external name), PORT(S) (`80/TCP`, `80:30080/TCP`), and endpoint
 * lists capped at three entries (`a,b,c + 2 more...`), as upstream.
 */
import { arr, at, formatLabels, num, rec, str, age } from './format.js';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from './printer.js';

function externalIP(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs.map(str) : [];
  switch (str(spec.type)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = [...new Set(arr(at(status, 'loadBalancer', 'ingress')).map((i) => str(i.ip) || str(i.hostname)).filter((x) => x !== ''))];
      if (externalIPs.length > 0) return [...ingress, ...externalIPs].join(',');
      return ingress.length > 0 ? ingress.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function portString(ports: Record<string, unknown>[]): string {
  return ports
    .map((p) => {
      const proto = str(p.protocol);
      return num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${proto}` : `${num(p.port)}/${proto}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'How the service is exposed.'),
    column('Cluster-IP', 'string', 'The IP address of the service inside the cluster.'),
    column('External-IP', 'string', 'Addresses the service is reachable at from outside the cluster.'),
    column('Port(s)', 'string', 'The ports the service exposes.'),
    AGE_COLUMN,
    column('Selector', 'string', 'The labels of the pods traffic is routed to.', { wide: true }),
  ],
  print(o, now) {
    const spec = rec(o.spec);
    // clusterIP is authoritative over clusterIPs (upstream's v1 conversion).
    const clusterIPs = Array.isArray(spec.clusterIPs) ? spec.clusterIPs.map(str) : [];
    const clusterIP = str(spec.clusterIP) || clusterIPs[0] || '<none>';
    const ports = portString(arr(spec.ports)) || '<none>';
    return { cells: [str(o.metadata.name), str(spec.type), clusterIP, externalIP(spec, rec(o.status)), ports, age(o, now), formatLabels(spec.selector)] };
  },
};

/** net.JoinHostPort: brackets around IPv6 addresses. */
function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const MAX_LISTED = 3;

function listWithMore(list: string[], count: number, emptyAs: string): string {
  const ret = list.join(',');
  if (count > MAX_LISTED) return `${ret} + ${count - MAX_LISTED} more...`;
  return ret === '' ? emptyAs : ret;
}

function formatEndpoints(subsets: Record<string, unknown>[]): string {
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr(ss.addresses);
    const ports = arr(ss.ports);
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addrs.length;
      for (const a of addrs) if (list.length < MAX_LISTED) list.push(str(a.ip));
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) if (list.length < MAX_LISTED) list.push(hostPort(str(a.ip), num(p.port)));
    }
  }
  const ret = list.join(',');
  return count > MAX_LISTED ? `${ret} + ${count - MAX_LISTED} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, column('Endpoints', 'string', 'The addresses and ports of the endpoints.'), AGE_COLUMN],
  print(o, now) {
    return { cells: [str(o.metadata.name), formatEndpoints(arr(o.subsets)), age(o, now)] };
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'string', 'The type of address carried by this slice.'),
    column('Ports', 'string', 'The ports exposed by the endpoints.'),
    column('Endpoints', 'string', 'The addresses of the endpoints.'),
    AGE_COLUMN,
  ],
  print(o, now) {
    const ports = arr(o.ports);
    const portList = ports.slice(0, MAX_LISTED).map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'));
    const addrs = arr(o.endpoints).flatMap((e) => (Array.isArray(e.addresses) ? e.addresses.map(str) : []));
    return {
      cells: [str(o.metadata.name), str(o.addressType), listWithMore(portList, ports.length, '<unset>'), listWithMore(addrs.slice(0, MAX_LISTED), addrs.length, '<unset>'), age(o, now)],
    };
  },
};
