import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { newBuiltinTable } from '../../api/resources/index.js';
import { MemoryStore } from '../../../test/helpers/memory-store.js';
import { newServiceAccountAuthenticator } from './service-account-authenticator.js';
import { cachedStoreLookup } from './service-account-lookup.js';
import { buildClaims, DEFAULT_SERVICE_ACCOUNT_ISSUER, TokenSigner, type ObjectRef } from './service-account-token.js';

const table = newBuiltinTable();
const signer = new TokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
const ISS = DEFAULT_SERVICE_ACCOUNT_ISSUER;

function setup() {
  let now = new Date('2026-03-01T00:00:00Z');
  const clock = { now: () => now };
  const store = new MemoryStore();
  const auth = newServiceAccountAuthenticator({
    publicKeys: [signer.publicKey],
    issuers: [ISS],
    audiences: [ISS],
    lookup: cachedStoreLookup({ store, table, clock }, 2000),
    clock,
  });
  const put = (kind: string, name: string, uid: string, extra: Record<string, unknown> = {}) =>
    store.create(`/registry/${kind}/default/${name}`, JSON.stringify({ metadata: { name, namespace: 'default', uid, ...extra } }));
  const token = (over: { pod?: ObjectRef; secret?: ObjectRef; sa?: ObjectRef; aud?: string[] } = {}) =>
    signer.sign(buildClaims({
      issuer: ISS, namespace: 'default', serviceAccount: over.sa ?? { name: 'default', uid: 'sa-1' }, pod: over.pod, secret: over.secret,
      audiences: over.aud ?? [ISS], expirationSeconds: 3600, now, jti: 'j',
    }));
  return { auth, store, put, token, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('ServiceAccount token authenticator', () => {
  it('authenticates as the ServiceAccount with its uid and groups', async () => {
    const s = setup();
    await s.put('serviceaccounts', 'default', 'sa-1');
    assert.deepEqual(await s.auth.authenticateToken(s.token()), {
      kind: 'user',
      user: { name: 'system:serviceaccount:default:default', uid: 'sa-1', groups: ['system:serviceaccounts', 'system:serviceaccounts:default'] },
    });
  });

  it('skips tokens that are not ours', async () => {
    const s = setup();
    assert.deepEqual(await s.auth.authenticateToken('static-token-value'), { kind: 'skip' });
  });

  it('refuses a token whose ServiceAccount is gone or was recreated', async () => {
    const s = setup();
    assert.deepEqual(await s.auth.authenticateToken(s.token()), { kind: 'invalid', reason: 'serviceaccounts "default" not found' });
    s.advance(3000);
    await s.put('serviceaccounts', 'default', 'sa-2');
    assert.deepEqual(await s.auth.authenticateToken(s.token()), { kind: 'invalid', reason: 'service account UID (sa-2) does not match claim (sa-1)' });
  });

  it('refuses a pod-bound token once the pod is gone, after the cache expires', async () => {
    const s = setup();
    await s.put('serviceaccounts', 'default', 'sa-1');
    await s.put('pods', 'web', 'pod-1');
    const t = s.token({ pod: { name: 'web', uid: 'pod-1' } });
    assert.equal((await s.auth.authenticateToken(t)).kind, 'user');
    await s.store.delete('/registry/pods/default/web');
    assert.equal((await s.auth.authenticateToken(t)).kind, 'user', 'still cached');
    s.advance(2500);
    assert.deepEqual(await s.auth.authenticateToken(t), { kind: 'invalid', reason: 'service account token has been invalidated' });
  });

  it('accepts a pod being deleted for up to a minute, then refuses it', async () => {
    const s = setup();
    await s.put('serviceaccounts', 'default', 'sa-1');
    await s.put('pods', 'web', 'pod-1', { deletionTimestamp: '2026-03-01T00:00:00Z' });
    const t = s.token({ pod: { name: 'web', uid: 'pod-1' } });
    assert.equal((await s.auth.authenticateToken(t)).kind, 'user');
    s.advance(61_000);
    assert.equal((await s.auth.authenticateToken(t)).kind, 'invalid');
  });

  it('refuses a secret-bound token whose secret uid changed', async () => {
    const s = setup();
    await s.put('serviceaccounts', 'default', 'sa-1');
    await s.put('secrets', 'tok', 'sec-2');
    assert.deepEqual(await s.auth.authenticateToken(s.token({ secret: { name: 'tok', uid: 'sec-1' } })), {
      kind: 'invalid',
      reason: 'secret UID (sec-2) does not match service account secret ref claim (sec-1)',
    });
  });

  it('refuses tokens for other audiences', async () => {
    const s = setup();
    await s.put('serviceaccounts', 'default', 'sa-1');
    assert.equal((await s.auth.authenticateToken(s.token({ aud: ['vault'] }))).kind, 'invalid');
  });
});
