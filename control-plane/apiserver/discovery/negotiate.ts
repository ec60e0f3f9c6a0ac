/**
 * Accept-header negotiation for /api and /apis: does the client ask for
 * aggregated discovery, and in which version? Pure.
 *
 * The client lists media types in preference order (q-values honoured,
 * ties keep their order). The first that is
 * `application/json;g=apidiscovery.k8s.io;v=v2|v2beta1;as=APIGroupDiscoveryList`
 * wins; if a plain JSON type (or a wildcard) comes first, or nothing
 * matches, the answer is the legacy document — never 406.
 */
import type { AggregatedVersion } from './documents.js';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  index: number;
}

function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  header.split(',').forEach((part, index) => {
    const [typePart = '', ...paramParts] = part.split(';');
    const type = typePart.trim().toLowerCase();
    if (type === '') return;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? n : 0;
      } else params.set(k, v);
    }
    if (q > 0) out.push({ type, params, q, index });
  });
  return out.sort((a, b) => b.q - a.q || a.index - b.index);
}

export function aggregatedContentType(version: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** The aggregated version the client prefers, or undefined for legacy discovery. */
export function negotiateDiscovery(accept: string | undefined): AggregatedVersion | undefined {
  if (!accept) return undefined;
  for (const m of parseAccept(accept)) {
    const jsonish = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    if (!jsonish) continue;
    if (m.params.get('g') === 'apidiscovery.k8s.io' && m.params.get('as') === 'APIGroupDiscoveryList' && m.type === 'application/json') {
      const v = m.params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
      continue;
    }
    if (m.params.has('as')) continue; // some other transformation (Table, ...) we do not serve here
    return undefined;
  }
  return undefined;
}
