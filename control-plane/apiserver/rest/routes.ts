/**
 * The generic REST API of every resource in the table:
 *   /api/v1/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
 *   /apis/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]
 * registered in one encapsulated fastify plug-in with its own body parsers
 * (every body is read as a raw Buffer within the server's bodyLimit and
 * decoded by the handler, Kubernetes protobuf included; unknown media
 * types answer 415) and
 * the shared Status error handler.
 *
 * Entry point: registerResourceRoutes(app, deps[, options]). The watch
 * caches it creates stop when the app closes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { methodNotAllowed, unsupportedMediaType } from '../../api/errors.js';
import { entryVerbs, type Verb } from '../../api/resource-table.js';
import type { ApiServerDeps, UserInfo } from '../context.js';
import { sendStatusError } from '../error-handler.js';
import { WatchCaches } from '../watch/watch-caches.js';
import { defaultWatchStreamOptions } from '../watch/watch-options.js';
import { serveWatch } from '../watch/watch-stream.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handleUpdate, type RawBody, type Reply } from './handlers.js';
import { queryBool, type Query } from './query.js';
import { parseTarget, resourceNotFound, type RequestTarget } from './request-target.js';
import type { RestContext, RestOptions, RestRequest } from './rest-context.js';
import { handleBinding, handleConnect, handleScale } from './subresources.js';
import { dispatchVirtual } from './virtual.js';
import { handleNamespaceFinalize } from './namespace-finalize.js';
import { negotiateOutput } from '../tables/negotiate.js';
import { renderResponse } from '../tables/transform.js';

export type { PatchApplier, PatchContext } from '../patch/registry.js';
export { registerPatchType } from '../patch/registry.js';
export type { RestOptions } from './rest-context.js';

const BODY_TYPES = [
  'application/json',
  'application/yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function requireVerb(target: RequestTarget, verb: Verb): void {
  const e = target.resolved.entry;
  if (!e.storagePrefix || !entryVerbs(e).includes(verb)) throw methodNotAllowed();
}

async function dispatch(rc: RestContext, req: RestRequest, method: string, raw: RawBody, reply: FastifyReply): Promise<Reply | undefined> {
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

function targetOf(deps: ApiServerDeps, core: boolean, wildcard: string): RequestTarget {
  const segs = wildcard.split('/');
  if (core) return parseTarget(deps.table, '', 'v1', segs);
  const [group, version, ...rest] = segs;
  if (!group || !version || rest.length === 0) throw resourceNotFound();
  return parseTarget(deps.table, group, version, rest);
}

export function registerResourceRoutes(app: FastifyInstance, deps: ApiServerDeps, options: RestOptions = {}): void {
  const caches = new WatchCaches(deps.store, {
    maxEvents: options.watchHistoryEvents ?? 10_000,
    maxAgeMs: options.watchHistoryMs ?? 5 * 60_000,
    clock: deps.clock,
  });
  const rc: RestContext = { deps, caches, watch: { ...defaultWatchStreamOptions, ...options.watch } };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(BODY_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // Protobuf bodies (kubectl >= 1.32) are decoded by the handler (body.ts) like JSON.
    scope.addContentTypeParser('application/vnd.kubernetes.protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // No Content-Type at all (client-go's scale client sends none) means JSON, as upstream negotiates it.
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
      const ct = req.headers['content-type'];
      if (ct === undefined || ct.trim() === '') done(null, body);
      else done(unsupportedMediaType(ct));
    });
    scope.setErrorHandler((err, request, reply) => sendStatusError(err, request, reply));
    scope.addHook('onClose', async () => caches.closeAll());

    const handler = (core: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Record<string, string | undefined>;
      const target = targetOf(deps, core, params['*'] ?? '');
      const req: RestRequest = { target, user: request.user ?? ANONYMOUS, query: (request.query ?? {}) as Query, userAgent: request.headers['user-agent'] };
      const output = negotiateOutput(request.headers.accept, req.query);
      const out = await dispatch(rc, req, request.method, { body: request.body, contentType: request.headers['content-type'] }, reply);
      if (out === undefined) return reply;
      if (out.warnings?.length) void reply.header('warning', out.warnings);
      const res = renderResponse(output, target.resolved, out.body, deps.clock.now());
      return reply.code(out.code).type(res.contentType).send(res.text);
    };
    scope.route({ method: [...METHODS], url: '/api/v1/*', handler: handler(true) });
    scope.route({ method: [...METHODS], url: '/apis/*', handler: handler(false) });
  });
}
