/**
 * Authentication and authorization of requests to the agent's HTTPS
 * server, as the kubelet does with x509 client certificates and a
 * Webhook/RBAC authorizer, reduced to what Skiff needs:
 *
 * - authentication: a client certificate that chains to the cluster CA
 *   (Node's TLS verified it; `authorized` says so). The user is its CN,
 *   the groups its O values. No certificate, or one from another CA → 401
 *   `Unauthorized` (anonymous requests are disabled, as kubeadm sets it).
 * - authorization: only the API server's kubelet client
 *   (`kube-apiserver-kubelet-client`) or a member of `system:masters`
 *   (cluster-admin) may do anything; others get 403 with upstream's text
 *   `Forbidden (user=U, verb=V, resource=nodes, subresource(s)=[S])`,
 *   the verb and subresource computed as upstream's
 *   nodeAuthorizerAttributesGetter (pkg/kubelet/server/auth.go).
 *
 * Pure except for reading the peer certificate off the socket.
 */
import type { TLSSocket } from 'node:tls';

export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
export const MASTERS_GROUP = 'system:masters';

export interface CertUser {
  name: string;
  groups: string[];
}

export type AuthDecision = { kind: 'allowed'; user: CertUser } | { kind: 'unauthorized' } | { kind: 'forbidden'; message: string };

/** The HTTP method as an API verb (upstream's mapping; others stay empty). */
export function apiVerb(method: string): string {
  switch (method.toUpperCase()) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return '';
  }
}

function isSubpath(path: string, prefix: string): boolean {
  const p = prefix.replace(/\/+$/, '');
  return path === p || path.startsWith(`${p}/`);
}

/** The nodes subresources a request path needs (any one of them allows it). */
export function subresourcesFor(path: string): string[] {
  if (isSubpath(path, '/stats')) return ['stats'];
  if (isSubpath(path, '/metrics')) return ['metrics'];
  if (isSubpath(path, '/logs')) return ['log'];
  if (isSubpath(path, '/checkpoint')) return ['checkpoint'];
  // KubeletFineGrainedAuthz: these also accept the specific subresource.
  if (isSubpath(path, '/pods')) return ['pods', 'proxy'];
  if (isSubpath(path, '/healthz')) return ['healthz', 'proxy'];
  if (isSubpath(path, '/configz')) return ['configz', 'proxy'];
  return ['proxy'];
}

function values(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** The user a verified client certificate names: CN, and O as groups. */
export function certUser(subject: unknown): CertUser | undefined {
  if (subject === null || typeof subject !== 'object') return undefined;
  const s = subject as Record<string, unknown>;
  const name = values(s['CN'])[0];
  if (name === undefined || name === '') return undefined;
  return { name, groups: values(s['O']) };
}

/** May this user do anything on the agent? */
export function isAgentAdmin(user: CertUser): boolean {
  return user.name === KUBELET_CLIENT_USER || user.groups.includes(MASTERS_GROUP);
}

/** The decision for one request given its verified (or not) peer. */
export function decide(peer: { authorized: boolean; subject: unknown }, method: string, path: string): AuthDecision {
  if (!peer.authorized) return { kind: 'unauthorized' };
  const user = certUser(peer.subject);
  if (!user) return { kind: 'unauthorized' };
  if (isAgentAdmin(user)) return { kind: 'allowed', user };
  const subs = subresourcesFor(path);
  return { kind: 'forbidden', message: `Forbidden (user=${user.name}, verb=${apiVerb(method)}, resource=nodes, subresource(s)=[${subs.join(' ')}])\n` };
}

/** Reads the peer of a TLS request socket. */
export function peerOf(socket: TLSSocket): { authorized: boolean; subject: unknown } {
  if (!socket.authorized) return { authorized: false, subject: undefined };
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return { authorized: false, subject: undefined };
  return { authorized: true, subject: cert.subject };
}
