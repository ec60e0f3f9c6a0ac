/**
 * Accept negotiation for the transformed response forms upstream serves
 * besides the plain object: `application/json;as=Table;v=v1;g=meta.k8s.io`
 * (also v1beta1), and PartialObjectMetadata / PartialObjectMetadataList.
 * Media ranges are tried by quality, then in the client's order; the first
 * acceptable one wins (kubectl get sends Table v1, Table v1beta1, then
 * plain JSON). A header asking only for conversions we do not serve is 406;
 * anything else we cannot match is answered as plain JSON, as before.
 *
 * Table options come from the query: includeObject None, Metadata (the
 * default) or Object; anything else is 400, in upstream's words.
 */
import { ApiError, badRequest } from '../../api/errors.js';
import { queryParam, type Query } from '../rest/query.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export type OutputForm =
  | { as: 'json' }
  | { as: 'Table'; version: 'v1' | 'v1beta1'; includeObject: IncludeObject }
  | { as: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1' }
  | { as: 'PartialObjectMetadataList'; version: 'v1' | 'v1beta1' };

export const PLAIN_JSON: OutputForm = { as: 'json' };

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  order: number;
}

function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  header.split(',').forEach((part, order) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    if (type === '') return;
    const params = new Map<string, string>();
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    out.push({ type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0, order });
  });
  return out.filter((m) => m.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);
const CONVERSIONS = new Set(['Table', 'PartialObjectMetadata', 'PartialObjectMetadataList']);

/** includeObject from the query; 400 for values upstream rejects. */
export function includeObjectOf(q: Query): IncludeObject {
  const v = queryParam(q, 'includeObject') ?? '';
  if (v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(v)}: must be 'Metadata', 'Object', 'None', or empty`);
}

/** The response form an Accept header (and query) asks for. */
export function negotiateOutput(accept: string | string[] | undefined, q: Query): OutputForm {
  const header = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  if (header.trim() === '') return PLAIN_JSON;
  const ranges = parseAccept(header);
  let sawOther = false;
  for (const m of ranges) {
    const as = m.params.get('as');
    if (as === undefined) {
      if (JSON_TYPES.has(m.type)) return PLAIN_JSON;
      sawOther = true;
      continue;
    }
    const g = m.params.get('g');
    const v = m.params.get('v');
    if (m.type !== 'application/json' || g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1') || !CONVERSIONS.has(as)) continue;
    if (as === 'Table') return { as, version: v, includeObject: includeObjectOf(q) };
    return as === 'PartialObjectMetadata' ? { as, version: v } : { as: 'PartialObjectMetadataList', version: v };
  }
  // Other media types (YAML, protobuf) are someone else's business; only a request for conversions alone fails.
  if (sawOther || ranges.length === 0) return PLAIN_JSON;
  throw notAcceptable();
}

export function notAcceptable(message = 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf'): ApiError {
  return new ApiError('SKIFF_NOT_ACCEPTABLE', message);
}

/** Content-Type of a response in this form. */
export function contentTypeOf(form: OutputForm): string {
  return form.as === 'json' ? 'application/json' : `application/json;as=${form.as};v=${form.version};g=meta.k8s.io`;
}
