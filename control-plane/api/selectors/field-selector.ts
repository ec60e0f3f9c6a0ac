/**
 * Field selectors, as upstream's apimachinery `fields` package: terms
 * `key=value`, `key==value`, `key!=value`, separated by `,`, in any order.
 * `\,`, `\=`, `\!` and `\\` escape those characters inside values.
 *
 * Pure. Which keys a resource supports is the REST layer's business
 * (ResourceEntry.fieldSelectors); this module only parses and matches.
 */

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

/** Splits on unescaped separators, keeping escapes for the next stage. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] as string);
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function unescape(v: string, whole: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '\\') {
      const n = v[i + 1];
      if (n === undefined || !'\\,=!'.includes(n)) throw new FieldSelectorError(`invalid field selector: '${whole}': invalid escape sequence`);
      out += n;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** Finds the first unescaped operator in a term. */
function splitTerm(term: string): FieldRequirement | undefined {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '!' && term[i + 1] === '=') {
      return { field: term.slice(0, i), operator: '!=', value: term.slice(i + 2) };
    }
    if (c === '=') {
      const skip = term[i + 1] === '=' ? 2 : 1;
      return { field: term.slice(0, i), operator: '=', value: term.slice(i + skip) };
    }
  }
  return undefined;
}

/** Parses the string form; an empty string selects everything. */
export function parseFieldSelector(s: string): FieldRequirement[] {
  if (s.trim() === '') return [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    if (term === '') continue;
    const r = splitTerm(term);
    if (!r || r.field.trim() === '') throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    reqs.push({ field: r.field.trim(), operator: r.operator, value: unescape(r.value, s) });
  }
  return reqs;
}

/** True when every requirement holds; `get` answers a field's string value. */
export function matchesFields(reqs: readonly FieldRequirement[], get: (field: string) => string): boolean {
  return reqs.every((r) => (get(r.field) === r.value) === (r.operator === '='));
}

function escapeValue(v: string): string {
  return v.replace(/[\\,=!]/g, (c) => `\\${c}`);
}

export function formatFieldSelector(reqs: readonly FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
}
