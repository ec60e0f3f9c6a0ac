/**
 * Leader election through a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection with a LeaseLock, so that several servers can share one
 * datastore while only one runs the controllers (or the scheduler).
 *
 * Contract:
 * - run() loops until stop(): as a candidate it tries every retryPeriod to
 *   create or take over the Lease; it takes over only once the holder's
 *   renewal has gone unobserved for leaseDuration, timed from when *this*
 *   process observed the last change (not the holder's clock, which may be
 *   skewed). Every write carries the resourceVersion it read, so two
 *   candidates can never both win.
 * - As leader it renews every retryPeriod; if no renewal succeeds within
 *   renewDeadline it calls onStoppedLeading and becomes a candidate again.
 * - stop() releases a held Lease (holder cleared, duration 1 s) so that a
 *   clean shutdown hands over at once.
 */
import { isApiError } from '../../api/errors.js';
import type { ApiClient } from '../../api/client/api-client.js';
import { formatMicroTime, type Clock, type KubeObject } from '../../api/meta.js';
import { inNamespace, refs } from './refs.js';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  log?: (msg: string) => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

export const LEADER_ELECTION_DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } as const;

export class LeaderElector {
  private stopped = false;
  private leading = false;
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private readonly ref;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly cfg: LeaderElectionConfig,
  ) {
    this.ref = inNamespace(refs.leases, cfg.namespace);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.cfg.log?.(`leader election ${this.cfg.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const now = this.clock.now().getTime();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading && !this.stopped) {
          this.leading = true;
          this.cfg.log?.(`leader election ${this.cfg.name}: ${this.cfg.identity} became leader`);
          this.cfg.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew >= this.cfg.renewDeadlineMs) {
        this.leading = false;
        this.cfg.log?.(`leader election ${this.cfg.name}: ${this.cfg.identity} lost the lease`);
        this.cfg.onStoppedLeading();
      }
      await this.sleep(this.nextDelay(now));
    }
  }

  /** As candidate, wake exactly when the observed lease would expire if that is sooner. */
  private nextDelay(now: number): number {
    if (this.leading || !this.observed) return this.cfg.retryPeriodMs;
    const expiry = this.observed.at + this.cfg.leaseDurationMs - now;
    return Math.max(10, Math.min(this.cfg.retryPeriodMs, expiry + 1));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.client.get<Lease>(this.ref, this.cfg.name);
      if (lease.spec?.holderIdentity === this.cfg.identity) {
        const now = formatMicroTime(this.clock.now());
        await this.client.update<Lease>(this.ref, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } });
      }
    } catch {
      // best effort: the lease expires on its own
    }
    this.cfg.onStoppedLeading();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const nowDate = this.clock.now();
    const now = formatMicroTime(nowDate);
    const durationSeconds = Math.max(1, Math.round(this.cfg.leaseDurationMs / 1000));
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(this.ref, this.cfg.name);
    } catch (err) {
      if (!isApiError(err) || err.code !== 'SKIFF_NOT_FOUND') throw err;
      await this.client.create<Lease>(this.ref, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.cfg.name, namespace: this.cfg.namespace },
        spec: { holderIdentity: this.cfg.identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      });
      this.observed = undefined;
      return true;
    }
    const spec = lease.spec ?? {};
    const record = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}|${spec.leaseDurationSeconds ?? ''}`;
    if (this.observed?.record !== record) this.observed = { record, at: nowDate.getTime() };
    const held = !!spec.holderIdentity && spec.holderIdentity !== this.cfg.identity;
    const recordDurationMs = (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (held && this.observed.at + recordDurationMs > nowDate.getTime()) return false;

    const mine = spec.holderIdentity === this.cfg.identity;
    const next: LeaseSpec = {
      holderIdentity: this.cfg.identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: mine ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      await this.client.update<Lease>(this.ref, { ...lease, spec: next });
    } catch (err) {
      if (isApiError(err) && err.code === 'SKIFF_CONFLICT') return false;
      throw err;
    }
    return true;
  }
}
