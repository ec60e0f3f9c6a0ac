/**
 * The agent's own view of a phase of bench/pod-start, from its /metrics
 * (read with the admin client certificate, a system:masters member):
 * CRI calls per operation (count and summed seconds from
 * kubelet_runtime_operations_duration_seconds) and the kubelet's pod
 * start duration (first seen → Running published). Snapshots before and
 * after a phase are subtracted, so each phase shows only its own calls.
 */
import type { HttpsCredentials } from '../../control-plane/api/client/transport.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';

export interface OpStat {
  count: number;
  sumMs: number;
}

export type KubeletSnapshot = Map<string, OpStat>;

const POD_START = 'pod_start (kubelet: seen → Running published)';

/** Parses the `_sum`/`_count` series of the two histograms from Prometheus text. */
export function parseSnapshot(text: string): KubeletSnapshot {
  const out: KubeletSnapshot = new Map();
  const get = (k: string): OpStat => {
    let s = out.get(k);
    if (!s) out.set(k, (s = { count: 0, sumMs: 0 }));
    return s;
  };
  for (const line of text.split('\n')) {
    let m = /^kubelet_runtime_operations_duration_seconds_(sum|count)\{operation_type="([^"]+)"\} (\S+)$/.exec(line);
    if (m) {
      const s = get(m[2]!);
      if (m[1] === 'sum') s.sumMs = Number(m[3]) * 1000;
      else s.count = Number(m[3]);
      continue;
    }
    m = /^kubelet_pod_start_duration_seconds_(sum|count)(?:\{\})? (\S+)$/.exec(line);
    if (m) {
      const s = get(POD_START);
      if (m[1] === 'sum') s.sumMs = Number(m[2]) * 1000;
      else s.count = Number(m[2]);
    }
  }
  return out;
}

export async function kubeletSnapshot(creds: HttpsCredentials, kubeletPort: number): Promise<KubeletSnapshot> {
  const t = new HttpsTransport({ ...creds, server: `https://127.0.0.1:${kubeletPort}`, insecureSkipTLSVerify: true });
  try {
    const res = await t.request({ method: 'GET', path: '/metrics', headers: {} });
    if (res.status !== 200) throw new Error(`GET /metrics on the agent: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    return parseSnapshot(res.body);
  } finally {
    t.close();
  }
}

/** after − before per operation, with the mean per call; operations without calls are left out. */
export function diffSnapshots(before: KubeletSnapshot, after: KubeletSnapshot): Record<string, { calls: number; meanMs: number; totalMs: number }> {
  const out: Record<string, { calls: number; meanMs: number; totalMs: number }> = {};
  for (const [op, a] of [...after].sort(([x], [y]) => x.localeCompare(y))) {
    const b = before.get(op) ?? { count: 0, sumMs: 0 };
    const calls = a.count - b.count;
    if (calls <= 0) continue;
    const totalMs = a.sumMs - b.sumMs;
    out[op] = { calls, meanMs: Math.round((totalMs / calls) * 10) / 10, totalMs: Math.round(totalMs) };
  }
  return out;
}
