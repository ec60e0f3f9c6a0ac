/**
 * metav1.LabelSelector: validation with upstream's messages, the string
 * form (`app=nginx,tier in (a,b)`) used by Scale.status.selector and
 * kubectl, and matching against a label set.
 */
import { forbiddenField, invalidValue, required, type FieldError } from '../field-errors.js';
import { isQualifiedName, validateLabels } from '../validation.js';
import { objs, rec, str } from './fields.js';

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  const s = rec(sel);
  if (!s) return [];
  const errs: FieldError[] = [];
  objs(s.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const op = str(e.operator) ?? '';
    const values = Array.isArray(e.values) ? e.values : [];
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(forbiddenField(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(invalidValue(`${p}.operator`, op, 'not a valid selector operator'));
    }
    const key = str(e.key) ?? '';
    for (const m of isQualifiedName(key)) errs.push(invalidValue(`${p}.key`, key, m));
  });
  errs.push(...validateLabels(s.matchLabels, `${path}.matchLabels`));
  return errs;
}

export function isEmptySelector(sel: unknown): boolean {
  const s = rec(sel);
  if (!s) return true;
  return Object.keys(rec(s.matchLabels) ?? {}).length === 0 && objs(s.matchExpressions).length === 0;
}

interface Requirement {
  key: string;
  op: string;
  values: string[];
}

function requirements(sel: unknown): Requirement[] {
  const s = rec(sel);
  if (!s) return [];
  const out: Requirement[] = [];
  for (const [k, v] of Object.entries(rec(s.matchLabels) ?? {})) out.push({ key: k, op: '=', values: [String(v)] });
  for (const e of objs(s.matchExpressions)) {
    const values = (Array.isArray(e.values) ? e.values : []).map(String);
    out.push({ key: str(e.key) ?? '', op: str(e.operator) ?? '', values: [...new Set(values)].sort() });
  }
  // Upstream's internal selector sorts its requirements by key.
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The selector as upstream's labels.Selector String(). */
export function selectorString(sel: unknown): string {
  return requirements(sel)
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0] ?? ''}`;
        case 'In':
          return `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        default:
          return '';
      }
    })
    .filter((x) => x !== '')
    .join(',');
}

/** Whether a label set satisfies the selector (an empty selector matches everything). */
export function selectorMatches(sel: unknown, labels: Record<string, unknown> | undefined): boolean {
  const l = labels ?? {};
  return requirements(sel).every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = has ? String(l[r.key]) : undefined;
    switch (r.op) {
      case '=':
        return v === r.values[0];
      case 'In':
        return v !== undefined && r.values.includes(v);
      case 'NotIn':
        return v === undefined || !r.values.includes(v);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

export { OPERATORS as SELECTOR_OPERATORS };
