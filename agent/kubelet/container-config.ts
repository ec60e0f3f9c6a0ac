/**
 * BuildContainerConfig (pod-deps.ts): everything CRI CreateContainer needs
 * for one container, as upstream's kuberuntime generateContainerConfig:
 * - metadata {name, attempt}, image {image: imageRef};
 * - command and args passed separately as given (the image's entrypoint
 *   and cmd apply in the runtime), each with `$(VAR)` expanded against
 *   the container's env;
 * - workingDir, envs, stdin/stdinOnce/tty;
 * - mounts: volumeMounts, the managed /etc/hosts, the termination log
 *   (container-config-mounts.ts, container-config-hosts.ts);
 * - labels and annotations (cri-labels.ts: pod identity, container name,
 *   skiff.dev/managed, hash, restart count, termination message path and
 *   policy, grace period);
 * - logPath `<container>/<attempt>.log` under the sandbox's log
 *   directory, whose container subdirectory is created here;
 * - linux.resources (container-config-resources.ts) and
 *   linux.securityContext (container-config-security.ts).
 * Pod IPs for /etc/hosts come from input.podIPs when the caller passes
 * them, else from pod.status.podIPs/podIP.
 * Throws ContainerStartError('CreateContainerConfigError', …).
 */
import { mkdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { arr, objs, str } from '../../control-plane/api/resources/fields.js';
import type { ContainerConfig, Mount } from '../cri/runtime.js';
import { containerAnnotations, containerHash, containerLabels, isSidecar, podInitContainers } from './cri-labels.js';
import { expand, mappingFor } from './env-expansion.js';
import { ensureHostsFile } from './container-config-hosts.js';
import { mountsAt, terminationLogMount, volumeMounts } from './container-config-mounts.js';
import { linuxResources } from './container-config-resources.js';
import { containerSecurityContext, isPrivileged } from './container-config-security.js';
import type { BuildContainerConfig, ContainerConfigInput, Pod } from './pod-deps.js';
import { namespaceOptions } from './sandbox-config.js';

export { containerHash };

export interface ContainerConfigOptions {
  /** Machine memory in bytes, for the Burstable oomScoreAdj formula (default: os.totalmem()). */
  memoryCapacityBytes?: bigint;
  clusterDomain?: string;
  /** Randomness for the termination-log file name. */
  random?: () => number;
  /** The node's hosts file, copied for hostNetwork pods. */
  nodeHostsPath?: string;
}

/** ContainerConfigInput plus the pod's IPs when the caller knows them (the sandbox status). */
export type ContainerConfigInputWithIPs = ContainerConfigInput & { podIPs?: string[] };

function statusPodIPs(pod: Pod): string[] {
  const ips = objs(pod.status?.podIPs).map((p) => str(p.ip)).filter((ip): ip is string => !!ip);
  if (ips.length > 0) return ips;
  const ip = str(pod.status?.podIP);
  return ip ? [ip] : [];
}

function strings(v: unknown): string[] {
  return arr(v).filter((s): s is string => typeof s === 'string');
}

export function makeBuildContainerConfig(opts: ContainerConfigOptions = {}): (input: ContainerConfigInputWithIPs) => ContainerConfig {
  const memoryCapacity = opts.memoryCapacityBytes ?? BigInt(totalmem());
  const clusterDomain = opts.clusterDomain ?? 'cluster.local';
  const random = opts.random ?? Math.random;

  return (input) => {
    const { pod, container, attempt, env, sandboxConfig } = input;
    const privileged = isPrivileged(container);
    const mounts: Mount[] = volumeMounts(pod, container, input.volumePaths, env, privileged);
    const podIPs = input.podIPs ?? statusPodIPs(pod);
    const hostNetwork = pod.spec?.hostNetwork === true;
    if ((hostNetwork || podIPs.length > 0) && !mountsAt(mounts, '/etc/hosts')) {
      const hosts = ensureHostsFile(input.podDir, pod, podIPs, sandboxConfig.hostname, clusterDomain, opts.nodeHostsPath);
      mounts.push({ containerPath: '/etc/hosts', hostPath: hosts, readonly: false });
    }
    const termLog = terminationLogMount(input.podDir, container, random);
    if (termLog) mounts.push(termLog);

    const mapping = mappingFor(new Map(env.map((e) => [e.key, e.value])));
    const isInit = podInitContainers(pod).some((c) => c.name === container.name);
    const kind = isInit ? (isSidecar(container) ? 'sidecar' : 'init') : 'regular';
    if (sandboxConfig.logDirectory) mkdirSync(join(sandboxConfig.logDirectory, container.name), { recursive: true });

    return {
      metadata: { name: container.name, attempt },
      image: { image: input.imageRef },
      command: strings(container.command).map((c) => expand(c, mapping)),
      args: strings(container.args).map((a) => expand(a, mapping)),
      workingDir: str(container.workingDir) ?? '',
      envs: env,
      mounts,
      labels: containerLabels(pod, container),
      annotations: containerAnnotations(pod, container, attempt, kind),
      logPath: `${container.name}/${attempt}.log`,
      stdin: container.stdin === true,
      stdinOnce: container.stdinOnce === true,
      tty: container.tty === true,
      linux: {
        resources: linuxResources(pod, container, memoryCapacity),
        securityContext: containerSecurityContext(pod, container, sandboxConfig.linux?.securityContext?.namespaceOptions ?? namespaceOptions(pod)),
      },
    };
  };
}

export const buildContainerConfig: BuildContainerConfig = makeBuildContainerConfig();
