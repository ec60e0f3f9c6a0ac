/**
 * Authentication: who is calling. Authenticators, tried in order:
 * a client certificate verified against the cluster CA (CN = user name,
 * O = groups), then a bearer token from the static token file (or the
 * in-process loopback token main.ts adds), then the token authenticators
 * passed in (ServiceAccount JWTs), which may need I/O — so authenticate
 * answers synchronously when it can and with a Promise otherwise.
 *
 * Contract:
 * - `authenticate` returns `{ kind: 'user' }` for the first authenticator
 *   that accepts, `{ kind: 'none' }` when the request carries no
 *   credentials at all, and `{ kind: 'invalid' }` when it carries
 *   credentials and none were accepted (an unknown token, a certificate
 *   from another CA) — upstream answers 401 for those even on public paths.
 * - Every authenticated user is also in `system:authenticated`.
 * - The TLS socket must request a certificate without rejecting
 *   (requestCert, rejectUnauthorized false): Node then verifies the chain
 *   and reports the outcome in `socket.authorized`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import type { UserInfo } from '../user.js';
import type { TokenAuthenticator } from './service-account-authenticator.js';

export const AUTHENTICATED_GROUP = 'system:authenticated';
export const ANONYMOUS_USER: UserInfo = Object.freeze({ name: 'system:anonymous', groups: ['system:unauthenticated'] }) as UserInfo;

/** The part of an HTTP request authentication looks at. */
export interface AuthRequest {
  headers: IncomingHttpHeaders;
  socket: Socket;
}

export type AuthOutcome = { kind: 'user'; user: UserInfo } | { kind: 'none' } | { kind: 'invalid' };

export interface Authenticator {
  authenticate(req: AuthRequest): AuthOutcome | Promise<AuthOutcome>;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The user as every authenticator answers it: also in system:authenticated. */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  const groups = u.groups.includes(AUTHENTICATED_GROUP) ? [...u.groups] : [...u.groups, AUTHENTICATED_GROUP];
  return u.uid === undefined ? { name: u.name, groups } : { name: u.name, uid: u.uid, groups };
}

function isTlsSocket(s: Socket): s is TLSSocket {
  return typeof (s as Partial<TLSSocket>).getPeerCertificate === 'function';
}

type CertResult = { presented: boolean; user?: UserInfo };

/**
 * A connection's certificate never changes, so its answer is kept per
 * socket: keep-alive clients then pay for getPeerCertificate once, not on
 * every request.
 */
const perSocket = new WeakMap<Socket, CertResult>();

function fromCertificate(socket: Socket): CertResult {
  const known = perSocket.get(socket);
  if (known) return known;
  const result = readCertificate(socket);
  perSocket.set(socket, result);
  return result;
}

/** The user a verified client certificate names; undefined if none was presented or verified. */
function readCertificate(socket: Socket): CertResult {
  if (!isTlsSocket(socket)) return { presented: false };
  const cert: PeerCertificate | undefined = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return { presented: false };
  if (!socket.authorized) return { presented: true };
  // Upstream requires the client-auth usage when the certificate lists usages.
  const eku = (cert as { ext_key_usage?: string[] }).ext_key_usage;
  if (eku && eku.length > 0 && !eku.includes(CLIENT_AUTH_OID)) return { presented: true };
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
  const name = asList(subject['CN'])[0] ?? '';
  if (name === '') return { presented: true };
  return { presented: true, user: { name, groups: asList(subject['O']) } };
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^\s*bearer\s+(.+?)\s*$/i.exec(h);
  return m?.[1];
}

/** The first token authenticator that claims the token decides; none: invalid. */
async function fromTokenAuthenticators(authenticators: readonly TokenAuthenticator[], token: string): Promise<AuthOutcome> {
  for (const a of authenticators) {
    const r = await a.authenticateToken(token);
    if (r.kind === 'user') return { kind: 'user', user: withAuthenticatedGroup(r.user) };
    if (r.kind === 'invalid') return { kind: 'invalid' };
  }
  return { kind: 'invalid' };
}

/** Certificates first, then tokens from `tokens` (token → user), then `tokenAuthenticators`. */
export function newAuthenticator(tokens: ReadonlyMap<string, UserInfo>, tokenAuthenticators: readonly TokenAuthenticator[] = []): Authenticator {
  return {
    authenticate(req: AuthRequest): AuthOutcome | Promise<AuthOutcome> {
      const cert = fromCertificate(req.socket);
      if (cert.user) return { kind: 'user', user: withAuthenticatedGroup(cert.user) };
      const token = bearerToken(req.headers);
      if (token !== undefined) {
        const u = tokens.get(token);
        if (u) return { kind: 'user', user: withAuthenticatedGroup(u) };
        if (tokenAuthenticators.length > 0) return fromTokenAuthenticators(tokenAuthenticators, token);
        return { kind: 'invalid' };
      }
      // Basic auth is not supported: credentials we cannot check are invalid.
      if (req.headers.authorization !== undefined || cert.presented) return { kind: 'invalid' };
      return { kind: 'none' };
    },
  };
}
