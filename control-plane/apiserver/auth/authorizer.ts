/**
 * Authorization: may this user do this? The Authorizer interface mirrors
 * upstream's authorizer.Authorizer; AlwaysAllow is what is wired today,
 * RBAC later. `forbiddenError` renders a denial as upstream's 403 Status.
 */
import { ApiError, forbidden } from '../../api/errors.js';
import type { UserInfo } from '../user.js';

/** upstream's authorizer.Attributes, flattened. */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  /** For non-resource requests. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface AuthorizationDecision {
  allowed: boolean;
  /** Why it was denied (appended to the Forbidden message), or why allowed. */
  reason: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): AuthorizationDecision | Promise<AuthorizationDecision>;
}

export const alwaysAllow: Authorizer = { authorize: () => ({ allowed: true, reason: '' }) };

/**
 * The 403 for a denial, worded as upstream:
 * `pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"`
 * or, for a non-resource path, `forbidden: User "bob" cannot get path "/metrics"`.
 */
export function forbiddenError(attrs: AuthorizationAttributes, reason: string): ApiError {
  const suffix = reason ? `: ${reason}` : '';
  if (!attrs.resourceRequest) {
    return new ApiError('SKIFF_FORBIDDEN', `forbidden: User "${attrs.user.name}" cannot ${attrs.verb} path "${attrs.path}"${suffix}`);
  }
  const res = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  let why = `User "${attrs.user.name}" cannot ${attrs.verb} resource "${res}" in API group "${attrs.apiGroup}"`;
  why += attrs.namespace ? ` in the namespace "${attrs.namespace}"` : ' at the cluster scope';
  return forbidden({ group: attrs.apiGroup, resource: attrs.resource }, attrs.name, why + suffix);
}
