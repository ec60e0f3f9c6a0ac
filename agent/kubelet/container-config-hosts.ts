/**
 * The kubelet-managed /etc/hosts of a pod (upstream kubelet_pods.go
 * managedHostsFileContent / nodeHostsFileContent), kept at
 * <podDir>/etc-hosts and bind-mounted into every container:
 * - pod network: a header, the localhost and ip6 lines, one line per pod
 *   IP naming the hostname (`IP\tHOST.SUBDOMAIN.NS.svc.DOMAIN\tHOST` when
 *   the pod has a subdomain), then the hostAliases block;
 * - hostNetwork: the node's /etc/hosts under its own header, then the
 *   hostAliases block.
 * The file is rewritten (0644) whenever a container is created.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arr, objs, str } from '../../control-plane/api/resources/fields.js';
import type { Pod } from './pod-deps.js';

const MANAGED_HEADER = '# Kubernetes-managed hosts file.\n';
const HOST_NETWORK_HEADER = '# Kubernetes-managed hosts file (host network).\n';

export function hostAliasesBlock(pod: Pod): string {
  const aliases = objs(pod.spec?.hostAliases);
  if (aliases.length === 0) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of aliases) {
    const names = arr(a.hostnames).filter((h): h is string => typeof h === 'string');
    out += `${str(a.ip) ?? ''}\t${names.join('\t')}\n`;
  }
  return out;
}

/** The pod's DNS domain: SUBDOMAIN.NS.svc.CLUSTERDOMAIN when it has a subdomain, else ''. */
export function podHostDomain(pod: Pod, clusterDomain: string): string {
  const sub = str(pod.spec?.subdomain);
  if (!sub) return '';
  return `${sub}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}`;
}

export function managedHostsContent(podIPs: string[], hostname: string, domain: string, pod: Pod): string {
  let out = MANAGED_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostAliasesBlock(pod);
}

export function nodeHostsContent(nodeHosts: string, pod: Pod): string {
  return HOST_NETWORK_HEADER + nodeHosts + hostAliasesBlock(pod);
}

/** Writes <podDir>/etc-hosts and returns its path. */
export function ensureHostsFile(
  podDir: string,
  pod: Pod,
  podIPs: string[],
  hostname: string,
  clusterDomain: string,
  nodeHostsPath = '/etc/hosts',
): string {
  const content =
    pod.spec?.hostNetwork === true
      ? nodeHostsContent(readFileSync(nodeHostsPath, 'utf8'), pod)
      : managedHostsContent(podIPs, hostname, podHostDomain(pod, clusterDomain), pod);
  mkdirSync(podDir, { recursive: true });
  const file = join(podDir, 'etc-hosts');
  writeFileSync(file, content, { mode: 0o644 });
  chmodSync(file, 0o644);
  return file;
}
