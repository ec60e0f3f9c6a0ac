import assert from 'node:assert/strict';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  buildClaims,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  keyIdOf,
  serviceAccountGroups,
  TokenSigner,
  verifyServiceAccountToken,
  type ClaimsInput,
} from './service-account-token.js';

const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const NOW = new Date('2026-01-01T00:00:00Z');
const API_AUDS = [DEFAULT_SERVICE_ACCOUNT_ISSUER];

function input(over: Partial<ClaimsInput> = {}): ClaimsInput {
  return {
    issuer: DEFAULT_SERVICE_ACCOUNT_ISSUER,
    namespace: 'default',
    serviceAccount: { name: 'default', uid: 'sa-uid' },
    audiences: API_AUDS,
    expirationSeconds: 3600,
    now: NOW,
    jti: 'jti-1',
    ...over,
  };
}

function decode(token: string, i: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString()) as Record<string, unknown>;
}

describe('service account tokens', () => {
  it('builds the claims of an upstream bound token', () => {
    const c = buildClaims(input({ pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' } }));
    const t = NOW.getTime() / 1000;
    assert.equal(c.sub, 'system:serviceaccount:default:default');
    assert.deepEqual([c.iat, c.nbf, c.exp], [t, t, t + 3600]);
    assert.deepEqual(c['kubernetes.io'], {
      namespace: 'default',
      serviceaccount: { name: 'default', uid: 'sa-uid' },
      pod: { name: 'web', uid: 'pod-uid' },
      node: { name: 'n1', uid: 'node-uid' },
    });
    assert.deepEqual(serviceAccountGroups('default'), ['system:serviceaccounts', 'system:serviceaccounts:default']);
  });

  it('sets warnafter only for extended tokens', () => {
    const c = buildClaims(input({ expirationSeconds: 365 * 24 * 3600, warnAfterSeconds: 3607 }));
    assert.equal(c['kubernetes.io'].warnafter, NOW.getTime() / 1000 + 3607);
    assert.equal(buildClaims(input())['kubernetes.io'].warnafter, undefined);
  });

  it('signs ES256 with an EC key and names the key by the hash of its SPKI', () => {
    const signer = new TokenSigner(ecPem);
    const token = signer.sign(buildClaims(input()));
    const header = decode(token, 0);
    assert.equal(header.alg, 'ES256');
    const spki = signer.publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(header.kid, createHash('sha256').update(spki).digest('base64url'));
    assert.equal(keyIdOf(signer.publicKey), header.kid);
    assert.equal(Buffer.from(token.split('.')[2]!, 'base64url').length, 64);
  });

  it('signs RS256 with an RSA key and verifies it', () => {
    const signer = new TokenSigner(rsaPem);
    assert.equal(signer.alg, 'RS256');
    const r = verifyServiceAccountToken(signer.sign(buildClaims(input())), { publicKeys: [signer.publicKey], issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER], audiences: API_AUDS, now: NOW });
    assert.equal(r.ok, true);
  });

  it('verifies its own token and returns the claims', () => {
    const signer = new TokenSigner(ecPem);
    const r = verifyServiceAccountToken(signer.sign(buildClaims(input())), { publicKeys: [signer.publicKey], issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER], audiences: API_AUDS, now: NOW });
    assert.ok(r.ok);
    assert.equal(r.claims['kubernetes.io'].serviceaccount.uid, 'sa-uid');
  });

  it('leaves tokens of other issuers and non-JWTs to other authenticators', () => {
    const signer = new TokenSigner(ecPem);
    const opts = { publicKeys: [signer.publicKey], issuers: ['https://other'], audiences: API_AUDS, now: NOW };
    const r = verifyServiceAccountToken(signer.sign(buildClaims(input())), opts);
    assert.deepEqual(r.ok ? undefined : r.mine, false);
    const s = verifyServiceAccountToken('abc123', opts);
    assert.deepEqual(s.ok ? undefined : s.mine, false);
  });

  it('rejects a token signed by another key', () => {
    const ours = new TokenSigner(ecPem);
    const theirs = new TokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const r = verifyServiceAccountToken(theirs.sign(buildClaims(input())), { publicKeys: [ours.publicKey], issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER], audiences: API_AUDS, now: NOW });
    assert.deepEqual(r, { ok: false, mine: true, reason: 'invalid signature, no keys found' });
  });

  it('rejects a tampered payload', () => {
    const signer = new TokenSigner(ecPem);
    const [h, , s] = signer.sign(buildClaims(input())).split('.');
    const forged = Buffer.from(JSON.stringify(buildClaims(input({ serviceAccount: { name: 'admin', uid: 'x' } })))).toString('base64url');
    const r = verifyServiceAccountToken(`${h}.${forged}.${s}`, { publicKeys: [signer.publicKey], issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER], audiences: API_AUDS, now: NOW });
    assert.deepEqual(r, { ok: false, mine: true, reason: 'invalid signature' });
  });

  it('rejects expired and not-yet-valid tokens beyond a minute of leeway', () => {
    const signer = new TokenSigner(ecPem);
    const token = signer.sign(buildClaims(input({ expirationSeconds: 600 })));
    const at = (ms: number) =>
      verifyServiceAccountToken(token, { publicKeys: [signer.publicKey], issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER], audiences: API_AUDS, now: new Date(NOW.getTime() + ms) });
    assert.equal(at(630_000).ok, true);
    assert.deepEqual(at(661_000), { ok: false, mine: true, reason: 'service account token has expired' });
    assert.equal(at(-30_000).ok, true);
    assert.deepEqual(at(-61_000), { ok: false, mine: true, reason: 'service account token is not valid yet' });
  });

  it('rejects a token for another audience', () => {
    const signer = new TokenSigner(ecPem);
    const token = signer.sign(buildClaims(input({ audiences: ['vault'] })));
    const r = verifyServiceAccountToken(token, { publicKeys: [signer.publicKey], issuers: [DEFAULT_SERVICE_ACCOUNT_ISSUER], audiences: API_AUDS, now: NOW });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /token audiences \["vault"\] is invalid/);
  });
});
