/**
 * Validating admission plug-in `Validation`: the entry's validate() on
 * every create and update of an object of its kind (with the stored object
 * on update), turned into upstream's 422 Invalid. Also the generic rule
 * every kind shares: an object needs a name.
 */
import { invalid, type FieldError } from '../../api/field-errors.js';
import type { AdmissionAttributes, ValidatingPlugin } from './admission.js';
import { carriesResourceObject } from './defaults.js';

export function validationPlugin(): ValidatingPlugin {
  return {
    name: 'Validation',
    validate(attrs: AdmissionAttributes): void {
      if (!carriesResourceObject(attrs) || !attrs.object) return;
      const entry = attrs.resource.entry;
      const obj = attrs.object;
      const name = obj.metadata.name ?? '';
      const errs: FieldError[] = [];
      if (!name) errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
      errs.push(...(entry.validate?.(obj, attrs.operation === 'UPDATE' ? attrs.oldObject : undefined) ?? []));
      if (errs.length > 0) throw invalid(entry.kind, name, errs, entry.group);
    },
  };
}
