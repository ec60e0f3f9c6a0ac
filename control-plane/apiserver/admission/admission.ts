/**
 * Admission: one chain of mutating plug-ins, then validating plug-ins, run
 * on every create, update and delete (and connect) before the write.
 *
 * Contract:
 * - Mutating plug-ins run in order and may change `attrs.object` in place.
 * - Validating plug-ins run in order after every mutating one; they must
 *   not mutate, and reject by throwing an ApiError (422 Invalid via
 *   field-errors.invalid, 403 Forbidden, 404 NotFound for a missing
 *   namespace, ...).
 * - Plug-ins see dryRun and must not leave side effects when it is set.
 * Defaulting and schema validation are plug-ins here; later issues add
 * ServiceAccount, priority, tolerations, quotas and node restriction.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import type { UserInfo } from '../user.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  resource: ResolvedResource;
  /** '' for the main resource, else e.g. 'status', 'scale', 'binding'. */
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (the new state). Absent for DELETE and CONNECT. */
  object?: KubeObject;
  /** The stored object, for UPDATE and DELETE. */
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

export interface MutatingPlugin {
  readonly name: string;
  admit(attrs: AdmissionAttributes): void | Promise<void>;
}

export interface ValidatingPlugin {
  readonly name: string;
  validate(attrs: AdmissionAttributes): void | Promise<void>;
}

export class AdmissionChain {
  constructor(
    private readonly mutating: readonly MutatingPlugin[],
    private readonly validating: readonly ValidatingPlugin[],
  ) {}

  async run(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.mutating) await p.admit(attrs);
    for (const p of this.validating) await p.validate(attrs);
  }

  /** A chain with further plug-ins appended (mutating, then validating). */
  with(mutating: readonly MutatingPlugin[], validating: readonly ValidatingPlugin[]): AdmissionChain {
    return new AdmissionChain([...this.mutating, ...mutating], [...this.validating, ...validating]);
  }
}
