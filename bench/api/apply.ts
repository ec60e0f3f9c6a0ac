/**
 * Apply throughput: the strategic merge patches `kubectl apply` sends for a
 * Deployment it applied before (a changed field plus the new
 * last-applied-configuration annotation and $setElementOrder directives),
 * on Deployments of about 1 KiB and 10 KiB.
 */
import type { ApiClient } from '../../control-plane/api/client/api-client.js';
import { closedLoop } from './workloads.js';
import { round, summarize } from './stats.js';

const deployments = (namespace: string) => ({ group: 'apps', version: 'v1', resource: 'deployments', namespace });

/** A Deployment manifest whose JSON is about `kib` KiB (padding in env vars). */
export function deploymentManifest(name: string, kib: number, revision: number): Record<string, unknown> {
  const env: { name: string; value: string }[] = [{ name: 'REVISION', value: String(revision) }];
  const base = 700;
  for (let i = 0; base + env.length * 60 < kib * 1024; i++) env.push({ name: `PAD_${i}`, value: 'v'.repeat(40) });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'busybox:1.36', ports: [{ containerPort: 8080 }], env }] },
      },
    },
  };
}

/** The patch kubectl's three-way merge produces when only REVISION changed. */
export function applyPatch(manifest: Record<string, unknown>, revision: number): Record<string, unknown> {
  const env = ((((manifest.spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<string, unknown>).containers as { env: { name: string }[] }[])[0]!.env;
  return {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) + '\n' } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }],
          containers: [{ '$setElementOrder/env': env.map((e) => ({ name: e.name })), name: 'web', env: [{ name: 'REVISION', value: String(revision) }] }],
        },
      },
    },
  };
}

export interface ApplyRun {
  sizeKiB: number;
  concurrency: number;
  patchesPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export async function applyThroughput(client: ApiClient, namespace: string, sizeKiB: number, concurrency: number, seconds: number): Promise<ApplyRun> {
  const ref = deployments(namespace);
  const names = Array.from({ length: concurrency }, (_, i) => `apply-${sizeKiB}k-${i}`);
  for (const name of names) {
    const m = deploymentManifest(name, sizeKiB, 0);
    const annotated = { ...m, metadata: { ...(m.metadata as object), annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(m) + '\n' } } };
    await client.create(ref, annotated as never);
  }
  const revisions = new Map<string, number>();
  const r = await closedLoop(concurrency, seconds, async (i) => {
    const name = names[i % names.length]!;
    const rev = (revisions.get(name) ?? 0) + 1;
    revisions.set(name, rev);
    const patch = applyPatch(deploymentManifest(name, sizeKiB, rev), rev);
    await client.patch(ref, name, patch, 'application/strategic-merge-patch+json', { fieldManager: 'kubectl-client-side-apply' });
  });
  const s = summarize(r.latenciesMs);
  return { sizeKiB, concurrency, patchesPerSec: round(r.perSec, 1), p50Ms: s.p50Ms, p99Ms: s.p99Ms };
}
