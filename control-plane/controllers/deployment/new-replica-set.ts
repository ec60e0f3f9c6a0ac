/**
 * The ReplicaSet a Deployment creates for a template it has no ReplicaSet
 * for yet (upstream's getNewReplicaSet, creation half), pure:
 * - name `<deployment>-<pod-template-hash>` (deterministic, so a repeated
 *   create after a stale cache fails with AlreadyExists instead of
 *   duplicating), the hash computed over the template and collisionCount;
 * - the template and selector both carry pod-template-hash, so sibling
 *   ReplicaSets never select each other's pods;
 * - a controller ref to the Deployment, its minReadySeconds, the initial
 *   size the rollout allows (NewRSNewReplicas), the revision and the
 *   desired/max-replicas annotations, and the Deployment's annotations
 *   (kubernetes.io/change-cause among them).
 */
import { newControllerRef } from '../framework/controller-ref.js';
import { REPLICASET_KIND, type ReplicaSet } from '../replicaset/types.js';
import { newRSNewReplicas, setNewReplicaSetAnnotations } from './deployment-util.js';
import { computeHash } from './template-hash.js';
import { DEPLOYMENT_API_VERSION, DEPLOYMENT_KIND, POD_TEMPLATE_HASH_LABEL, type Deployment } from './types.js';

export function newReplicaSetFor(d: Deployment, oldRSs: readonly ReplicaSet[], revision: number): ReplicaSet {
  const template = structuredClone(d.spec?.template ?? {});
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: REPLICASET_KIND,
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [newControllerRef(d, DEPLOYMENT_API_VERSION, DEPLOYMENT_KIND)],
      labels: { ...(template.metadata.labels ?? {}) },
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  rs.spec!.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
  setNewReplicaSetAnnotations(d, rs, revision, false);
  return rs;
}
