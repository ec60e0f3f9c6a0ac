/**
 * The authentication and authorization gate: one onRequest hook that runs
 * before every handler.
 *
 * Contract:
 * - Sets `request.user` for every request that passes.
 * - No credentials: allowed (as system:anonymous) only on the public paths
 *   /healthz, /livez, /readyz and /version (and below them); elsewhere
 *   401 Unauthorized. Rejected credentials: 401 everywhere.
 * - /cacerts and /skiff/v1/node-credentials check their own credentials
 *   (the join token) and pass through untouched, as system:anonymous.
 * - Authenticated requests go to the Authorizer with the parsed
 *   RequestInfo; a denial is a 403 Forbidden Status.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../../api/errors.js';
import { parseRequestInfo } from '../request-info.js';
import { ANONYMOUS_USER, type Authenticator } from './authenticator.js';
import { forbiddenError, type AuthorizationAttributes, type Authorizer } from './authorizer.js';
import type { UserInfo } from '../user.js';

const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz', '/version'];

/**
 * Paths whose handlers check credentials of their own (the node join
 * endpoints, apiserver/join): the hook neither authenticates nor
 * authorizes them, since their bearer token is not an API credential.
 */
const SELF_AUTHENTICATING_PATHS = ['/cacerts', '/skiff/v1/node-credentials'];

export function isSelfAuthenticatingPath(url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return SELF_AUTHENTICATING_PATHS.includes(path);
}

export function isPublicPath(url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export function installAuth(app: FastifyInstance, authenticator: Authenticator, authorizer: Authorizer): void {
  app.decorateRequest('user', undefined as unknown as FastifyRequest['user']);
  app.addHook('onRequest', async (request) => {
    if (isSelfAuthenticatingPath(request.url)) {
      request.user = ANONYMOUS_USER;
      return;
    }
    const outcome = await authenticator.authenticate(request.raw);
    if (outcome.kind === 'invalid') throw unauthorized();
    if (outcome.kind === 'none') {
      if (!isPublicPath(request.url)) throw unauthorized();
      request.user = ANONYMOUS_USER;
      return;
    }
    request.user = outcome.user;
    await authorizeRequest(authorizer, outcome.user, request.method, request.url);
  });
}

/**
 * Asks the authorizer about one request, described as upstream's
 * RequestInfo; throws 403 Forbidden when denied. Shared by the fastify hook
 * and the raw upgrade handler (where fastify hooks never run).
 */
export async function authorizeRequest(authorizer: Authorizer, user: UserInfo, method: string, url: string): Promise<void> {
  const info = parseRequestInfo(method, url);
  const attrs: AuthorizationAttributes = {
    user,
    verb: info.verb,
    resourceRequest: info.isResourceRequest,
    path: info.path,
    namespace: info.namespace,
    apiGroup: info.apiGroup,
    apiVersion: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
  const decision = await authorizer.authorize(attrs);
  if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
}
