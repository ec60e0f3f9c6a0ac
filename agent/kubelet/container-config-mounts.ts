/**
 * CRI mounts for a container (upstream kubelet_pods.go makeMounts and
 * kuberuntime_container.go's termination-log mount):
 * - every volumeMount, from the set-up volume's host path;
 *   configMap, secret, downwardAPI and projected volumes are always
 *   read-only (their mounters' ReadOnly attribute), others per readOnly;
 * - subPath, or subPathExpr expanded with the container's env (a missing
 *   or empty variable fails: `missing value for X`); absolute paths and
 *   `..` are refused; a missing subPath directory is created with the
 *   volume's mode; the resolved path must stay inside the volume;
 * - mountPropagation None/HostToContainer/Bidirectional → PRIVATE /
 *   HOST_TO_CONTAINER / BIDIRECTIONAL (Bidirectional only when
 *   privileged);
 * - /etc/hosts from <podDir>/etc-hosts unless the container mounts
 *   something there itself or the pod has no IP yet;
 * - the termination-message file <podDir>/containers/<name>/<random 8 hex>
 *   (0666) at terminationMessagePath.
 * Failures throw ContainerStartError('CreateContainerConfigError').
 */
import { chmodSync, existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { objs, rec, str } from '../../control-plane/api/resources/fields.js';
import type { KeyValue, Mount } from '../cri/runtime.js';
import { expand } from './env-expansion.js';
import { ContainerStartError, type ContainerSpec, type Pod } from './pod-deps.js';

const READ_ONLY_SOURCES = ['configMap', 'secret', 'downwardAPI', 'projected'];
const PROPAGATION: Record<string, number> = { None: 0, HostToContainer: 1, Bidirectional: 2 };

function configError(message: string): ContainerStartError {
  return new ContainerStartError('CreateContainerConfigError', message);
}

/** subPathExpr expansion: every referenced variable must be set and non-empty. */
export function expandSubPathExpr(expr: string, env: KeyValue[]): string {
  const values = new Map(env.map((e) => [e.key, e.value]));
  const missing = new Set<string>();
  const out = expand(expr, (key) => {
    const v = values.get(key);
    if (v === undefined || v === '') missing.add(key);
    return v ?? '';
  });
  if (missing.size > 0) throw configError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

function subPathHostPath(volumePath: string, subPath: string): string {
  if (isAbsolute(subPath)) throw configError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw configError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  const hostPath = join(volumePath, subPath);
  if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true, mode: statSync(volumePath).mode & 0o7777 });
  // Resolve symlinks (configMap keys are links into ..data) and refuse escapes.
  const real = realpathSync(hostPath);
  const base = realpathSync(volumePath);
  const rel = relative(base, real);
  if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) throw configError(`subpath "${subPath}" not within volume path "${volumePath}"`);
  return real;
}

export function volumeMounts(pod: Pod, container: ContainerSpec, volumePaths: Map<string, string>, env: KeyValue[], privileged: boolean): Mount[] {
  const sources = new Map(objs(pod.spec?.volumes).map((v) => [str(v.name) ?? '', v]));
  const out: Mount[] = [];
  for (const m of objs(container.volumeMounts)) {
    const name = str(m.name) ?? '';
    const volPath = volumePaths.get(name);
    if (volPath === undefined) throw configError(`cannot find volume "${name}" to mount into container "${container.name}"`);
    let hostPath = volPath;
    const expr = str(m.subPathExpr);
    const subPath = expr ? expandSubPathExpr(expr, env) : (str(m.subPath) ?? '');
    if (subPath) hostPath = subPathHostPath(volPath, subPath);
    const vol = sources.get(name);
    const mustRO = vol !== undefined && READ_ONLY_SOURCES.some((s) => rec(vol[s]) !== undefined);
    const propName = str(m.mountPropagation) ?? 'None';
    const propagation = PROPAGATION[propName];
    if (propagation === undefined) throw configError(`invalid mount propagation mode ${propName}`);
    if (propagation === 2 && !privileged) throw configError('Bidirectional mount propagation is available only to privileged containers');
    out.push({ containerPath: str(m.mountPath) ?? '', hostPath, readonly: m.readOnly === true || mustRO, propagation });
  }
  return out;
}

export function mountsAt(mounts: Mount[], containerPath: string): boolean {
  return mounts.some((m) => m.containerPath === containerPath);
}

/** Creates the termination-message file and returns its mount, or undefined without a path. */
export function terminationLogMount(podDir: string, container: ContainerSpec, random: () => number): Mount | undefined {
  const target = str(container.terminationMessagePath) ?? '/dev/termination-log';
  if (target === '') return undefined;
  const dir = join(podDir, 'containers', container.name);
  mkdirSync(dir, { recursive: true });
  const id = Math.floor(random() * 0x1_0000_0000).toString(16).padStart(8, '0');
  const file = join(dir, id);
  writeFileSync(file, '');
  chmodSync(file, 0o666);
  return { containerPath: target, hostPath: file, readonly: false };
}
