/**
 * The VolumeManager (pod-deps.ts): a pod's volumes on disk under
 * PODS/<uid>/volumes/<plugin>/<name>, with upstream's plugin directory
 * names (kubernetes.io~empty-dir, ~configmap, ~secret, ~downward-api,
 * ~projected). hostPath volumes are the node path itself.
 *
 * - setUp is idempotent and runs on every sync: configMap, secret,
 *   downwardAPI and projected contents are re-projected through the
 *   atomic writer, so changes land in place (the `..data` swap) and the
 *   container sees them through its bind mount.
 * - secret and projected volumes live on tmpfs (upstream wraps them in a
 *   Memory emptyDir, sized like one) unless `tmpfsForSecrets` is false.
 * - Every volume is attempted; the first failure is then thrown as a
 *   VolumeSetUpError with upstream's event text
 *   `MountVolume.SetUp failed for volume "NAME" : CAUSE`.
 * - Volume sources Skiff does not support (persistentVolumeClaim, csi,
 *   nfs…) fail the same way.
 * - tearDown unmounts every mount under the pod's volumes directory
 *   (deepest first), drops its cached tokens and removes the tree.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../control-plane/api/meta.js';
import { num, objs, rec, str } from '../../../control-plane/api/resources/fields.js';
import type { Allocatable } from '../env-field-path.js';
import type { ObjectSource, Pod, VolumeManager } from '../pod-deps.js';
import { AtomicWriter, type Payload } from './atomic-writer.js';
import { configMapPayload } from './config-map.js';
import { downwardApiPayload } from './downward-api.js';
import { memoryVolumeSize, setUpDir, setUpEmptyDir } from './empty-dir.js';
import { checkHostPathType } from './host-path.js';
import { systemMounter, type Mounter } from './mounter.js';
import { projectedPayload } from './projected.js';
import { secretPayload } from './secret.js';
import { TokenManager } from './token-manager.js';

export class VolumeSetUpError extends Error {
  constructor(
    readonly volumeName: string,
    readonly detail: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volumeName}" : ${detail}`);
    this.name = 'VolumeSetUpError';
  }
}

export interface VolumeManagerOptions {
  /** DIR/agent/pods: each pod's directory is <podsDir>/<uid>. */
  podsDir: string;
  source: ObjectSource;
  clock?: Clock;
  random?: () => number;
  mounter?: Mounter;
  /** Secret and projected volumes on tmpfs (default true; needs root). */
  tmpfsForSecrets?: boolean;
  allocatable?: Allocatable;
}

export const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

const SUPPORTED = new Set([...Object.keys(PLUGIN_DIRS), 'hostPath']);

export class DiskVolumeManager implements VolumeManager {
  private readonly mounter: Mounter;
  private readonly clock: Clock;
  readonly tokens: TokenManager;

  constructor(private readonly opts: VolumeManagerOptions) {
    this.mounter = opts.mounter ?? systemMounter;
    this.clock = opts.clock ?? { now: () => new Date() };
    this.tokens = new TokenManager(opts.source, this.clock, opts.random);
  }

  volumeDir(podUid: string, plugin: keyof typeof PLUGIN_DIRS, name: string): string {
    return join(this.opts.podsDir, podUid, 'volumes', PLUGIN_DIRS[plugin], name);
  }

  async setUp(pod: Pod): Promise<Map<string, string>> {
    const volumes = objs(pod.spec?.volumes);
    const results = await Promise.allSettled(volumes.map((v) => this.setUpVolume(pod, v)));
    const paths = new Map<string, string>();
    let firstError: VolumeSetUpError | undefined;
    results.forEach((r, i) => {
      const name = str(volumes[i]?.name) ?? '';
      if (r.status === 'fulfilled') paths.set(name, r.value);
      else firstError ??= new VolumeSetUpError(name, (r.reason as Error).message ?? String(r.reason));
    });
    if (firstError) throw firstError;
    return paths;
  }

  private async setUpVolume(pod: Pod, v: Record<string, unknown>): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    const name = str(v.name) ?? '';
    const kind = Object.keys(v).find((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (!kind || !SUPPORTED.has(kind)) throw new Error(`unsupported volume source ${kind ?? '(none)'}`);
    const src = rec(v[kind]) ?? {};
    if (kind === 'hostPath') {
      const path = str(src.path) ?? '';
      await checkHostPathType(path, str(src.type) ?? '');
      return path;
    }
    const plugin = kind as keyof typeof PLUGIN_DIRS;
    const dir = this.volumeDir(uid, plugin, name);
    if (plugin === 'emptyDir') {
      await setUpEmptyDir(dir, pod, src, this.mounter, this.opts.allocatable?.memory);
      return dir;
    }
    const defaultMode = num(src.defaultMode) ?? 0o644;
    const onTmpfs = (plugin === 'secret' || plugin === 'projected') && this.opts.tmpfsForSecrets !== false;
    let payload: Payload;
    switch (plugin) {
      case 'configMap': {
        const cmName = str(src.name) ?? '';
        const optional = src.optional === true;
        const cm = await this.opts.source.getConfigMap(ns, cmName);
        if (!cm && !optional) throw new Error(`configmap "${cmName}" not found`);
        payload = configMapPayload(cm, src.items, defaultMode, optional);
        break;
      }
      case 'secret': {
        const secretName = str(src.secretName) ?? '';
        const optional = src.optional === true;
        const secret = await this.opts.source.getSecret(ns, secretName);
        if (!secret && !optional) throw new Error(`secret "${secretName}" not found`);
        payload = secretPayload(secret, src.items, defaultMode, optional);
        break;
      }
      case 'downwardAPI':
        payload = downwardApiPayload(pod, src.items, defaultMode, this.opts.allocatable);
        break;
      default:
        payload = await projectedPayload(pod, src, this.opts.source, this.tokens, this.opts.allocatable);
    }
    await setUpDir(dir, this.mounter, onTmpfs, onTmpfs ? memoryVolumeSize(pod, this.opts.allocatable?.memory, undefined) : undefined);
    await new AtomicWriter(dir, this.clock).write(payload);
    return dir;
  }

  async tearDown(podUid: string): Promise<void> {
    const root = join(this.opts.podsDir, podUid, 'volumes');
    for (const m of await this.mounter.mountsUnder(root)) await this.mounter.unmount(m);
    const left = await this.mounter.mountsUnder(root);
    if (left.length > 0) throw new Error(`volumes of pod ${podUid} still mounted: ${left.join(', ')}`);
    await rm(root, { recursive: true, force: true });
    this.tokens.deletePod(podUid);
  }
}

export function createVolumeManager(opts: VolumeManagerOptions): DiskVolumeManager {
  return new DiskVolumeManager(opts);
}
