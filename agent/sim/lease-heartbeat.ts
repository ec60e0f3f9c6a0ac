/**
 * Node heartbeats: each simulated node renews its coordination.k8s.io/v1
 * Lease in kube-node-lease (name and holderIdentity = node name,
 * leaseDurationSeconds 40, renewTime as MicroTime) every 10 s, at its own
 * slot of LeaseSchedule so N nodes make a steady N/10 writes per second.
 * Stopped nodes skip their renewals. Renewals go through the write pool
 * at the highest priority. Like the kubelet it updates the Lease it last wrote
 * (optimistic concurrency); a conflict re-reads it, a missing one is
 * created. A failed renewal waits for the node's next slot (the lease
 * lasts 40 s, four slots). Each tick also lets the node registry make a
 * due status report, which spreads those the same way.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import { isApiError } from '../../control-plane/api/errors.js';
import { formatMicroTime, type Clock, type KubeObject } from '../../control-plane/api/meta.js';
import { LeaseSchedule } from './lease-schedule.js';
import type { NodeRegistry } from './node-registry.js';
import type { WritePool } from '../common/write-pool.js';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: LEASE_NAMESPACE };
export const RENEW_INTERVAL_MS = 10_000;
export const LEASE_DURATION_SECONDS = 40;

interface LeaseState {
  resourceVersion?: string;
  inFlight: boolean;
  failures: number;
}

export interface LeaseHeartbeatDeps {
  client: ApiClient;
  pool: WritePool;
  clock: Clock;
  registry: NodeRegistry;
  names: string[];
  log: (msg: string) => void;
  isClosed: () => boolean;
}

export class LeaseHeartbeat {
  private schedule: LeaseSchedule;
  private readonly states: LeaseState[];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Renewals that succeeded / failed since start (for logs and checks). */
  renewed = 0;
  failed = 0;

  constructor(private readonly d: LeaseHeartbeatDeps) {
    this.schedule = new LeaseSchedule(d.names.length, RENEW_INTERVAL_MS, d.clock.now().getTime());
    this.states = d.names.map(() => ({ inFlight: false, failures: 0 }));
    d.registry.onResume((name) => {
      const i = d.registry.indexOf(name);
      if (i !== undefined) this.renew(i);
    });
  }

  /** Writes every node's Lease once (at registration, so each exists before the first slot); failures wait for the slots. */
  async renewAll(): Promise<void> {
    await Promise.all(
      this.d.names.map(async (name, i) => {
        const st = this.states[i];
        if (!st || this.d.registry.isStopped(name)) return;
        st.inFlight = true;
        try {
          await this.d.pool.run(() => this.write(st, name), 'heartbeat');
          this.renewed++;
        } catch {
          this.failed++;
          st.resourceVersion = undefined;
        } finally {
          st.inFlight = false;
        }
      }),
    );
  }

  /** Starts the slots: node i renews at i/N of each 10 s period from now. */
  start(): void {
    this.schedule = new LeaseSchedule(this.d.names.length, RENEW_INTERVAL_MS, this.d.clock.now().getTime());
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.d.clock.now().getTime();
    for (const i of this.schedule.takeDue(now)) {
      const name = this.d.names[i];
      if (name === undefined || this.d.registry.isStopped(name)) continue;
      this.renew(i);
      this.d.registry.maybeReport(i, now);
    }
    const wait = Math.max(5, Math.min(1000, this.schedule.nextDueAt() - this.d.clock.now().getTime()));
    this.timer = setTimeout(() => this.tick(), wait);
  }

  private leaseBody(name: string, resourceVersion: string | undefined): KubeObject {
    const uid = this.d.registry.uid(name);
    const metadata: KubeObject['metadata'] = { name, namespace: LEASE_NAMESPACE };
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    if (uid) metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name, uid }];
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: formatMicroTime(this.d.clock.now()) },
    };
  }

  /** Renews node i's Lease now (unless a renewal is already in flight). */
  renew(i: number): void {
    const st = this.states[i];
    const name = this.d.names[i];
    if (!st || name === undefined || st.inFlight) return;
    st.inFlight = true;
    this.d.pool
      .run(() => this.write(st, name), 'heartbeat')
      .then(
        () => {
          this.renewed++;
          st.failures = 0;
        },
        (e: unknown) => {
          this.failed++;
          st.resourceVersion = undefined;
          if (!this.d.isClosed() && st.failures++ % 6 === 0) this.d.log(`lease ${name}: ${e instanceof Error ? e.message : String(e)}`);
        },
      )
      .finally(() => {
        st.inFlight = false;
      });
  }

  private async write(st: LeaseState, name: string): Promise<void> {
    const c = this.d.client;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const out = st.resourceVersion
          ? await c.update(LEASES, this.leaseBody(name, st.resourceVersion))
          : await c.create(LEASES, this.leaseBody(name, undefined));
        st.resourceVersion = out.metadata.resourceVersion;
        return;
      } catch (e) {
        if (!isApiError(e)) throw e;
        if (e.code === 'SKIFF_ALREADY_EXISTS' || e.code === 'SKIFF_CONFLICT') {
          st.resourceVersion = (await c.get(LEASES, name)).metadata.resourceVersion;
        } else if (e.code === 'SKIFF_NOT_FOUND') {
          st.resourceVersion = undefined;
        } else throw e;
      }
    }
    throw new Error('lease write kept conflicting');
  }
}
