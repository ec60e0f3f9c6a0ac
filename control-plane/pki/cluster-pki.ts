/**
 * The cluster's certificates and keys under DIR/tls/, created on first
 * start and reused afterwards:
 *
 *   ca.crt ca.key                 cluster CA (everything chains to it)
 *   server.crt server.key         serving certificate (SANs from host-names.ts)
 *   admin.crt admin.key           client certificate CN=admin, O=system:masters
 *   service-account.key/.pub      ServiceAccount token signing key pair
 *
 * Contract: keys are written with mode 0600, certificates 0644, each file
 * atomically (temp file + rename). On restart every file is reused; the
 * serving certificate is reissued (by the same CA) only when its SAN set
 * differs from the wanted one or it expires within 30 days, and the admin
 * certificate only when it expires within 30 days. A CA that does not
 * verify its own leaf certificates makes them reissue too.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../api/meta.js';
import { createCa, issueClientCert, issueServingCert, type CaMaterial, type IssuedCert, type SubjectAltNames } from './certificates.js';
import { generateKeyPair, importKeyPair, privateKeyPem, publicKeyPem } from './keys.js';

export const ADMIN_USER = 'admin';
export const ADMIN_GROUP = 'system:masters';
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

export interface ClusterPki {
  dir: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  serviceAccountKeyPath: string;
  serviceAccountPublicKeyPath: string;
  /** Which files this start created or reissued (for the log). */
  generated: string[];
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Node prints IPv6 SANs in full form; compare names in one canonical spelling. */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

/** The SANs of a PEM certificate as sorted DNS and IP lists (IPv6 in short form). */
export function certificateNames(certPem: string): SubjectAltNames {
  const c = new X509Certificate(certPem);
  const dns: string[] = [];
  const ips: string[] = [];
  for (const part of (c.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) dns.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ips.push(canonicalIp(part.slice(11).toLowerCase()));
  }
  return { dns: dns.sort(), ips: ips.sort() };
}

function sameNames(a: SubjectAltNames, b: SubjectAltNames): boolean {
  const key = (n: SubjectAltNames) => JSON.stringify([n.dns.map((d) => d.toLowerCase()).sort(), n.ips.map(canonicalIp).sort()]);
  return key(a) === key(b);
}

function usable(certPem: string | undefined, keyPem: string | undefined, caPem: string, now: Date): certPem is string {
  if (certPem === undefined || keyPem === undefined) return false;
  try {
    const c = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!c.checkIssued(ca) || !c.verify(ca.publicKey)) return false;
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    if (!spki(createPublicKey(keyPem)).equals(spki(c.publicKey))) return false;
    return new Date(c.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

export async function ensureClusterPki(dataDir: string, sans: SubjectAltNames, clock: Clock): Promise<ClusterPki> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (name: string) => join(dir, name);
  const generated: string[] = [];
  const now = clock.now();
  const save = (name: string, issued: IssuedCert) => {
    writeAtomic(p(`${name}.key`), issued.keyPem, 0o600);
    writeAtomic(p(`${name}.crt`), issued.certPem, 0o644);
    generated.push(`${name}.crt`);
  };

  let ca: CaMaterial;
  let caPem = readIfExists(p('ca.crt'));
  const caKeyPem = readIfExists(p('ca.key'));
  if (caPem !== undefined && caKeyPem !== undefined) {
    ca = { cert: new x509.X509Certificate(caPem), keys: await importKeyPair(caKeyPem) };
  } else {
    const created = await createCa(`skiff-ca@${Math.floor(now.getTime() / 1000)}`, now);
    ca = created.ca;
    caPem = created.issued.certPem;
    save('ca', created.issued);
  }

  let serverPem = readIfExists(p('server.crt'));
  let serverKey = readIfExists(p('server.key'));
  if (!usable(serverPem, serverKey, caPem, now) || !sameNames(certificateNames(serverPem), sans)) {
    const issued = await issueServingCert(ca, 'skiff-apiserver', sans, now);
    save('server', issued);
    serverPem = issued.certPem;
    serverKey = issued.keyPem;
  }

  let adminPem = readIfExists(p('admin.crt'));
  let adminKey = readIfExists(p('admin.key'));
  if (!usable(adminPem, adminKey, caPem, now)) {
    const issued = await issueClientCert(ca, ADMIN_USER, [ADMIN_GROUP], now);
    save('admin', issued);
    adminPem = issued.certPem;
    adminKey = issued.keyPem;
  }

  const saKey = p('service-account.key');
  const saPub = p('service-account.pub');
  if (!existsSync(saKey)) {
    const keys = await generateKeyPair();
    writeAtomic(saKey, await privateKeyPem(keys), 0o600);
    writeAtomic(saPub, await publicKeyPem(keys), 0o644);
    generated.push('service-account.key');
  } else if (!existsSync(saPub)) {
    writeAtomic(saPub, await publicKeyPem(await importKeyPair(readFileSync(saKey, 'utf8'))), 0o644);
  }

  return {
    dir,
    caCertPem: caPem,
    serverCertPem: serverPem,
    serverKeyPem: serverKey ?? '',
    adminCertPem: adminPem,
    adminKeyPem: adminKey ?? '',
    serviceAccountKeyPath: saKey,
    serviceAccountPublicKeyPath: saPub,
    generated,
  };
}
