/**
 * POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: TokenRequest, as
 * upstream's TokenREST (pkg/registry/core/serviceaccount/storage/token.go).
 *
 * In: an authentication.k8s.io/v1 TokenRequest (spec.audiences,
 * spec.expirationSeconds, spec.boundObjectRef). Out (201): the same
 * object with the defaulted spec and status.token and
 * status.expirationTimestamp.
 * - expirationSeconds defaults to 3600 and must be 600..2^32 (422
 *   Invalid); above --service-account-max-token-expiration it is shortened
 *   with a warning.
 * - audiences default to the API audiences.
 * - boundObjectRef: Pod (whose serviceAccountName must be NAME, else 400;
 *   the pod's node is embedded when it exists), Secret or Node; any other
 *   kind is 400; a missing object 404; a uid that differs 409 Conflict.
 * - Pod-bound requests for exactly 3607 s with the API audiences get the
 *   one-year extended expiration and `warnafter` (upstream's safe rollout
 *   of bound tokens, --service-account-extend-token-expiration).
 */
import { ApiError, badRequest, conflict, methodNotAllowed, unavailable } from '../../api/errors.js';
import { invalid, invalidValue, type FieldError } from '../../api/field-errors.js';
import { formatTime, isPlainObject, type KubeObject } from '../../api/meta.js';
import { bodyBuffer, decodeObject } from '../rest/body.js';
import { handleGet, type RawBody, type Reply } from '../rest/handlers.js';
import { checkTypeMeta } from '../rest/object-meta.js';
import type { RestContext, RestRequest } from '../rest/rest-context.js';
import {
  buildClaims,
  EXPIRATION_EXTENSION_SECONDS,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  type ObjectRef,
} from './service-account-token.js';

export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const API_VERSION = 'authentication.k8s.io/v1';

function invalidTokenRequest(name: string, errs: FieldError[]): ApiError {
  const e = invalid('TokenRequest', name, errs, 'authentication.k8s.io');
  return new ApiError('SKIFF_INVALID', e.message.replace(/^TokenRequest/, 'TokenRequest.authentication.k8s.io'), e.details);
}

async function getCore(rc: RestContext, req: RestRequest, resource: string, namespace: string, name: string): Promise<KubeObject> {
  const resolved = rc.deps.table.resolve('', 'v1', resource);
  if (!resolved) throw unavailable(`${resource} are not served`);
  const target = { ...req.target, resolved, namespace: resolved.entry.namespaced ? namespace : '', name, subresource: '' };
  return (await handleGet(rc, { ...req, target })).body as KubeObject;
}

function refOf(obj: KubeObject): ObjectRef {
  return { name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' };
}

/** The group and kind of an apiVersion + kind, and upstream's GroupVersionKind.String(). */
function gvkOf(apiVersion: string, kind: string): { group: string; text: string } {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return { group, text: `${group}/${version}, Kind=${kind}` };
}

export async function handleTokenRequest(rc: RestContext, req: RestRequest, method: string, raw: RawBody): Promise<Reply> {
  if (method !== 'POST') throw methodNotAllowed();
  const issuer = rc.deps.serviceAccountTokens;
  if (!issuer) throw unavailable('serviceaccounts/token is not available: no service account signing key');
  const { namespace, name } = req.target;
  const tr = decodeObject(bodyBuffer(raw.body), raw.contentType);
  checkTypeMeta(tr, API_VERSION, 'TokenRequest');
  const spec = isPlainObject(tr.spec) ? tr.spec : (tr.spec = {});

  // SetDefaults_TokenRequestSpec, then ValidateTokenRequest.
  if (spec.expirationSeconds === undefined || spec.expirationSeconds === null) spec.expirationSeconds = DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const requested = spec.expirationSeconds;
  if (typeof requested !== 'number' || !Number.isInteger(requested)) {
    throw invalidTokenRequest(name, [invalidValue('spec.expirationSeconds', requested, 'must be an integer')]);
  }
  const errs: FieldError[] = [];
  if (requested < MIN_EXPIRATION_SECONDS) errs.push(invalidValue('spec.expirationSeconds', requested, 'may not specify a duration less than 10 minutes'));
  if (requested > MAX_EXPIRATION_SECONDS) errs.push(invalidValue('spec.expirationSeconds', requested, 'may not specify a duration larger than 2^32 seconds'));
  if (errs.length > 0) throw invalidTokenRequest(name, errs);

  const sa = await getCore(rc, req, 'serviceaccounts', namespace, name);

  let pod: ObjectRef | undefined;
  let secret: ObjectRef | undefined;
  let node: ObjectRef | undefined;
  const bound = spec.boundObjectRef;
  if (isPlainObject(bound)) {
    const kind = typeof bound.kind === 'string' ? bound.kind : '';
    const refName = typeof bound.name === 'string' ? bound.name : '';
    const gvk = gvkOf(typeof bound.apiVersion === 'string' ? bound.apiVersion : '', kind);
    let uid: string;
    if (gvk.group === '' && kind === 'Pod') {
      const p = await getCore(rc, req, 'pods', namespace, refName);
      const podSpec = isPlainObject(p.spec) ? p.spec : {};
      const podSa = typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : '';
      if (podSa !== name) throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with serviceaccount "${podSa}"`);
      pod = refOf(p);
      uid = pod.uid;
      const nodeName = typeof podSpec.nodeName === 'string' ? podSpec.nodeName : '';
      if (nodeName) {
        // A pod's node that is gone is simply not embedded, as upstream.
        node = await getCore(rc, req, 'nodes', '', nodeName).then(refOf, () => undefined);
      }
    } else if (gvk.group === '' && kind === 'Secret') {
      secret = refOf(await getCore(rc, req, 'secrets', namespace, refName));
      uid = secret.uid;
    } else if (gvk.group === '' && kind === 'Node') {
      node = refOf(await getCore(rc, req, 'nodes', '', refName));
      uid = node.uid;
    } else {
      throw badRequest(`cannot bind token to object of type ${gvk.text}`);
    }
    const wantUid = typeof bound.uid === 'string' ? bound.uid : '';
    if (wantUid !== '' && wantUid !== uid) {
      throw conflict(
        { group: gvk.group, resource: kind },
        refName,
        `the UID in the bound object reference (${wantUid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
      );
    }
  }

  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.filter((a): a is string => typeof a === 'string') : [...issuer.apiAudiences];
  spec.audiences = audiences;

  const warnings: string[] = [];
  let exp = requested;
  let warnAfter: number | undefined;
  const apiAudiences = audiences.length === issuer.apiAudiences.length && audiences.every((a) => issuer.apiAudiences.includes(a));
  if (issuer.extendExpiration && pod && requested === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && apiAudiences) {
    warnAfter = requested;
    exp = EXPIRATION_EXTENSION_SECONDS;
  } else if (issuer.maxExpirationSeconds > 0 && requested > issuer.maxExpirationSeconds) {
    warnings.push(`299 - "requested expiration of ${requested} seconds shortened to ${issuer.maxExpirationSeconds} seconds"`);
    exp = issuer.maxExpirationSeconds;
    spec.expirationSeconds = exp;
  }

  const now = rc.deps.clock.now();
  const claims = buildClaims({
    issuer: issuer.issuer,
    namespace,
    serviceAccount: refOf(sa),
    pod,
    secret,
    node,
    audiences,
    expirationSeconds: exp,
    warnAfterSeconds: warnAfter,
    now,
    jti: issuer.newJti(),
  });
  const token = issuer.signer.sign(claims);
  const metadata = { ...tr.metadata, creationTimestamp: null } as unknown as KubeObject['metadata'];
  const body: KubeObject = {
    kind: 'TokenRequest',
    apiVersion: API_VERSION,
    metadata,
    spec,
    // As upstream: the status reports the requested lifetime even when the JWT's
    // exp was extended, so kubelets keep rotating at the requested pace.
    status: { token, expirationTimestamp: formatTime(new Date(now.getTime() + (typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : exp) * 1000)) },
  };
  return { code: 201, body, warnings };
}
