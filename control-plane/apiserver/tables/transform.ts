/**
 * The response path for negotiated forms: a handler's answer (a served
 * object, a `<Kind>List`, or a Status) becomes the Table,
 * PartialObjectMetadata or PartialObjectMetadataList the client asked for.
 * Status answers pass through unchanged, as upstream. Objects are printed
 * in their stored form (events.k8s.io events print as core events do
 * upstream), rows carry the served form.
 */
import { isPlainObject, type KubeObject, type ListMeta } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { buildTable, partialObjectMetadata, printerFor, type PrintItem } from './build-table.js';
import { contentTypeOf, notAcceptable, type OutputForm } from './negotiate.js';

export interface RenderedResponse {
  contentType: string;
  text: string;
}

function isList(body: Record<string, unknown>): boolean {
  return Array.isArray(body.items) && typeof body.kind === 'string' && body.kind.endsWith('List');
}

/** A served object and its stored form, for printing. */
export function printItem(resolved: ResolvedResource, served: KubeObject): PrintItem {
  if (!resolved.alias) return { served, stored: served };
  return { served, stored: resolved.alias.toStorage(structuredClone(served)) };
}

function listMeta(body: Record<string, unknown>): ListMeta {
  const m = isPlainObject(body.metadata) ? body.metadata : {};
  const out: ListMeta = {};
  if (typeof m.resourceVersion === 'string') out.resourceVersion = m.resourceVersion;
  if (typeof m.continue === 'string' && m.continue !== '') out.continue = m.continue;
  if (typeof m.remainingItemCount === 'number') out.remainingItemCount = m.remainingItemCount;
  return out;
}

/** The transformed body for a form, or the body itself for plain JSON and Status. */
export function transformBody(form: OutputForm, resolved: ResolvedResource, body: unknown, now: Date): unknown {
  if (form.as === 'json' || !isPlainObject(body) || body.kind === 'Status') return body;
  const list = isList(body);
  const served: KubeObject[] = list
    ? (body.items as unknown[]).filter(isPlainObject).map((item) => ({ apiVersion: body.apiVersion, kind: resolved.kind, ...item }) as KubeObject)
    : [body as KubeObject];
  switch (form.as) {
    case 'Table': {
      const kind = list ? resolved.kind : typeof body.kind === 'string' ? body.kind : undefined;
      const meta = list ? listMeta(body) : metaOf(body as KubeObject);
      return buildTable(printerFor(resolved, kind), served.map((o) => printItem(resolved, o)), meta, { version: form.version, includeObject: form.includeObject }, now);
    }
    case 'PartialObjectMetadata':
      if (list) throw notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (${String(body.kind)})`);
      return partialObjectMetadata(body as KubeObject, form.version);
    case 'PartialObjectMetadataList':
      if (!list) throw notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (${String(body.kind)})`);
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${form.version}`,
        metadata: listMeta(body),
        items: served.map((o) => partialObjectMetadata(o, form.version)),
      };
  }
}

function metaOf(obj: KubeObject): ListMeta {
  const rv = obj.metadata.resourceVersion;
  return rv === undefined ? {} : { resourceVersion: rv };
}

/** The wire form of a handler's answer. */
export function renderResponse(form: OutputForm, resolved: ResolvedResource, body: unknown, now: Date): RenderedResponse {
  const out = transformBody(form, resolved, body, now);
  const passthrough = out === body;
  return { contentType: passthrough ? 'application/json' : contentTypeOf(form), text: JSON.stringify(out) };
}
