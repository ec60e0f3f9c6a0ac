/**
 * The node join endpoints on the API port (outside /api, as k3s's
 * supervisor paths):
 * - GET /cacerts: the cluster CA PEM, public. An agent hashes it and
 *   compares with its join token before trusting the server.
 * - POST /skiff/v1/node-credentials with `Authorization: Bearer <join
 *   token>` and a JSON body {nodeName, nodeIP?, addresses?}: 200 with
 *   NodeCredentialsResponse (api/join-token.ts). A missing or wrong token
 *   is a 401 Unauthorized Status (the secret compared in constant time);
 *   a bad body a 400 BadRequest Status.
 * The auth hook leaves both paths to these handlers (auth-hook.ts), and
 * the issuing itself is injected (control-plane/pki does it) so the
 * apiserver never touches CA keys.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { badRequest, unauthorized } from '../../api/errors.js';
import { CA_CERTS_PATH, NODE_CREDENTIALS_PATH, parseJoinToken, type NodeCredentialsRequest, type NodeCredentialsResponse } from '../../api/join-token.js';
import { isDNS1123Subdomain } from '../../api/validation.js';

export interface JoinRoutesOptions {
  caPem: string;
  /** The node token (DIR/node-token). */
  nodeToken: string;
  issue(req: NodeCredentialsRequest): Promise<NodeCredentialsResponse>;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Does the presented bearer token carry our secret (and, if it names one, our CA hash)? */
export function joinTokenMatches(presented: string, ours: string): boolean {
  let p;
  let o;
  try {
    p = parseJoinToken(presented);
    o = parseJoinToken(ours);
  } catch {
    return false;
  }
  const secretOk = timingSafeEqual(digest(p.secret), digest(o.secret));
  return secretOk && p.user === o.user && p.caHash === o.caHash;
}

function parseRequest(body: unknown): NodeCredentialsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object {nodeName, nodeIP?}');
  const b = body as Record<string, unknown>;
  const nodeName = b.nodeName;
  if (typeof nodeName !== 'string' || nodeName === '') throw badRequest('nodeName is required');
  const nameErrs = isDNS1123Subdomain(nodeName);
  if (nameErrs.length > 0) throw badRequest(`invalid nodeName ${JSON.stringify(nodeName)}: ${nameErrs.join('; ')}`);
  const out: NodeCredentialsRequest = { nodeName };
  if (b.nodeIP !== undefined && b.nodeIP !== '') {
    if (typeof b.nodeIP !== 'string' || !isIP(b.nodeIP)) throw badRequest(`invalid nodeIP ${JSON.stringify(b.nodeIP)}: must be an IP address`);
    out.nodeIP = b.nodeIP;
  }
  if (b.addresses !== undefined) {
    if (!Array.isArray(b.addresses) || b.addresses.some((a) => typeof a !== 'string' || (!isIP(a) && isDNS1123Subdomain(a).length > 0))) {
      throw badRequest('addresses must be a list of IP addresses and DNS names');
    }
    out.addresses = b.addresses as string[];
  }
  return out;
}

export function registerJoinRoutes(app: FastifyInstance, opts: JoinRoutesOptions): void {
  app.get(CA_CERTS_PATH, async (_request, reply) => reply.code(200).type('text/plain; charset=utf-8').send(opts.caPem));

  app.post(NODE_CREDENTIALS_PATH, async (request, reply) => {
    const h = request.headers.authorization;
    const m = typeof h === 'string' ? /^\s*bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m || !joinTokenMatches(m[1] as string, opts.nodeToken)) throw unauthorized();
    const req = parseRequest(request.body);
    const creds = await opts.issue(req);
    return reply.code(200).type('application/json').send(JSON.stringify(creds));
  });
}
