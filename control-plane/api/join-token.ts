/**
 * The node join contract shared by the server (control-plane/pki,
 * apiserver/join) and `skiff agent` (agent/join): the token format, the
 * endpoint paths and the credential request and response bodies.
 *
 * The token is k3s's secure format:
 *   K10<sha256 hex of the CA certificate PEM>::<user>:<secret>
 * The hash lets an agent check, before it trusts anything the server
 * says, that /cacerts (fetched without verification) is the CA the token
 * was issued for; the secret authenticates the agent to the join endpoint.
 * Pure (node:crypto only).
 */
import { createHash } from 'node:crypto';

/** The CA bundle, public, as k3s serves it. */
export const CA_CERTS_PATH = '/cacerts';
/** POST with `Authorization: Bearer <token>`: issues a node's certificates. */
export const NODE_CREDENTIALS_PATH = '/skiff/v1/node-credentials';
/** The user part of node join tokens, as k3s's. */
export const NODE_TOKEN_USER = 'node';

export interface JoinToken {
  /** sha256 hex of the CA PEM, lower case. */
  caHash: string;
  user: string;
  secret: string;
}

export interface NodeCredentialsRequest {
  nodeName: string;
  nodeIP?: string;
  /** Further names or IPs the kubelet serving certificate must cover. */
  addresses?: string[];
}

export interface NodeCredentialsResponse {
  caPem: string;
  /** CN=system:node:<name>, O=system:nodes: the agent's identity. */
  clientCertPem: string;
  clientKeyPem: string;
  /** The kubelet serving certificate (CN=<name>, SANs: name, IPs). */
  servingCertPem: string;
  servingKeyPem: string;
}

export function caHashOf(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export function formatJoinToken(caPem: string, secret: string, user = NODE_TOKEN_USER): string {
  return `K10${caHashOf(caPem)}::${user}:${secret}`;
}

const TOKEN = /^K10([0-9a-f]{64})::([^:\s]+):(\S+)$/;

/** Parses a join token; throws an Error naming the expected format. */
export function parseJoinToken(token: string): JoinToken {
  const m = TOKEN.exec(token.trim());
  if (!m) throw new Error('invalid join token: expected K10<sha256 of the CA certificate>::node:<secret> (see DIR/node-token on the server)');
  return { caHash: m[1] as string, user: m[2] as string, secret: m[3] as string };
}
