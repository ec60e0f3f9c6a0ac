/**
 * authentication.k8s.io/v1 SelfSubjectReview: a virtual resource (nothing is
 * stored). A POST answers who the server thinks the caller is; it is what
 * `kubectl auth whoami` asks.
 */
import type { KubeObject } from '../meta.js';
import type { Requester, ResourceEntry } from '../resource-table.js';

export interface SelfSubjectReview extends KubeObject {
  status?: { userInfo: { username: string; uid?: string; groups: string[] } };
}

export function reviewSelf(obj: KubeObject, requester: Requester): SelfSubjectReview {
  const userInfo: { username: string; uid?: string; groups: string[] } = { username: requester.name, groups: [...requester.groups] };
  if (requester.uid) userInfo.uid = requester.uid;
  return { ...obj, metadata: { creationTimestamp: obj.metadata.creationTimestamp }, status: { userInfo } };
}

export const selfsubjectreviews: ResourceEntry = {
  group: 'authentication.k8s.io',
  version: 'v1',
  resource: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  kind: 'SelfSubjectReview',
  namespaced: false,
  verbs: ['create'],
  specFields: [],
  virtual: { create: reviewSelf },
};
