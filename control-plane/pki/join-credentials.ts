/**
 * The server's side of node joining:
 * - ensureNodeToken(dataDir, caPem): DIR/node-token (mode 0600) holds
 *   `K10<sha256 of the CA PEM>::node:<secret>`, written on first start
 *   and kept; if the CA changed, the hash is rewritten and the secret kept.
 * - NodeCredentialIssuer: issues, with the cluster CA, a node's client
 *   certificate (CN=system:node:NAME, O=system:nodes) and its kubelet
 *   serving certificate (CN=NAME; SANs: the name, localhost, 127.0.0.1,
 *   the node IP and any given addresses). Keys are generated here and
 *   returned (the full CSR-based TLS bootstrap comes later).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { formatJoinToken, parseJoinToken, type NodeCredentialsRequest, type NodeCredentialsResponse } from '../api/join-token.js';
import type { Clock } from '../api/meta.js';
import { issueClientCert, issueServingCert, type CaMaterial } from './certificates.js';
import { importKeyPair } from './keys.js';

export const NODE_TOKEN_FILE = 'node-token';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** Reads or creates DIR/node-token; returns the token. */
export function ensureNodeToken(dataDir: string, caPem: string, random: (n: number) => Buffer = randomBytes): string {
  const path = join(dataDir, NODE_TOKEN_FILE);
  let secret: string | undefined;
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8').trim();
    try {
      const parsed = parseJoinToken(text);
      secret = parsed.secret;
      const token = formatJoinToken(caPem, secret);
      if (token === text) {
        chmodSync(path, 0o600);
        return token;
      }
    } catch {
      secret = undefined;
    }
  }
  // 32 random bytes as hex, like k3s's generated passwords.
  const token = formatJoinToken(caPem, secret ?? random(32).toString('hex'));
  writeAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** Issues node certificates with the CA in DIR/tls (read once, on first use). */
export class NodeCredentialIssuer {
  private ca: Promise<CaMaterial & { pem: string }> | undefined;

  constructor(
    private readonly tlsDir: string,
    private readonly clock: Clock,
  ) {}

  private loadCa(): Promise<CaMaterial & { pem: string }> {
    this.ca ??= (async () => {
      const pem = readFileSync(join(this.tlsDir, 'ca.crt'), 'utf8');
      return { pem, cert: new x509.X509Certificate(pem), keys: await importKeyPair(readFileSync(join(this.tlsDir, 'ca.key'), 'utf8')) };
    })();
    return this.ca;
  }

  async issue(req: NodeCredentialsRequest): Promise<NodeCredentialsResponse> {
    const ca = await this.loadCa();
    const now = this.clock.now();
    const client = await issueClientCert(ca, `${NODE_USER_PREFIX}${req.nodeName}`, [NODES_GROUP], now);
    const dns = new Set([req.nodeName, 'localhost']);
    const ips = new Set(['127.0.0.1']);
    for (const a of [req.nodeIP ?? '', ...(req.addresses ?? [])]) {
      if (a === '') continue;
      if (isIP(a)) ips.add(a);
      else dns.add(a);
    }
    const serving = await issueServingCert(ca, req.nodeName, { dns: [...dns], ips: [...ips] }, now);
    return {
      caPem: ca.pem,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
      servingCertPem: serving.certPem,
      servingKeyPem: serving.keyPem,
    };
  }
}
