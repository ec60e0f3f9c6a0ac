/** The API workloads: closed-loop writers at a fixed concurrency, watch fan-out, bulk pods. */
import type { ApiClient } from '../../control-plane/api/client/api-client.js';

export const configmaps = (namespace: string) => ({ group: '', version: 'v1', resource: 'configmaps', namespace });

/** A ConfigMap whose JSON is about 1 KiB. */
export function configMap1k(name: string, stamp = ''): { apiVersion: string; kind: string; metadata: { name: string }; data: Record<string, string> } {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload: 'p'.repeat(900), stamp } };
}

export interface LoopResult {
  ops: number;
  perSec: number;
  latenciesMs: number[];
}

/**
 * Runs `op(i)` from `concurrency` workers for `seconds`, each worker issuing
 * its next call when the previous one returns (closed loop).
 */
export async function closedLoop(concurrency: number, seconds: number, op: (i: number) => Promise<unknown>): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return { ops: latenciesMs.length, perSec: latenciesMs.length / elapsed, latenciesMs };
}

/** Creates `count` objects with `concurrency` in flight, without timing. */
export async function bulk(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Opens `watchers` watches on one namespace's ConfigMaps, then creates
 * `writes` ConfigMaps stamped with their write time; returns the latency
 * from each write to its delivery at each watcher.
 */
export async function watchFanOut(client: ApiClient, namespace: string, watchers: number, writes: number): Promise<{ latenciesMs: number[]; expected: number }> {
  const ref = configmaps(namespace);
  const list = await client.list(ref);
  const rv = list.metadata.resourceVersion;
  const latenciesMs: number[] = [];
  const handles = [];
  for (let i = 0; i < watchers; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, watchers - i) }, () =>
        client.watch(ref, { resourceVersion: rv }, (e) => {
          const stamp = (e.object as { data?: { stamp?: string } }).data?.stamp;
          if (e.type === 'ADDED' && stamp) latenciesMs.push(nowMs() - Number(stamp));
        }),
      ),
    );
    handles.push(...batch);
  }
  for (let w = 0; w < writes; w++) {
    await client.create(ref, configMap1k(`fan-${w}`, String(nowMs())));
    await new Promise((r) => setTimeout(r, 100));
  }
  const expected = watchers * writes;
  const deadline = Date.now() + 30_000;
  while (latenciesMs.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const h of handles) h.close();
  return { latenciesMs, expected };
}
