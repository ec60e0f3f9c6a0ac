/**
 * The ServiceAccount token cache behind projected serviceAccountToken
 * sources (upstream pkg/kubelet/token/token_manager.go).
 *
 * - Tokens are cached per (namespace, ServiceAccount, audiences,
 *   expirationSeconds, pod UID).
 * - A cached token is refreshed once it is older than 80% of its
 *   requested lifetime or older than 24 h (both minus a jitter of up to
 *   10 s); its issue time is the expiration minus expirationSeconds. The
 *   expiration is the server's, but never later than the request time
 *   plus expirationSeconds: upstream's apiserver reports that even for
 *   extended-expiration (one-year) kube-api-access tokens, so kubelets
 *   rotate those hourly.
 * - When a refresh fails, the cached token is still served until it
 *   expires; then the error surfaces.
 * - deletePod drops a pod's tokens (on tearDown).
 * Clock and randomness are injected.
 */
import type { Clock } from '../../../control-plane/api/meta.js';
import type { ObjectSource } from '../pod-deps.js';

const MAX_TTL_MS = 24 * 3600 * 1000;
const MAX_JITTER_S = 10;

export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  podName: string;
  podUid: string;
}

interface Cached {
  token: string;
  expiration: Date;
  expirationSeconds: number;
  podUid: string;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly source: ObjectSource,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
  ) {}

  async getToken(namespace: string, serviceAccount: string, req: TokenRequestSpec): Promise<string> {
    const key = JSON.stringify([namespace, serviceAccount, req.audiences, req.expirationSeconds, req.podUid]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached)) return cached.token;
    try {
      const res = await this.source.requestServiceAccountToken(namespace, serviceAccount, req);
      // The requested lifetime bounds the refresh schedule even when the
      // server reports a later expiry (an extended-expiration token).
      const requestedExp = this.clock.now().getTime() + req.expirationSeconds * 1000;
      const reported = res.expirationTimestamp ? Date.parse(res.expirationTimestamp) : NaN;
      const expiration = new Date(Number.isNaN(reported) ? requestedExp : Math.min(reported, requestedExp));
      this.cache.set(key, { token: res.token, expiration, expirationSeconds: req.expirationSeconds, podUid: req.podUid });
      return res.token;
    } catch (err) {
      if (!cached) throw new Error(`failed to fetch token: ${(err as Error).message}`);
      if (this.clock.now() >= cached.expiration) throw new Error(`token ${key} expired and refresh failed: ${(err as Error).message}`);
      return cached.token;
    }
  }

  /** Upstream's requiresRefresh: past 24 h since issue, or within 20% of the TTL of expiry (minus jitter). */
  requiresRefresh(t: { expiration: Date; expirationSeconds: number }): boolean {
    const now = this.clock.now().getTime();
    const exp = t.expiration.getTime();
    const iat = exp - t.expirationSeconds * 1000;
    const jitterMs = Math.floor(this.random() * MAX_JITTER_S) * 1000;
    if (now > iat + MAX_TTL_MS - jitterMs) return true;
    return now > exp - Math.floor((t.expirationSeconds * 20) / 100) * 1000 - jitterMs;
  }

  deletePod(podUid: string): void {
    for (const [k, v] of this.cache) if (v.podUid === podUid) this.cache.delete(k);
  }
}
