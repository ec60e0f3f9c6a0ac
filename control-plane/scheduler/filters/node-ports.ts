/**
 * NodePorts: the pod's host ports must be free on the node. A port bound
 * on 0.0.0.0 conflicts with the same port/protocol on any address, as
 * upstream's HostPortInfo.CheckConflict. Pure.
 */
import { podHostPorts, type HostPort } from '../snapshot.js';
import { PASS, type FilterPlugin } from './filter.js';

export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const ANY = '0.0.0.0';

export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === ANY || b.ip === ANY || a.ip === b.ip;
}

export const nodePortsFilter: FilterPlugin = {
  name: 'NodePorts',
  prepare({ pod }) {
    const wanted = podHostPorts(pod);
    if (wanted.length === 0) return () => PASS;
    return (node) => (wanted.some((w) => node.usedPorts.some((u) => portsConflict(w, u))) ? [ERR_NODE_PORTS] : PASS);
  },
};
