/**
 * Mutating admission plug-in `Defaults`: the entry's upstream defaulting,
 * then its normalisation, on every create and update of an object of the
 * entry's kind (main resource, status and scale writes; the object is in
 * the stored group-version).
 */
import type { AdmissionAttributes, MutatingPlugin } from './admission.js';

const OBJECT_SUBRESOURCES = new Set(['', 'status', 'scale']);

/** Whether attrs.object is an object of the resource's own kind (not a Binding, Eviction, …). */
export function carriesResourceObject(attrs: AdmissionAttributes): boolean {
  return (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE') && attrs.object !== undefined && OBJECT_SUBRESOURCES.has(attrs.subresource);
}

export function defaultsPlugin(): MutatingPlugin {
  return {
    name: 'Defaults',
    admit(attrs: AdmissionAttributes): void {
      if (!carriesResourceObject(attrs) || !attrs.object) return;
      const entry = attrs.resource.entry;
      entry.defaults?.(attrs.object);
      entry.normalize?.(attrs.object);
    },
  };
}
