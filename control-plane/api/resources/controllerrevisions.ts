/**
 * apps/v1 controllerrevisions: opaque revision snapshots kept by the
 * DaemonSet and StatefulSet controllers. Only `revision` is checked
 * (non-negative), and `data` may not change once written.
 */
import type { KubeObject } from '../meta.js';
import type { ResourceEntry } from '../resource-table.js';
import { nameIsDNSSubdomain, validateNonnegative } from '../validation.js';
import { deepEqual } from './fields.js';
import { immutable, withMeta } from './object-meta.js';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision?: number;
}

export const controllerrevisions: ResourceEntry = {
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  singular: 'controllerrevision',
  kind: 'ControllerRevision',
  namespaced: true,
  storagePrefix: '/registry/controllerrevisions/',
  specFields: [],
  validate: withMeta({ namespaced: true, name: nameIsDNSSubdomain }, (obj: KubeObject, old?: KubeObject) => {
    const errs = validateNonnegative(obj.revision, 'revision');
    if (old) errs.push(...immutable(obj.data, old.data, 'data', deepEqual));
    return errs;
  }),
};
