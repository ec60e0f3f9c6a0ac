/**
 * list: label/field selectors, limit/continue pagination at one pinned
 * revision, and resourceVersion semantics (unset and "0": current;
 * Exact: that revision; NotOlderThan: current, which is never older).
 * Items are served without apiVersion/kind, as upstream's typed lists.
 */
import { ApiError, badRequest, expired, isApiError } from '../../api/errors.js';
import { apiVersionOf, type KubeList, type KubeObject } from '../../api/meta.js';
import { listKindOf } from '../../api/resource-table.js';
import type { ListResult } from '../../storage/store.js';
import { collectionPrefix, decodeEntry, toServed } from './codec.js';
import { ContinueExpiredError, decodeContinue, encodeContinue } from './continue-token.js';
import { queryInt, queryParam } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { compileSelection, type Selection } from './selection.js';

export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: must be an integer`);
  return Number(rv);
}

export interface ListedObjects {
  items: KubeObject[];
  revision: number;
  continueToken?: string;
  remaining?: number;
}

/** Reads matching stored-form objects per the request's list options. */
export async function readList(rc: RestContext, req: RestRequest, selection: Selection): Promise<ListedObjects> {
  const q = req.query;
  const entry = req.target.resolved.entry;
  const prefix = collectionPrefix(entry, req.target.namespace);
  const limit = Math.max(0, queryInt(q, 'limit') ?? 0);
  const cont = queryParam(q, 'continue');
  const rv = queryParam(q, 'resourceVersion');
  const match = queryParam(q, 'resourceVersionMatch');
  let revision: number | undefined;
  let after: string | undefined;
  let token: ReturnType<typeof decodeContinue> | undefined;
  if (cont) {
    if (rv !== undefined && rv !== '' && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    token = decodeContinue(cont);
    revision = token.rv > 0 ? token.rv : undefined;
    after = prefix + token.start;
  } else if (match !== undefined && match !== '') {
    if (rv === undefined || rv === '') throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (match === 'Exact') {
      if (rv === '0') throw badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
      revision = parseResourceVersion(rv);
    } else if (match === 'NotOlderThan') {
      await checkNotOlderThan(rc, rv);
    } else {
      throw badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`);
    }
  } else if (rv !== undefined && rv !== '' && rv !== '0') {
    await checkNotOlderThan(rc, rv);
  }

  const items: KubeObject[] = [];
  let continueKey: string | undefined;
  let remaining: number | undefined;
  for (;;) {
    const want = limit > 0 ? limit - items.length : 0;
    const pageSize = want === 0 ? 0 : selection.empty ? want : Math.max(want, 256);
    let res: ListResult;
    try {
      res = await rc.deps.store.list(prefix, { revision, limit: pageSize, continueAfter: after });
    } catch (e) {
      if (isApiError(e) && e.code === 'SKIFF_EXPIRED') {
        if (token) throw new ContinueExpiredError(encodeContinue({ rv: 0, start: token.start }));
        throw expired(`The resourceVersion for the provided list is too old.`);
      }
      throw e;
    }
    revision = res.revision;
    let filled = false;
    for (let i = 0; i < res.entries.length; i++) {
      const e = res.entries[i] as (typeof res.entries)[number];
      const obj = decodeEntry(e);
      if (selection.matches(obj)) items.push(obj);
      if (limit > 0 && items.length === limit) {
        const more = i < res.entries.length - 1 || res.more;
        if (more) continueKey = e.key;
        if (more && selection.empty && i === res.entries.length - 1) remaining = res.remaining;
        filled = true;
        break;
      }
    }
    if (filled || !res.more || res.entries.length === 0) break;
    after = (res.entries[res.entries.length - 1] as (typeof res.entries)[number]).key;
  }
  const out: ListedObjects = { items, revision: revision ?? 0 };
  if (continueKey !== undefined) out.continueToken = encodeContinue({ rv: out.revision, start: continueKey.slice(prefix.length) });
  if (remaining !== undefined && remaining > 0) out.remaining = remaining;
  return out;
}

async function checkNotOlderThan(rc: RestContext, rv: string): Promise<void> {
  const wanted = parseResourceVersion(rv);
  const current = await rc.deps.store.currentRevision();
  if (wanted > current) {
    throw new ApiError('SKIFF_TIMEOUT', `Too large resource version: ${wanted}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    });
  }
}

/** Builds the `<Kind>List` a list request answers. */
export function toListResponse(req: RestRequest, listed: ListedObjects): KubeList {
  const r = req.target.resolved;
  const items = listed.items.map((o) => {
    const { apiVersion: _a, kind: _k, ...rest } = toServed(r, o);
    return rest as KubeObject;
  });
  const metadata: KubeList['metadata'] = { resourceVersion: String(listed.revision) };
  if (listed.continueToken) metadata.continue = listed.continueToken;
  if (listed.remaining !== undefined) metadata.remainingItemCount = listed.remaining;
  return { kind: listKindOf(r.kind), apiVersion: apiVersionOf(r.group, r.version), metadata, items };
}

export async function listObjects(rc: RestContext, req: RestRequest): Promise<KubeList> {
  const selection = compileSelection(req.target.resolved, queryParam(req.query, 'labelSelector'), queryParam(req.query, 'fieldSelector'));
  return toListResponse(req, await readList(rc, req, selection));
}
