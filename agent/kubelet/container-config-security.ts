/**
 * CRI linux.securityContext for a container (upstream
 * kuberuntime/security_context.go determineEffectiveSecurityContext and
 * pkg/securitycontext):
 * - the container's securityContext overrides the pod's for runAsUser,
 *   runAsGroup and runAsNonRoot;
 * - readOnlyRootFilesystem, privileged as given;
 * - capabilities add/drop passed through as written: the runtime adds
 *   the `CAP_` prefix (containerd: "Capabilities in CRI doesn't have
 *   `CAP_` prefix"), exactly as upstream's kubelet does;
 * - noNewPrivs = allowPrivilegeEscalation === false;
 * - supplementalGroups = the pod's fsGroup, then its supplementalGroups;
 * - the default masked and read-only /proc and /sys paths unless
 *   procMount is Unmasked or the container is privileged (containerd
 *   ignores them for privileged containers anyway);
 * - namespaceOptions: network/ipc POD unless hostNetwork/hostIPC (NODE),
 *   pid CONTAINER unless hostPID (NODE) or shareProcessNamespace (POD).
 * Pure.
 */
import { arr, num, rec, str } from '../../control-plane/api/resources/fields.js';
import type { LinuxContainerSecurityContext, NamespaceOption } from '../cri/runtime.js';
import type { ContainerSpec, Pod } from './pod-deps.js';

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function isPrivileged(container: ContainerSpec): boolean {
  return rec(container.securityContext)?.privileged === true;
}

export function containerSecurityContext(pod: Pod, container: ContainerSpec, namespaceOptions: NamespaceOption): LinuxContainerSecurityContext {
  const psc = rec(pod.spec?.securityContext) ?? {};
  const csc = rec(container.securityContext) ?? {};
  const pick = (field: string) => num(csc[field]) ?? num(psc[field]);
  const out: LinuxContainerSecurityContext = { namespaceOptions };
  const user = pick('runAsUser');
  const group = pick('runAsGroup');
  if (user !== undefined) out.runAsUser = { value: String(user) };
  if (group !== undefined) out.runAsGroup = { value: String(group) };
  if (csc.readOnlyRootFilesystem === true) out.readonlyRootfs = true;
  const privileged = csc.privileged === true;
  if (privileged) out.privileged = true;
  const caps = rec(csc.capabilities);
  if (caps) {
    out.capabilities = {
      addCapabilities: arr(caps.add).filter((c): c is string => typeof c === 'string'),
      dropCapabilities: arr(caps.drop).filter((c): c is string => typeof c === 'string'),
    };
  }
  if (csc.allowPrivilegeEscalation === false) out.noNewPrivs = true;
  const groups: string[] = [];
  const fsGroup = num(psc.fsGroup);
  if (fsGroup !== undefined) groups.push(String(fsGroup));
  for (const g of arr(psc.supplementalGroups)) if (typeof g === 'number') groups.push(String(g));
  if (groups.length > 0) out.supplementalGroups = groups;
  if (!privileged && str(csc.procMount) !== 'Unmasked') {
    out.maskedPaths = [...DEFAULT_MASKED_PATHS];
    out.readonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  return out;
}
