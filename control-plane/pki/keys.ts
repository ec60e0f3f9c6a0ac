/**
 * Key pairs for the cluster PKI: ECDSA P-256 through Node's WebCrypto,
 * exported as PEM (PKCS#8 private keys, SPKI public keys), which Node's
 * TLS, Go's crypto/tls (kubectl) and JWT libraries all read.
 */
import { webcrypto } from 'node:crypto';

export const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export type KeyPair = webcrypto.CryptoKeyPair;

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(label: string, pem: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m || m[1] === undefined) throw new Error(`no ${label} block in PEM`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export async function generateKeyPair(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']);
}

export async function privateKeyPem(keys: KeyPair): Promise<string> {
  return toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
}

export async function publicKeyPem(keys: KeyPair): Promise<string> {
  return toPem('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', keys.publicKey));
}

/** Reads a PKCS#8 EC private key back, with its public half derived through JWK. */
export async function importKeyPair(pem: string): Promise<KeyPair> {
  const privateKey = await webcrypto.subtle.importKey('pkcs8', fromPem('PRIVATE KEY', pem), EC_ALGORITHM, true, ['sign']);
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey);
  const { d: _d, key_ops: _ops, ...pub } = jwk;
  const publicKey = await webcrypto.subtle.importKey('jwk', { ...pub, key_ops: ['verify'] }, EC_ALGORITHM, true, ['verify']);
  return { privateKey, publicKey };
}
