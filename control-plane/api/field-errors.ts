/**
 * Field errors, as upstream's apimachinery field.Error: a path, a type and a
 * detail. Validation returns a list of them; `invalid()` turns the list into
 * the 422 Status kubectl prints cause by cause.
 */
import { ApiError, type StatusCause } from './errors.js';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
  /** For NotSupported: the accepted values. */
  supported?: string[];
  /** For TooLong / TooMany: the limit. */
  max?: number;
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The message body without the field path, e.g. `Required value`. */
export function errorBody(e: FieldError): string {
  let s: string;
  switch (e.type) {
    case 'FieldValueRequired':
      s = 'Required value';
      break;
    case 'FieldValueInvalid':
      s = `Invalid value: ${fmtValue(e.value)}`;
      break;
    case 'FieldValueTypeInvalid':
      s = `Invalid value: ${fmtValue(e.value)}`;
      break;
    case 'FieldValueNotSupported':
      s = `Unsupported value: ${fmtValue(e.value)}`;
      if (e.supported && e.supported.length > 0) {
        s += `: supported values: ${e.supported.map((x) => JSON.stringify(x)).join(', ')}`;
      }
      break;
    case 'FieldValueDuplicate':
      s = `Duplicate value: ${fmtValue(e.value)}`;
      break;
    case 'FieldValueForbidden':
      s = 'Forbidden';
      break;
    case 'FieldValueTooLong':
      s = e.max === undefined ? 'Too long' : `Too long: may not be more than ${e.max} bytes`;
      break;
    case 'FieldValueTooMany':
      s = e.max === undefined ? 'Too many' : `Too many: ${fmtValue(e.value)}: must have at most ${e.max} items`;
      break;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

export const required = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const invalidValue = (field: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field, value, supported });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value });
export const forbiddenField = (field: string, detail?: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const tooLong = (field: string, value: unknown, max: number): FieldError => ({ type: 'FieldValueTooLong', field, value, max });

/**
 * The 422 Invalid error for a kind and name, formatted as upstream:
 * `Pod "x" is invalid: spec.containers[0].image: Required value` for one
 * cause, `[a, b]` for several.
 */
export function invalid(kind: string, name: string, errs: FieldError[], group = ''): ApiError {
  const parts = errs.map(formatFieldError);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  const details = group ? { name, group, kind, causes } : { name, kind, causes };
  return new ApiError('SKIFF_INVALID', `${kind} "${name}" is invalid: ${summary}`, details);
}
