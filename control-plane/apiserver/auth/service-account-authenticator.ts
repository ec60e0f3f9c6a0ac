/**
 * The ServiceAccount token authenticator, as upstream's
 * JWTTokenAuthenticator with the lookup validator (pkg/serviceaccount):
 * a Bearer JWT signed by one of our keys, issued by our issuer and meant
 * for the API audiences authenticates as
 *   name   system:serviceaccount:NS:NAME
 *   uid    the ServiceAccount's uid
 *   groups system:serviceaccounts, system:serviceaccounts:NS
 * — but only while the ServiceAccount (and, for bound tokens, the Pod or
 * Secret) still exists with the uid the token names and was not deleted
 * more than a minute ago. Those lookups go through an ObjectLookup
 * (service-account-lookup.ts caches store reads for a few seconds, as
 * upstream reads informer caches).
 *
 * Contract: authenticateToken answers `skip` for tokens that are not ours
 * (not a JWT, another issuer) so the next authenticator may try, `invalid`
 * (with upstream's reason) for ours that fail, `user` otherwise.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock, KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../user.js';
import { LEEWAY_SECONDS, serviceAccountGroups, serviceAccountUsername, verifyServiceAccountToken } from './service-account-token.js';

export type TokenOutcome = { kind: 'user'; user: UserInfo } | { kind: 'skip' } | { kind: 'invalid'; reason: string };

/** A bearer-token authenticator that may need I/O. */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<TokenOutcome>;
}

export type LookupKind = 'serviceaccounts' | 'pods' | 'secrets';

/** Reads the objects a token refers to; undefined when absent. */
export interface ObjectLookup {
  get(kind: LookupKind, namespace: string, name: string): Promise<KubeObject | undefined>;
}

export interface ServiceAccountAuthenticatorOptions {
  publicKeys: readonly KeyObject[];
  issuers: readonly string[];
  /** The API audiences (--api-audiences; default the issuer). */
  audiences: readonly string[];
  lookup: ObjectLookup;
  clock: Clock;
}

function deletedBefore(obj: KubeObject, limitMs: number): boolean {
  const ts = obj.metadata.deletionTimestamp;
  return typeof ts === 'string' && Date.parse(ts) < limitMs;
}

export function newServiceAccountAuthenticator(opts: ServiceAccountAuthenticatorOptions): TokenAuthenticator {
  return {
    async authenticateToken(token: string): Promise<TokenOutcome> {
      const now = opts.clock.now();
      const v = verifyServiceAccountToken(token, { publicKeys: opts.publicKeys, issuers: opts.issuers, audiences: opts.audiences, now });
      if (!v.ok) return v.mine ? { kind: 'invalid', reason: v.reason } : { kind: 'skip' };
      const k = v.claims['kubernetes.io'];
      const ns = k.namespace;
      const sa = k.serviceaccount;
      const limit = now.getTime() - LEEWAY_SECONDS * 1000;

      const account = await opts.lookup.get('serviceaccounts', ns, sa.name);
      if (!account) return { kind: 'invalid', reason: `serviceaccounts "${sa.name}" not found` };
      if (deletedBefore(account, limit)) return { kind: 'invalid', reason: `service account ${ns}/${sa.name} has been deleted` };
      if (account.metadata.uid !== sa.uid) {
        return { kind: 'invalid', reason: `service account UID (${account.metadata.uid ?? ''}) does not match claim (${sa.uid})` };
      }
      if (k.secret) {
        const secret = await opts.lookup.get('secrets', ns, k.secret.name);
        if (!secret || deletedBefore(secret, limit)) return { kind: 'invalid', reason: 'service account token has been invalidated' };
        if (secret.metadata.uid !== k.secret.uid) {
          return { kind: 'invalid', reason: `secret UID (${secret.metadata.uid ?? ''}) does not match service account secret ref claim (${k.secret.uid})` };
        }
      }
      if (k.pod) {
        const pod = await opts.lookup.get('pods', ns, k.pod.name);
        if (!pod || deletedBefore(pod, limit)) return { kind: 'invalid', reason: 'service account token has been invalidated' };
        if (pod.metadata.uid !== k.pod.uid) {
          return { kind: 'invalid', reason: `pod UID (${pod.metadata.uid ?? ''}) does not match service account pod ref claim (${k.pod.uid})` };
        }
      }
      return { kind: 'user', user: { name: serviceAccountUsername(ns, sa.name), uid: sa.uid, groups: serviceAccountGroups(ns) } };
    },
  };
}
