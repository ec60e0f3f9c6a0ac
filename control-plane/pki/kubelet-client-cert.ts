/**
 * The apiserver's client certificate for talking to node agents (upstream's
 * `apiserver-kubelet-client`): CN=kube-apiserver-kubelet-client,
 * O=system:masters, signed by the cluster CA, kept as
 * DIR/tls/apiserver-kubelet-client.{crt,key}.
 *
 * Contract: ensureKubeletClientCert(tlsDir, clock) reads the CA written by
 * ensureClusterPki (call it first), reuses the pair while it chains to that
 * CA, matches its key and is valid for more than 30 days, and otherwise
 * issues a new one. Keys are written 0600, certificates 0644, atomically.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../api/meta.js';
import { issueClientCert } from './certificates.js';
import { importKeyPair } from './keys.js';

export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
export const KUBELET_CLIENT_GROUP = 'system:masters';
const BASENAME = 'apiserver-kubelet-client';
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

export interface KubeletClientCert {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function stillGood(certPem: string, keyPem: string, caPem: string, now: Date): boolean {
  try {
    const c = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!c.checkIssued(ca) || !c.verify(ca.publicKey)) return false;
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    if (!spki(createPublicKey(keyPem)).equals(spki(c.publicKey))) return false;
    if (!c.subject.split('\n').includes(`CN=${KUBELET_CLIENT_USER}`)) return false;
    return new Date(c.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

export async function ensureKubeletClientCert(tlsDir: string, clock: Clock): Promise<KubeletClientCert> {
  const certPath = join(tlsDir, `${BASENAME}.crt`);
  const keyPath = join(tlsDir, `${BASENAME}.key`);
  const caPem = readFileSync(join(tlsDir, 'ca.crt'), 'utf8');
  const now = clock.now();
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(keyPath, 'utf8');
    if (stillGood(certPem, keyPem, caPem, now)) return { certPem, keyPem, certPath, keyPath };
  }
  const ca = { cert: new x509.X509Certificate(caPem), keys: await importKeyPair(readFileSync(join(tlsDir, 'ca.key'), 'utf8')) };
  const issued = await issueClientCert(ca, KUBELET_CLIENT_USER, [KUBELET_CLIENT_GROUP], now);
  writeAtomic(keyPath, issued.keyPem, 0o600);
  writeAtomic(certPath, issued.certPem, 0o644);
  return { certPem: issued.certPem, keyPem: issued.keyPem, certPath, keyPath };
}
