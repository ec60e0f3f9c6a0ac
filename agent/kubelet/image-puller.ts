/**
 * The ImagePuller (pod-deps.ts) over the CRI image service, as upstream's
 * pkg/kubelet/images image_manager.go EnsureImageExists:
 * 1. an image with neither tag nor digest gets `:latest`;
 * 2. ImageStatus decides presence; imagePullPolicy (defaulted as the
 *    server does when absent: Always for `latest`/untagged, else
 *    IfNotPresent) decides whether to pull: Never + absent →
 *    ErrImageNeverPull `Container image "IMG" is not present with pull
 *    policy of Never`;
 * 3. while the (pod UID, image) key backs off →
 *    ImagePullBackOff `Back-off pulling image "IMG"`;
 * 4. PullImage with each matching imagePullSecret credential in turn
 *    (none → anonymous); all failing → ErrImagePull with the runtime's
 *    error, and the backoff grows (10 s doubling to 5 min).
 * Resolves with the image reference the runtime reports (its image ID).
 * Writes nothing to the API: the optional onEvent hook hands the kubelet
 * core upstream's image events (Pulled "already present on machine",
 * Pulling, Pulled "Successfully pulled image … in …", Failed, BackOff,
 * ErrImageNeverPull) to record. Missing pull secrets are skipped, as
 * upstream.
 */
import { systemClock, type Clock } from '../../control-plane/api/meta.js';
import { objs, str } from '../../control-plane/api/resources/fields.js';
import { defaultPullPolicy } from '../../control-plane/api/resources/pod-spec-defaults.js';
import type { AuthConfig, PodSandboxConfig, Runtime } from '../cri/runtime.js';
import { Backoff } from './image-puller-backoff.js';
import { applyDefaultTag } from './image-puller-ref.js';
import { ContainerStartError, type ContainerSpec, type ImagePuller, type ObjectSource, type Pod } from './pod-deps.js';
import { authConfigsFor, makeKeyring } from './pull-secrets.js';

export interface ImagePullerOptions {
  runtime: Pick<Runtime, 'imageStatus' | 'pullImage'>;
  source: Pick<ObjectSource, 'getSecret'>;
  clock?: Clock;
  /** Initial and maximum backoff (default 10 s and 5 min). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Upstream's image events, for the caller to record against the pod. */
  onEvent?: (pod: Pod, container: ContainerSpec, event: ImageEvent) => void;
}

export interface ImageEvent {
  type: 'Normal' | 'Warning';
  reason: 'Pulled' | 'Pulling' | 'Failed' | 'BackOff' | 'ErrImageNeverPull';
  message: string;
}

/** Go's time.Duration String() for the magnitudes pulls take (`104.5ms`, `1.2s`, `2m3.5s`). */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${trim(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${trim(s - m * 60)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class CriImagePuller implements ImagePuller {
  readonly backoff: Backoff;

  private readonly clock: Clock;

  constructor(private readonly opts: ImagePullerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.backoff = new Backoff(this.clock, opts.backoffInitialMs, opts.backoffMaxMs);
  }

  async ensureImage(pod: Pod, container: ContainerSpec, sandboxConfig: PodSandboxConfig): Promise<string> {
    const requested = container.image ?? '';
    const image = applyDefaultTag(requested);
    let present: string | undefined;
    try {
      present = (await this.opts.runtime.imageStatus(image))?.id;
    } catch (err) {
      throw new ContainerStartError('ImageInspectError', `Failed to inspect image "${requested}": ${errorText(err)}`);
    }
    const emit = (type: ImageEvent['type'], reason: ImageEvent['reason'], message: string) => this.opts.onEvent?.(pod, container, { type, reason, message });
    const policy = str(container.imagePullPolicy) || defaultPullPolicy(requested);
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        emit('Normal', 'Pulled', `Container image "${requested}" already present on machine`);
        return present;
      }
      const msg = `Container image "${requested}" is not present with pull policy of Never`;
      emit('Warning', 'ErrImageNeverPull', msg);
      throw new ContainerStartError('ErrImageNeverPull', msg);
    }

    const key = `${pod.metadata.uid ?? ''}_${requested}`;
    if (this.backoff.isInBackOff(key)) {
      const msg = `Back-off pulling image "${requested}"`;
      emit('Normal', 'BackOff', msg);
      throw new ContainerStartError('ImagePullBackOff', msg);
    }

    emit('Normal', 'Pulling', `Pulling image "${requested}"`);
    const started = this.clock.now().getTime();
    const auths = await this.authsFor(pod, image);
    const errors: string[] = [];
    for (const auth of auths.length > 0 ? auths : [undefined]) {
      try {
        const ref = await this.opts.runtime.pullImage(image, auth, sandboxConfig);
        this.backoff.gc();
        const took = goDuration(this.clock.now().getTime() - started);
        const size = await this.opts.runtime.imageStatus(image).then((i) => i?.size ?? '0', () => '0');
        emit('Normal', 'Pulled', `Successfully pulled image "${requested}" in ${took} (${took} including waiting). Image size: ${size} bytes.`);
        return ref;
      } catch (err) {
        errors.push(errorText(err));
      }
    }
    this.backoff.next(key);
    const message = errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
    emit('Warning', 'Failed', `Failed to pull image "${requested}": ${message}`);
    throw new ContainerStartError('ErrImagePull', message);
  }

  private async authsFor(pod: Pod, image: string): Promise<AuthConfig[]> {
    const ns = pod.metadata.namespace ?? 'default';
    const secrets = [];
    for (const ref of objs(pod.spec?.imagePullSecrets)) {
      const name = str(ref.name);
      if (!name) continue;
      const s = await this.opts.source.getSecret(ns, name);
      if (s) secrets.push(s);
    }
    return authConfigsFor(makeKeyring(secrets), image);
  }
}

export function createImagePuller(opts: ImagePullerOptions): ImagePuller {
  return new CriImagePuller(opts);
}
