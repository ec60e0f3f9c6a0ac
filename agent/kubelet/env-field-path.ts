/**
 * The downward API's values, shared by env (valueFrom.fieldRef /
 * resourceFieldRef) and downwardAPI/projected volumes. Upstream:
 * kubelet_pods.go podFieldSelectorRuntimeValue, pkg/fieldpath
 * ExtractFieldPathAsString/FormatMap and pkg/api/v1/resource
 * ExtractContainerResourceValue.
 *
 * - metadata.labels / metadata.annotations print the whole map as sorted
 *   `k="v"` lines (Go %q quoting) without a trailing newline;
 * - cpu values are ceil(milli / divisor-milli), memory and
 *   ephemeral-storage ceil(value / divisor); the divisor defaults to 1;
 * - unset limits default to the node's allocatable when the caller knows
 *   it (upstream's defaultPodLimitsForDownwardAPI), else to 0.
 * Errors are plain Errors with upstream's texts; callers wrap them.
 */
import { parseQuantity, quantityMilli, quantityNano, tryParseQuantity } from '../../control-plane/api/quantity.js';
import { objs, rec, str } from '../../control-plane/api/resources/fields.js';
import type { ContainerSpec, NodeFacts, Pod } from './pod-deps.js';

export type Allocatable = Partial<Record<'cpu' | 'memory' | 'ephemeral-storage', string>>;

/** Go's %q for the strings label and annotation values hold. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m?.[k] ?? '')}`)
    .join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/** Fields the pod object itself answers (the volume subset of the downward API). */
export function podMetadataValue(pod: Pod, fieldPath: string): string {
  const m = SUBSCRIPT.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** A fieldRef's value for env: the node and IP fields plus the metadata ones. */
export function podFieldValue(pod: Pod, fieldPath: string, node: NodeFacts, podIPs: string[]): string {
  switch (fieldPath) {
    case 'spec.nodeName':
      return str(pod.spec?.nodeName) ?? '';
    case 'spec.serviceAccountName':
      return str(pod.spec?.serviceAccountName) ?? '';
    case 'status.hostIP':
      return node.hostIP;
    case 'status.hostIPs':
      return node.hostIP;
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
  }
  return podMetadataValue(pod, fieldPath);
}

const RESOURCES = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** The container named by the selector (its containerName) or the given one. */
export function resourceFieldValue(
  pod: Pod,
  container: ContainerSpec | undefined,
  ref: Record<string, unknown>,
  allocatable: Allocatable = {},
): string {
  const resource = str(ref.resource) ?? '';
  const containerName = str(ref.containerName);
  let c: Record<string, unknown> | undefined = container;
  if (containerName) {
    c = [...objs(pod.spec?.containers), ...objs(pod.spec?.initContainers)].find((x) => x.name === containerName);
    if (!c) throw new Error(`container ${containerName} not found`);
  }
  if (!c) throw new Error('resourceFieldRef needs a containerName');
  if (!RESOURCES.includes(resource)) throw new Error(`unsupported container resource : ${resource}`);
  const [kind = '', name = ''] = resource.split('.');
  const resources = rec(c.resources);
  let text = str(rec(resources?.[kind])?.[name]) ?? numText(rec(resources?.[kind])?.[name]);
  if (text === undefined && kind === 'limits') text = allocatable[name as keyof Allocatable];
  const q = tryParseQuantity(text ?? '0') ?? parseQuantity('0');
  const divisorText = str(ref.divisor) ?? numText(ref.divisor);
  const divisor = divisorText !== undefined ? tryParseQuantity(divisorText) : undefined;
  const d = divisor && quantityNano(divisor) !== 0n ? divisor : parseQuantity('1');
  if (name === 'cpu') return String(ceilDiv(quantityMilli(q), quantityMilli(d)));
  // Value() rounds up to whole units, as upstream.
  return String(ceilDiv(ceilDiv(quantityNano(q), 1_000_000_000n), ceilDiv(quantityNano(d), 1_000_000_000n)));
}

function numText(v: unknown): string | undefined {
  return typeof v === 'number' ? String(v) : undefined;
}
