/**
 * Certificate issuance for the cluster PKI (@peculiar/x509 over Node's
 * WebCrypto): a self-signed CA, serving certificates with SANs, and client
 * certificates whose CN is the user and O the groups (how the apiserver's
 * x509 authenticator reads them).
 *
 * Contract: every function takes the current time from the caller, so
 * tests control validity; notBefore is an hour early to tolerate clock
 * skew between hosts. Output is PEM.
 */
import { webcrypto, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { generateKeyPair, privateKeyPem, SIGNING_ALGORITHM, type KeyPair } from './keys.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const HOUR = 3600_000;
const DAY = 24 * HOUR;
export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

export interface CaMaterial {
  cert: x509.X509Certificate;
  keys: KeyPair;
}

export interface SubjectAltNames {
  dns: string[];
  ips: string[];
}

/** A positive random serial (high bit clear), 16 bytes as hex. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

/** Escapes characters RFC 4514 treats specially in a distinguished-name value. */
function dnValue(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1');
}

export async function createCa(commonName: string, now: Date): Promise<{ ca: CaMaterial; issued: IssuedCert }> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${dnValue(commonName)}`,
    notBefore: new Date(now.getTime() - HOUR),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { ca: { cert, keys }, issued: { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys) } };
}

async function issue(
  ca: CaMaterial,
  subject: string,
  usage: x509.ExtendedKeyUsage,
  now: Date,
  sans?: SubjectAltNames,
): Promise<IssuedCert> {
  const keys = await generateKeyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([usage]),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (sans) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...sans.dns.map((value) => ({ type: 'dns' as const, value })),
        ...sans.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const notAfter = Math.min(now.getTime() + LEAF_VALIDITY_DAYS * DAY, ca.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - HOUR),
    notAfter: new Date(notAfter),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys) };
}

export function issueServingCert(ca: CaMaterial, commonName: string, sans: SubjectAltNames, now: Date): Promise<IssuedCert> {
  return issue(ca, `CN=${dnValue(commonName)}`, x509.ExtendedKeyUsage.serverAuth, now, sans);
}

/** A client certificate: CN = user, one O per group. */
export function issueClientCert(ca: CaMaterial, user: string, groups: string[], now: Date): Promise<IssuedCert> {
  const subject = [...groups.map((g) => `O=${dnValue(g)}`), `CN=${dnValue(user)}`].join(', ');
  return issue(ca, subject, x509.ExtendedKeyUsage.clientAuth, now);
}
