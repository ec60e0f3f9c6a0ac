/**
 * `skiff agent --server URL --token TOKEN`: obtains the agent's identity
 * from the server, as k3s's agent does with its secure token.
 *
 * joinCluster({server, token, nodeName, nodeIP, dataDir}):
 * 1. parses the token (K10<ca sha256>::node:<secret>; api/join-token.ts);
 * 2. reuses DIR/agent/tls/* when they are for this node name, chain to a
 *    CA whose hash is the token's, and have more than 30 days left;
 * 3. otherwise fetches GET /cacerts WITHOUT verifying the server, and
 *    refuses to go on unless its sha256 is the token's hash — from then on
 *    the server is verified against that CA;
 * 4. POSTs /skiff/v1/node-credentials with the token as Bearer;
 * 5. writes DIR/agent/tls/{ca.crt, client.crt, client.key, serving.crt,
 *    serving.key} (keys 0600) and DIR/agent/kubeconfig.yaml (0600), whose
 *    user is system:node:<name> in group system:nodes.
 * Errors are JoinError with a one-line message a user can act on.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { CA_CERTS_PATH, NODE_CREDENTIALS_PATH, caHashOf, parseJoinToken, type NodeCredentialsRequest, type NodeCredentialsResponse } from '../../control-plane/api/join-token.js';
import type { Clock } from '../../control-plane/api/meta.js';

export class JoinError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JoinError';
  }
}

export interface JoinOptions {
  /** https://HOST:PORT */
  server: string;
  token: string;
  nodeName: string;
  nodeIP?: string;
  /** Further names or IPs for the serving certificate. */
  addresses?: string[];
  dataDir: string;
  clock?: Clock;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export interface JoinResult {
  tlsDir: string;
  kubeconfigPath: string;
  caPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  /** true: the certificates on disk were still good and reused. */
  reused: boolean;
}

const RENEW_BEFORE_MS = 30 * 24 * 3600_000;
const FILES = { ca: 'ca.crt', clientCert: 'client.crt', clientKey: 'client.key', servingCert: 'serving.crt', servingKey: 'serving.key' } as const;
const NODE_CLUSTER = 'skiff';
const NODE_CONTEXT = 'skiff';

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function httpsCall(url: URL, opts: { method: string; ca?: string; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method,
        headers: opts.headers,
        timeout: opts.timeoutMs,
        ...(opts.ca === undefined ? { rejectUnauthorized: false } : { ca: opts.ca, rejectUnauthorized: true }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s.message === 'string') return s.message;
  } catch {
    // not a Status
  }
  return body.slice(0, 200);
}

/** The credentials on disk, if they may be reused for this node and CA hash. */
function reusable(tlsDir: string, nodeName: string, caHash: string, now: Date): Omit<JoinResult, 'tlsDir' | 'kubeconfigPath' | 'reused'> | undefined {
  const read = (f: string): string | undefined => (existsSync(join(tlsDir, f)) ? readFileSync(join(tlsDir, f), 'utf8') : undefined);
  const caPem = read(FILES.ca);
  const clientCertPem = read(FILES.clientCert);
  const clientKeyPem = read(FILES.clientKey);
  const servingCertPem = read(FILES.servingCert);
  const servingKeyPem = read(FILES.servingKey);
  if (!caPem || !clientCertPem || !clientKeyPem || !servingCertPem || !servingKeyPem) return undefined;
  if (caHashOf(caPem) !== caHash) return undefined;
  try {
    const ca = new X509Certificate(caPem);
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    for (const [certPem, keyPem] of [[clientCertPem, clientKeyPem], [servingCertPem, servingKeyPem]] as const) {
      const c = new X509Certificate(certPem);
      if (!c.checkIssued(ca) || !c.verify(ca.publicKey)) return undefined;
      if (!spki(createPublicKey(keyPem)).equals(spki(c.publicKey))) return undefined;
      if (new Date(c.validTo).getTime() - now.getTime() <= RENEW_BEFORE_MS) return undefined;
    }
    if (!new X509Certificate(clientCertPem).subject.split('\n').includes(`CN=system:node:${nodeName}`)) return undefined;
    if (!new X509Certificate(servingCertPem).subject.split('\n').includes(`CN=${nodeName}`)) return undefined;
  } catch {
    return undefined;
  }
  return { caPem, clientCertPem, clientKeyPem, servingCertPem, servingKeyPem };
}

/** The agent's kubeconfig: the server, its CA and the node's client certificate, inline. */
export function renderNodeKubeconfig(server: string, nodeName: string, caPem: string, certPem: string, keyPem: string): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const user = `system:node:${nodeName}`;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(caPem)}`,
    `    server: ${server}`,
    `  name: ${NODE_CLUSTER}`,
    'contexts:',
    '- context:',
    `    cluster: ${NODE_CLUSTER}`,
    `    user: ${user}`,
    `  name: ${NODE_CONTEXT}`,
    `current-context: ${NODE_CONTEXT}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate-data: ${b64(certPem)}`,
    `    client-key-data: ${b64(keyPem)}`,
    '',
  ].join('\n');
}

async function fetchCredentials(server: URL, token: string, caHash: string, body: NodeCredentialsRequest, timeoutMs: number): Promise<NodeCredentialsResponse> {
  let caRes;
  try {
    caRes = await httpsCall(new URL(CA_CERTS_PATH, server), { method: 'GET', timeoutMs });
  } catch (err) {
    throw new JoinError(`cannot reach the server at ${server.origin}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (caRes.status !== 200) throw new JoinError(`the server at ${server.origin} answered ${caRes.status} for ${CA_CERTS_PATH}: is it a skiff server?`);
  const caPem = caRes.body;
  const got = caHashOf(caPem);
  if (got !== caHash) {
    throw new JoinError(`the server's CA certificate (sha256 ${got}) does not match the join token's (sha256 ${caHash}): refusing to trust ${server.origin}`);
  }
  let res;
  try {
    res = await httpsCall(new URL(NODE_CREDENTIALS_PATH, server), {
      method: 'POST',
      ca: caPem,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      timeoutMs,
    });
  } catch (err) {
    throw new JoinError(`cannot request node credentials from ${server.origin}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (res.status === 401) throw new JoinError(`the server at ${server.origin} rejected the join token (401 Unauthorized)`);
  if (res.status !== 200) throw new JoinError(`the server refused node credentials for ${body.nodeName} (${res.status}): ${statusMessage(res.body)}`);
  const creds = JSON.parse(res.body) as Partial<NodeCredentialsResponse>;
  for (const k of ['caPem', 'clientCertPem', 'clientKeyPem', 'servingCertPem', 'servingKeyPem'] as const) {
    if (typeof creds[k] !== 'string' || creds[k] === '') throw new JoinError(`the server's node credentials lack ${k}`);
  }
  if (caHashOf(creds.caPem as string) !== caHash) throw new JoinError("the node credentials' CA does not match the join token");
  return creds as NodeCredentialsResponse;
}

export async function joinCluster(opts: JoinOptions): Promise<JoinResult> {
  let parsed;
  try {
    parsed = parseJoinToken(opts.token);
  } catch (err) {
    throw new JoinError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  let server: URL;
  try {
    server = new URL(opts.server);
  } catch (err) {
    throw new JoinError(`invalid server URL ${JSON.stringify(opts.server)}: expected https://HOST:PORT`, { cause: err });
  }
  if (server.protocol !== 'https:') throw new JoinError(`invalid server URL ${JSON.stringify(opts.server)}: expected https://HOST:PORT`);
  const now = (opts.clock ?? { now: () => new Date() }).now();
  const root = join(opts.dataDir, 'agent');
  const tlsDir = join(root, 'tls');
  const kubeconfigPath = join(root, 'kubeconfig.yaml');
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });

  let creds = reusable(tlsDir, opts.nodeName, parsed.caHash, now);
  const reused = creds !== undefined;
  if (!creds) {
    const body: NodeCredentialsRequest = { nodeName: opts.nodeName };
    if (opts.nodeIP) body.nodeIP = opts.nodeIP;
    if (opts.addresses?.length) body.addresses = opts.addresses;
    creds = await fetchCredentials(server, opts.token.trim(), parsed.caHash, body, opts.timeoutMs ?? 10_000);
    writeAtomic(join(tlsDir, FILES.ca), creds.caPem, 0o644);
    writeAtomic(join(tlsDir, FILES.clientKey), creds.clientKeyPem, 0o600);
    writeAtomic(join(tlsDir, FILES.clientCert), creds.clientCertPem, 0o644);
    writeAtomic(join(tlsDir, FILES.servingKey), creds.servingKeyPem, 0o600);
    writeAtomic(join(tlsDir, FILES.servingCert), creds.servingCertPem, 0o644);
  }
  const origin = server.origin;
  writeAtomic(kubeconfigPath, renderNodeKubeconfig(origin, opts.nodeName, creds.caPem, creds.clientCertPem, creds.clientKeyPem), 0o600);
  return { tlsDir, kubeconfigPath, reused, ...creds };
}
