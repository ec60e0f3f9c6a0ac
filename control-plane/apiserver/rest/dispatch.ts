/**
 * Which handler answers a resource request: the verb and subresource of a
 * parsed target select create, get, list, watch, update, patch, delete or
 * a subresource handler. Shared by the fastify routes and the in-process
 * direct path (direct-dispatch.ts). Only a watch needs the fastify reply,
 * which it hijacks to stream.
 */
import type { FastifyReply } from 'fastify';
import { internal, methodNotAllowed } from '../../api/errors.js';
import { entryVerbs, type Verb } from '../../api/resource-table.js';
import type { ApiServerDeps } from '../context.js';
import { serveWatch } from '../watch/watch-stream.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handleUpdate, type RawBody, type Reply } from './handlers.js';
import { queryBool } from './query.js';
import { parseTarget, resourceNotFound, type RequestTarget } from './request-target.js';
import type { RestContext, RestRequest } from './rest-context.js';
import { handleBinding, handleConnect, handleScale } from './subresources.js';
import { dispatchVirtual } from './virtual.js';
import { handleNamespaceFinalize } from './namespace-finalize.js';

function requireVerb(target: RequestTarget, verb: Verb): void {
  const e = target.resolved.entry;
  if (!e.storagePrefix || !entryVerbs(e).includes(verb)) throw methodNotAllowed();
}

export async function dispatch(rc: RestContext, req: RestRequest, method: string, raw: RawBody, reply: FastifyReply | undefined): Promise<Reply | undefined> {
  const t = req.target;
  if (!t.resolved.entry.storagePrefix) return dispatchVirtual(rc, req, method, raw);
  const watch = t.legacyWatch || queryBool(req.query, 'watch');
  if (t.subresource) {
    const subs = t.resolved.entry.subresources;
    if (t.subresource === 'status' && subs?.status) {
      if (method === 'GET') return handleGet(rc, req);
      if (method === 'PUT') return handleUpdate(rc, req, raw, 'status');
      if (method === 'PATCH') return handlePatch(rc, req, raw, 'status');
      throw methodNotAllowed();
    }
    if (t.subresource === 'scale' && subs?.scale) return handleScale(rc, req, method, raw);
    if (t.subresource === 'binding' && subs?.others?.includes('binding')) {
      if (method !== 'POST') throw methodNotAllowed();
      return handleBinding(rc, req, raw);
    }
    if (t.subresource === 'finalize' && subs?.others?.includes('finalize')) return handleNamespaceFinalize(rc, req, method, raw);
    if (subs?.others?.includes(t.subresource)) return handleConnect(rc, req, method, raw);
    throw resourceNotFound();
  }
  if (!t.name) {
    if (method === 'GET') {
      requireVerb(t, watch ? 'watch' : 'list');
      if (watch) {
        if (!reply) throw internal("a watch needs the HTTP reply to stream on");
        await serveWatch(rc, req, reply);
        return undefined;
      }
      return handleList(rc, req);
    }
    if (t.resolved.entry.namespaced && !t.namespace) throw resourceNotFound();
    if (method === 'POST') {
      requireVerb(t, 'create');
      return handleCreate(rc, req, raw);
    }
    if (method === 'DELETE') {
      requireVerb(t, 'deletecollection');
      return handleDeleteCollection(rc, req, raw);
    }
    throw methodNotAllowed();
  }
  switch (method) {
    case 'GET':
      requireVerb(t, watch ? 'watch' : 'get');
      if (watch) {
        if (!reply) throw internal("a watch needs the HTTP reply to stream on");
        await serveWatch(rc, req, reply);
        return undefined;
      }
      return handleGet(rc, req);
    case 'PUT':
      requireVerb(t, 'update');
      return handleUpdate(rc, req, raw, '');
    case 'PATCH':
      requireVerb(t, 'patch');
      return handlePatch(rc, req, raw, '');
    case 'DELETE':
      requireVerb(t, 'delete');
      return handleDelete(rc, req, raw);
    default:
      throw methodNotAllowed();
  }
}

/** The target of `/api/v1/<wildcard>` (core) or `/apis/<wildcard>`. */
export function targetOf(deps: ApiServerDeps, core: boolean, wildcard: string): RequestTarget {
  const segs = wildcard.split('/');
  if (core) return parseTarget(deps.table, '', 'v1', segs);
  const [group, version, ...rest] = segs;
  if (!group || !version || rest.length === 0) throw resourceNotFound();
  return parseTarget(deps.table, group, version, rest);
}

