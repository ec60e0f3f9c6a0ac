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
import { unsupportedMediaType } from '../../api/errors.js';
import type { ApiServerDeps, UserInfo } from '../context.js';
import { sendStatusError } from '../error-handler.js';
import { WatchCaches } from '../watch/watch-caches.js';
import { defaultWatchStreamOptions } from '../watch/watch-options.js';
import type { Query } from './query.js';
import type { RestContext, RestOptions, RestRequest } from './rest-context.js';
import { dispatch, targetOf } from './dispatch.js';
import { directDispatcher, type DirectDispatcher } from './direct-dispatch.js';
import { negotiateOutput } from '../tables/negotiate.js';
import { renderResponse } from '../tables/transform.js';

export type { PatchApplier, PatchContext } from '../patch/registry.js';
export { registerPatchType } from '../patch/registry.js';
export type { RestOptions } from './rest-context.js';

export const BODY_TYPES = [
  'application/json',
  'application/yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Registers the routes; answers the in-process direct path over the same
 * handlers and watch caches (the loopback transport's fast lane).
 */
export function registerResourceRoutes(app: FastifyInstance, deps: ApiServerDeps, options: RestOptions = {}): DirectDispatcher {
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
  // fastify's default bodyLimit is 1 MiB; the server sets its own.
  return directDispatcher(rc, BODY_TYPES, app.initialConfig.bodyLimit ?? 1024 * 1024);
}
