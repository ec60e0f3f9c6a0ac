/**
 * The node's heartbeat: its coordination.k8s.io/v1 Lease in kube-node-lease,
 * as upstream's nodelease controller keeps it. Name and holderIdentity are
 * the node name, leaseDurationSeconds 40, renewTime a MicroTime, and an
 * ownerReference to the Node (so the Lease goes with it) once the Node's
 * uid is known. renew() is called every 10 s (a quarter of the duration).
 *
 * Contract: renew() writes the Lease once, creating it when missing and
 * updating the one last written otherwise (optimistic concurrency; a
 * conflict re-reads it and tries again, up to 3 attempts). It rejects when
 * the server cannot be reached; the caller just tries again next period.
 */
import type { ApiClient, ResourceRef } from '../../control-plane/api/client/api-client.js';
import { isApiError } from '../../control-plane/api/errors.js';
import { formatMicroTime, type Clock, type KubeObject, type OwnerReference } from '../../control-plane/api/meta.js';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: LEASE_NAMESPACE };
export const LEASE_DURATION_SECONDS = 40;
/** renewIntervalFraction 0.25 of the duration. */
export const LEASE_RENEW_INTERVAL_MS = 10_000;

export interface NodeLeaseDeps {
  client: ApiClient;
  clock: Clock;
  nodeName: string;
  /** The Node's uid, once registered. */
  nodeUid: () => string | undefined;
}

/** The Lease this node writes at `now`, over `existing` when there is one. */
export function leaseObject(nodeName: string, nodeUid: string | undefined, now: Date, existing?: KubeObject): KubeObject {
  const metadata: KubeObject['metadata'] = { ...(existing?.metadata ?? {}), name: nodeName, namespace: LEASE_NAMESPACE };
  const owners = existing?.metadata.ownerReferences ?? [];
  if (owners.length === 0 && nodeUid) {
    const owner: OwnerReference = { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid };
    metadata.ownerReferences = [owner];
  }
  const spec = { ...((existing?.['spec'] as Record<string, unknown> | undefined) ?? {}) };
  spec['holderIdentity'] = nodeName;
  spec['leaseDurationSeconds'] = LEASE_DURATION_SECONDS;
  spec['renewTime'] = formatMicroTime(now);
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
}

export class NodeLease {
  private last: KubeObject | undefined;
  renewals = 0;

  constructor(private readonly d: NodeLeaseDeps) {}

  /** The Lease as last written. */
  current(): KubeObject | undefined {
    return this.last;
  }

  async renew(): Promise<void> {
    const { client, clock, nodeName } = this.d;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.last = this.last
          ? await client.update(LEASES, leaseObject(nodeName, this.d.nodeUid(), clock.now(), this.last))
          : await client.create(LEASES, leaseObject(nodeName, this.d.nodeUid(), clock.now()));
        this.renewals++;
        return;
      } catch (e) {
        if (!isApiError(e)) throw e;
        if (e.code === 'SKIFF_ALREADY_EXISTS' || e.code === 'SKIFF_CONFLICT') this.last = await client.get(LEASES, nodeName);
        else if (e.code === 'SKIFF_NOT_FOUND') this.last = undefined;
        else throw e;
      }
    }
    throw new Error(`lease ${LEASE_NAMESPACE}/${nodeName}: kept conflicting`);
  }
}
