/**
 * The in-process fast lane for resource requests of the loopback client
 * (the scheduler and the controllers inside `skiff server`). A create,
 * get, list, update, patch or delete runs the same authorization,
 * handlers, admission, validation, Table negotiation and Status errors as
 * over HTTP, and is counted in the same request metrics, but skips
 * light-my-request's emulation of an HTTP exchange and fastify's request
 * life cycle (about 8 % of a busy server's CPU).
 *
 * Contract: answers undefined for anything it does not take, and the
 * caller then injects the request as before: watches and other streams,
 * connect subresources, virtual resources, non-resource paths, escaped
 * paths and paths that do not name a resource.
 */
import { tooLarge, unsupportedMediaType } from '../../api/errors.js';
import type { TransportRequest, TransportResponse } from '../../api/client/transport.js';
import type { UserInfo } from '../context.js';
import { toApiError } from '../error-handler.js';
import { negotiateOutput } from '../tables/negotiate.js';
import { contentTypeOf } from '../tables/negotiate.js';
import { transformBody } from '../tables/transform.js';
import { dispatch, targetOf } from './dispatch.js';
import { mediaType } from './body.js';
import { queryBool, type Query } from './query.js';
import type { RestContext, RestRequest } from './rest-context.js';
import type { RequestTarget } from './request-target.js';

/** Who is calling, and the HTTP path's authorization and metrics for it. */
export interface DirectCaller {
  user: UserInfo;
  /** Throws 403 as the auth hook would. */
  authorize(method: string, url: string): Promise<void>;
  /** Counts the finished request as the onResponse hook would. */
  observe(method: string, url: string, code: number, seconds: number): void;
}

export type DirectDispatcher = (req: TransportRequest, caller: DirectCaller) => Promise<TransportResponse> | undefined;

/** Subresources answered like the main resource (no streaming, no proxying). */
const PLAIN_SUBRESOURCES = new Set(['', 'status', 'scale', 'binding']);

/** fastify's query object: repeated parameters become arrays. */
function parseQuery(search: string): Query {
  const q: Query = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = q[k];
    if (prev === undefined) q[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else q[k] = [prev, v];
  }
  return q;
}

function header(req: TransportRequest, name: string): string | undefined {
  return req.headers?.[name];
}

function directTarget(rc: RestContext, path: string): RequestTarget | undefined {
  let core: boolean;
  let wildcard: string;
  if (path.startsWith('/api/v1/')) {
    core = true;
    wildcard = path.slice('/api/v1/'.length);
  } else if (path.startsWith('/apis/')) {
    core = false;
    wildcard = path.slice('/apis/'.length);
  } else {
    return undefined;
  }
  try {
    const t = targetOf(rc.deps, core, wildcard);
    if (!t.resolved.entry.storagePrefix || t.legacyWatch || !PLAIN_SUBRESOURCES.has(t.subresource ?? '')) return undefined;
    return t;
  } catch {
    // A path that names no resource: the routes answer it (404) as they always did.
    return undefined;
  }
}

export function directDispatcher(rc: RestContext, bodyTypes: readonly string[], bodyLimit: number): DirectDispatcher {
  const accepted = new Set([...bodyTypes, 'application/vnd.kubernetes.protobuf']);
  return (req, caller) => {
    const at = req.path.indexOf('?');
    const path = at < 0 ? req.path : req.path.slice(0, at);
    // Escaped names are decoded by the router; leave them to it.
    if (path.includes('%') || header(req, 'upgrade') !== undefined) return undefined;
    const query = parseQuery(at < 0 ? '' : req.path.slice(at + 1));
    if (queryBool(query, 'watch')) return undefined;
    const target = directTarget(rc, path);
    if (!target) return undefined;
    return run(rc, req, caller, target, query, accepted, bodyLimit);
  };
}

function lazyJsonResponse(status: number, headers: Record<string, string | string[]>, object: unknown): TransportResponse {
  let text: string | undefined;
  return {
    status,
    headers,
    object,
    get body(): string {
      text ??= JSON.stringify(object);
      return text;
    },
  };
}

async function run(
  rc: RestContext,
  req: TransportRequest,
  caller: DirectCaller,
  target: RequestTarget,
  query: Query,
  accepted: Set<string>,
  bodyLimit: number,
): Promise<TransportResponse> {
  const started = performance.now();
  const contentType = header(req, 'content-type');
  let res: TransportResponse;
  try {
    await caller.authorize(req.method, req.path);
    if (req.body !== undefined && Buffer.byteLength(req.body) > bodyLimit) throw tooLarge();
    if (req.body !== undefined && contentType !== undefined && contentType.trim() !== '' && !accepted.has(mediaType(contentType))) {
      throw unsupportedMediaType(contentType);
    }
    const rreq: RestRequest = { target, user: caller.user, query, userAgent: header(req, 'user-agent') };
    const output = negotiateOutput(header(req, 'accept'), query);
    const raw = { body: typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body, contentType };
    const out = await dispatch(rc, rreq, req.method, raw, undefined);
    if (out === undefined) throw new Error('a direct request produced no reply');
    const headers: Record<string, string | string[]> = {};
    if (out.warnings?.length) headers.warning = out.warnings;
    const served = transformBody(output, target.resolved, out.body, rc.deps.clock.now());
    if (served === out.body) {
      // Plain JSON: the handler's answer is a fresh object nothing on the
      // server holds, so the client takes it as is; the text is made only
      // if someone reads it.
      headers['content-type'] = 'application/json';
      res = lazyJsonResponse(out.code, headers, served);
    } else {
      headers['content-type'] = contentTypeOf(output);
      res = { status: out.code, headers, body: JSON.stringify(served) };
    }
  } catch (err) {
    const e = toApiError(err, contentType);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const retry = e.details?.retryAfterSeconds;
    if (retry !== undefined) headers['retry-after'] = String(retry);
    res = { status: e.status, headers, body: JSON.stringify(e.toStatus()) };
  }
  caller.observe(req.method, req.path, res.status, (performance.now() - started) / 1000);
  return res;
}
