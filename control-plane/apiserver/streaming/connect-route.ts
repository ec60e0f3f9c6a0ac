/**
 * Which connect request a raw URL names, parsed from the path alone (the
 * upgrade handler sees requests before any router). Pure.
 *
 * - `/api/v1/namespaces/NS/pods/P/{exec,attach,portforward,log}` → a pod route;
 * - `/api/v1/nodes/N/proxy[/rest]` → a node proxy route whose agent path is
 *   `/rest` (kept raw, not re-encoded) plus the original query;
 * - anything else → undefined.
 */
import type { PodConnectKind } from './kubelet-paths.js';

export type ConnectRoute =
  | { kind: 'pod'; sub: PodConnectKind; namespace: string; name: string; query: URLSearchParams }
  | { kind: 'node'; name: string; agentPath: string };

const POD = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward|log)\/?$/;
const NODE = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/;

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function parseConnectRoute(url: string): ConnectRoute | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const pod = POD.exec(path);
  if (pod) {
    const namespace = decode(pod[1] ?? '');
    const name = decode(pod[2] ?? '');
    if (namespace === undefined || name === undefined) return undefined;
    return { kind: 'pod', sub: pod[3] as PodConnectKind, namespace, name, query: new URLSearchParams(rawQuery) };
  }
  const node = NODE.exec(path);
  if (node) {
    const name = decode(node[1] ?? '');
    if (name === undefined) return undefined;
    const rest = node[2] ?? '/';
    return { kind: 'node', name, agentPath: rawQuery === '' ? rest : `${rest}?${rawQuery}` };
  }
  return undefined;
}
