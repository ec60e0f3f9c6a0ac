/**
 * ServiceAccount JWTs as upstream's bound tokens (pkg/serviceaccount/jwt.go
 * and claims.go): issue and verify, pure over node:crypto.
 *
 * Contract:
 * - The signing algorithm follows the key, as upstream's signer: RSA keys
 *   sign RS256, EC P-256/P-384/P-521 sign ES256/ES384/ES512 (raw r||s).
 *   Skiff's own key (DIR/tls/service-account.key) is EC P-256.
 * - The `kid` header is upstream's keyIDFromPublicKey: the unpadded
 *   base64url SHA-256 of the public key's SPKI DER, so a token names the
 *   key that verifies it.
 * - Claims are upstream's: iss, sub `system:serviceaccount:NS:NAME`, aud,
 *   exp, iat, nbf, jti and the private `kubernetes.io` claim with
 *   namespace, serviceaccount {name, uid} and, for bound tokens, pod,
 *   secret and node refs, plus `warnafter` for extended tokens.
 * - verifyServiceAccountToken checks form, issuer, signature, audience and
 *   time (with go-jose's one-minute leeway); it does not look up objects —
 *   the authenticator does that. A token whose issuer is not ours answers
 *   `mine: false` (another authenticator may own it), as upstream's
 *   hasCorrectIssuer.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** The issuer upstream's docs and k3s use by default. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The expiration the ServiceAccount admission asks for: it marks tokens upstream may extend. */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** How long an extended token lives (upstream's ExpirationExtensionSeconds, one year). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** go-jose's jwt.DefaultLeeway. */
export const LEEWAY_SECONDS = 60;

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  warnafter?: number;
}

export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': KubernetesClaim;
  nbf: number;
  sub: string;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** The groups of a ServiceAccount user: all ServiceAccounts, and those of its namespace. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

export interface ClaimsInput {
  issuer: string;
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  /** Set for extended tokens: warnafter = now + this. */
  warnAfterSeconds?: number;
  now: Date;
  /** A fresh unique id (a UUID). */
  jti: string;
}

/** Upstream's Claims(): the public and private claims of one token. */
export function buildClaims(input: ClaimsInput): ServiceAccountClaims {
  const now = Math.floor(input.now.getTime() / 1000);
  const k: KubernetesClaim = { namespace: input.namespace, serviceaccount: { ...input.serviceAccount } };
  if (input.pod) k.pod = { ...input.pod };
  else if (input.secret) k.secret = { ...input.secret };
  if (input.node) k.node = { ...input.node };
  if (input.warnAfterSeconds) k.warnafter = now + input.warnAfterSeconds;
  return {
    aud: [...input.audiences],
    exp: now + input.expirationSeconds,
    iat: now,
    iss: input.issuer,
    jti: input.jti,
    'kubernetes.io': k,
    nbf: now,
    sub: serviceAccountUsername(input.namespace, input.serviceAccount.name),
  };
}

/** upstream's keyIDFromPublicKey: base64url(sha256(SPKI DER)). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

type Alg = 'RS256' | 'ES256' | 'ES384' | 'ES512';

const HASH: Record<Alg, string> = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

function algorithmOf(key: KeyObject): Alg {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType ?? 'unknown'}: need RSA or EC P-256/P-384/P-521`);
}

function b64json(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

/** Signs ServiceAccount tokens with one private key (PEM, PKCS#8 or PKCS#1/SEC1). */
export class TokenSigner {
  readonly alg: Alg;
  readonly kid: string;
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;

  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.alg = algorithmOf(this.privateKey);
    this.kid = keyIdOf(this.publicKey);
  }

  sign(claims: ServiceAccountClaims): string {
    const input = `${b64json({ alg: this.alg, kid: this.kid })}.${b64json(claims)}`;
    const sig = sign(HASH[this.alg], Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  }
}

/** What the server signs TokenRequests with (ApiServerDeps.serviceAccountTokens). */
export interface ServiceAccountTokenIssuer {
  signer: TokenSigner;
  /** The `iss` of new tokens. */
  issuer: string;
  /** The API audiences: the default audiences of a request. */
  apiAudiences: string[];
  /** --service-account-max-token-expiration in seconds; 0: no cap. */
  maxExpirationSeconds: number;
  /** --service-account-extend-token-expiration (upstream default true). */
  extendExpiration: boolean;
  /** Fresh token ids (crypto.randomUUID). */
  newJti(): string;
}

export interface VerifyOptions {
  /** Keys that may have signed (the signer's public key, plus extra verify keys). */
  publicKeys: readonly KeyObject[];
  /** Accepted `iss` values. */
  issuers: readonly string[];
  /** The API audiences: a token must share one (tokens without aud get these). */
  audiences: readonly string[];
  now: Date;
}

export type VerifyResult =
  | { ok: true; claims: ServiceAccountClaims }
  | { ok: false; mine: boolean; reason: string };

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(s: string): unknown {
  if (!B64URL.test(s)) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function ref(v: unknown): ObjectRef | undefined {
  if (!isObject(v)) return undefined;
  return { name: typeof v.name === 'string' ? v.name : '', uid: typeof v.uid === 'string' ? v.uid : '' };
}

function asClaims(p: Record<string, unknown>): ServiceAccountClaims | undefined {
  const k = p['kubernetes.io'];
  if (!isObject(k) || typeof k.namespace !== 'string') return undefined;
  const sa = ref(k.serviceaccount);
  if (!sa || sa.name === '') return undefined;
  const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud.filter((a): a is string => typeof a === 'string') : [];
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const kc: KubernetesClaim = { namespace: k.namespace, serviceaccount: sa };
  const pod = ref(k.pod);
  const secret = ref(k.secret);
  const node = ref(k.node);
  if (pod) kc.pod = pod;
  if (secret) kc.secret = secret;
  if (node) kc.node = node;
  if (typeof k.warnafter === 'number') kc.warnafter = k.warnafter;
  return {
    aud,
    exp: num(p.exp),
    iat: num(p.iat),
    iss: typeof p.iss === 'string' ? p.iss : '',
    jti: typeof p.jti === 'string' ? p.jti : '',
    'kubernetes.io': kc,
    nbf: num(p.nbf),
    sub: typeof p.sub === 'string' ? p.sub : '',
  };
}

/** Checks a compact JWS: issuer, signature, audience and time. */
export function verifyServiceAccountToken(token: string, opts: VerifyOptions): VerifyResult {
  const notMine = (reason: string): VerifyResult => ({ ok: false, mine: false, reason });
  const parts = token.trim().split('.');
  if (parts.length !== 3) return notMine('not a JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeSegment(h);
  const payload = decodeSegment(p);
  if (!isObject(header) || !isObject(payload)) return notMine('not a JWT');
  if (typeof payload.iss !== 'string' || !opts.issuers.includes(payload.iss)) return notMine('issuer not accepted');
  const fail = (reason: string): VerifyResult => ({ ok: false, mine: true, reason });
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'ES256' && alg !== 'ES384' && alg !== 'ES512') return fail(`unsupported signing algorithm ${String(alg)}`);
  const kid = typeof header.kid === 'string' ? header.kid : '';
  const candidates = opts.publicKeys.filter((k) => kid === '' || keyIdOf(k) === kid);
  if (candidates.length === 0) return fail('invalid signature, no keys found');
  if (!B64URL.test(s)) return fail('invalid signature');
  const sig = Buffer.from(s, 'base64url');
  const data = Buffer.from(`${h}.${p}`);
  const good = candidates.some((key) => {
    try {
      return algorithmOf(key) === alg && verify(HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    } catch {
      return false;
    }
  });
  if (!good) return fail('invalid signature');
  const claims = asClaims(payload);
  if (!claims) return fail('service account token claims could not be validated');
  const tokenAuds = claims.aud.length > 0 ? claims.aud : opts.audiences;
  if (opts.audiences.length > 0 && !tokenAuds.some((a) => opts.audiences.includes(a))) {
    return fail(`token audiences ${JSON.stringify(tokenAuds)} is invalid for the target audiences ${JSON.stringify(opts.audiences)}`);
  }
  const now = Math.floor(opts.now.getTime() / 1000);
  if (claims.exp !== 0 && now - LEEWAY_SECONDS > claims.exp) return fail('service account token has expired');
  if (claims.nbf !== 0 && now + LEEWAY_SECONDS < claims.nbf) return fail('service account token is not valid yet');
  if (claims.iat !== 0 && now + LEEWAY_SECONDS < claims.iat) return fail('service account token is not valid yet');
  return { ok: true, claims };
}
