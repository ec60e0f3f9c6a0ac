/**
 * `skiff sim`: N simulated nodes in one process, composed here. One HTTPS
 * client, one write pool, one node informer and one pod informer serve
 * every node; the node registry registers them, the lease heartbeat keeps
 * them alive, the pod lifecycle runs their pods. Only cli/ imports this.
 *
 * startSim resolves once every node is registered (it retries while the
 * server is unreachable); close() stops timers and watches and releases
 * connections. Nodes and leases stay behind, as a stopped kubelet's do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { systemClock, type Clock, type KubeObject } from '../../control-plane/api/meta.js';
import type { SimConfig } from './config.js';
import { Informer } from '../common/informer.js';
import { LeaseHeartbeat } from './lease-heartbeat.js';
import { simNodeName, type SimNode } from './node-object.js';
import { NODES, NodeRegistry } from './node-registry.js';
import { PodLifecycle } from './pod-lifecycle.js';
import { WritePool } from '../common/write-pool.js';

export interface RunningSim {
  names: string[];
  stats(): { leaseRenewals: number; leaseFailures: number; podWrites: number; pods: number };
  close(): Promise<void>;
}

export interface SimOptions {
  clock?: Clock;
  log?: (msg: string) => void;
}

export async function startSim(cfg: SimConfig, opts: SimOptions = {}): Promise<RunningSim> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? ((m: string) => process.stderr.write(`skiff sim: ${m}\n`));
  let creds: ReturnType<typeof credentialsFromKubeconfig>;
  try {
    creds = credentialsFromKubeconfig(cfg.kubeconfig);
  } catch (e) {
    const why = (e as { code?: string }).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw new Error(`cannot use kubeconfig ${cfg.kubeconfig}: ${why}`);
  }
  const transport = new HttpsTransport(creds, { maxSockets: cfg.concurrency + 8 });
  // It writes objects of its own making, as the kubelet's typed client does:
  // fieldValidation=Ignore spares the server a scan of every body for
  // unknown and duplicate fields.
  const client = new ApiClient(transport, { fieldValidation: 'Ignore' });
  const pool = new WritePool(cfg.concurrency);
  let closed = false;
  const isClosed = (): boolean => closed;
  const names = Array.from({ length: cfg.nodes }, (_, i) => simNodeName(cfg.prefix, i));
  const bootSeed = randomBytes(8).toString('hex');

  const nodes = new Informer<SimNode>(client, NODES, { log });
  const pods = new Informer<KubeObject>(client, { group: '', version: 'v1', resource: 'pods' }, { log });
  const registry = new NodeRegistry({
    client,
    pool,
    clock,
    nodes,
    config: { cpu: cfg.cpu, memory: cfg.memory, maxPods: cfg.maxPods, ephemeralStorage: cfg.ephemeralStorage },
    names,
    bootId: (name) => bootIdFor(bootSeed, name),
    log,
    isClosed,
  });
  const heartbeat = new LeaseHeartbeat({ client, pool, clock, registry, names, log, isClosed });
  const lifecycle = new PodLifecycle({ client, pool, clock, pods, registry, newId: () => randomBytes(32).toString('hex'), log, isClosed });

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    heartbeat.stop();
    lifecycle.stop();
    nodes.stop();
    pods.stop();
    transport.close();
  };

  try {
    nodes.start();
    await nodes.hasSynced;
    await registry.registerAll();
    await heartbeat.renewAll();
    heartbeat.start();
    pods.start();
  } catch (e) {
    await close();
    throw e;
  }
  return {
    names,
    stats: () => ({ leaseRenewals: heartbeat.renewed, leaseFailures: heartbeat.failed, podWrites: lifecycle.writes, pods: lifecycle.tracked }),
    close,
  };
}

function bootIdFor(seed: string, name: string): string {
  const h = createHash('sha256').update(`${seed}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
