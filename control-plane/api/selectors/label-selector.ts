/**
 * Label selectors, as upstream's apimachinery `labels` package: parsing of
 * the string form (`app=web,tier!=db,env in (a,b),!legacy`), matching a
 * label set, and the string form of a metav1.LabelSelector object (the
 * Scale subresource's `status.selector`, `kubectl describe`).
 *
 * Pure: imports nothing of ours but the pure api.
 *
 * Grammar (upstream's): requirements separated by `,`; each is `key`,
 * `!key`, `key=v`, `key==v`, `key!=v`, `key in (v1,v2)`, `key notin (v1,v2)`,
 * `key gt N` / `key lt N` (as `>`/`<` too). Whitespace between tokens is
 * ignored. Keys must be qualified names and values valid label values;
 * parse errors throw LabelSelectorError with upstream-like messages.
 */

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted values; empty for exists and `!`. */
  values: string[];
}

export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns problems with a label key (a qualified name), empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const errs: string[] = [];
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN_RE.test(prefix))) {
    errs.push('prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters');
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  else if (!NAME_RE.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  return errs;
}

/** Returns problems with a label value, empty when valid. */
export function labelValueErrors(value: string): string[] {
  if (value === '') return [];
  if (value.length > 63) return ['must be no more than 63 characters'];
  if (!NAME_RE.test(value)) {
    return ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"];
  }
  return [];
}

type Token =
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: '('; v: string }
  | { t: ')'; v: string }
  | { t: ','; v: string }
  | { t: 'end'; v: string };

const OPERATOR_CHARS = new Set(['=', '!', '<', '>']);
const SPECIAL = new Set(['=', '!', '<', '>', '(', ')', ',', ' ', '\t', '\n', '\r']);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else if (OPERATOR_CHARS.has(c)) {
      let j = i;
      while (j < s.length && OPERATOR_CHARS.has(s[j] as string)) j++;
      out.push({ t: 'op', v: s.slice(i, j) });
      i = j;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j] as string)) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
    }
  }
  out.push({ t: 'end', v: '' });
  return out;
}

function describe(tok: Token): string {
  return tok.t === 'end' ? 'end of string' : tok.v;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.pos] as Token;
  }
  private next(): Token {
    const t = this.toks[this.pos] as Token;
    if (t.t !== 'end') this.pos++;
    return t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    if (this.peek().t === 'end') return reqs;
    for (;;) {
      reqs.push(this.requirement());
      const t = this.next();
      if (t.t === 'end') return reqs;
      if (t.t !== ',') throw new LabelSelectorError(`found '${describe(t)}', expected: ',' or 'end of string'`);
      if (this.peek().t === 'end') throw new LabelSelectorError("found 'end of string', expected: !, identifier");
    }
  }

  private requirement(): LabelRequirement {
    let t = this.next();
    let negated = false;
    if (t.t === 'op' && t.v === '!') {
      negated = true;
      t = this.next();
    }
    if (t.t !== 'id') throw new LabelSelectorError(`found '${describe(t)}', expected: !, identifier`);
    const key = t.v;
    checkKey(key);
    if (negated) return { key, operator: '!', values: [] };
    const op = this.peek();
    if (op.t === ',' || op.t === 'end') return { key, operator: 'exists', values: [] };
    this.next();
    let operator: LabelOperator;
    if (op.t === 'op' && (op.v === '=' || op.v === '==' || op.v === '!=')) operator = op.v;
    else if (op.t === 'op' && op.v === '>') operator = 'gt';
    else if (op.t === 'op' && op.v === '<') operator = 'lt';
    else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin' || op.v === 'gt' || op.v === 'lt')) operator = op.v;
    else throw new LabelSelectorError(`found '${describe(op)}', expected: in, notin, =, ==, !=, gt, lt`);

    if (operator === 'in' || operator === 'notin') return { key, operator, values: this.set(key) };
    const v = this.peek();
    let value = '';
    if (v.t === 'id') {
      this.next();
      value = v.v;
    } else if (v.t !== ',' && v.t !== 'end') {
      throw new LabelSelectorError(`found '${describe(v)}', expected: identifier`);
    }
    if (operator === 'gt' || operator === 'lt') {
      if (!/^-?\d+$/.test(value)) {
        throw new LabelSelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      }
    } else {
      checkValue(key, 0, value);
    }
    return { key, operator, values: [value] };
  }

  private set(key: string): string[] {
    const open = this.next();
    if (open.t !== '(') throw new LabelSelectorError(`found '${describe(open)}', expected: '('`);
    const values: string[] = [];
    let expectValue = true;
    for (;;) {
      const t = this.next();
      if (t.t === 'id' && expectValue) {
        values.push(t.v);
        expectValue = false;
      } else if (t.t === ',') {
        if (expectValue) values.push('');
        expectValue = true;
      } else if (t.t === ')') {
        if (expectValue) values.push('');
        break;
      } else {
        throw new LabelSelectorError(`found '${describe(t)}', expected: ',', ')' or identifier`);
      }
    }
    values.forEach((v, i) => checkValue(key, i, v));
    return [...new Set(values)].sort();
  }
}

function checkKey(key: string): void {
  const errs = labelKeyErrors(key);
  if (errs.length > 0) {
    throw new LabelSelectorError(`unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
  }
}

function checkValue(key: string, index: number, value: string): void {
  const errs = labelValueErrors(value);
  if (errs.length > 0) {
    throw new LabelSelectorError(`unable to parse requirement: values[${index}][${key}]: Invalid value: ${JSON.stringify(value)}: ${errs.join('; ')}`);
  }
}

/** Parses the string form; an empty string selects everything. */
export function parseLabelSelector(s: string): LabelRequirement[] {
  return new Parser(lex(s)).parse();
}

export function matchesRequirement(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? (labels as Record<string, string>)[r.key] : undefined;
  switch (r.operator) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v as string);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(v as string)) return false;
      const n = Number(v);
      const bound = Number(r.values[0]);
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

/** True when every requirement matches (an empty selector matches everything). */
export function matchesLabels(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  return reqs.every((r) => matchesRequirement(r, labels));
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * The requirements of a LabelSelector object. Unknown operators throw.
 * (Upstream: an empty selector matches everything; a null one nothing —
 * callers decide about null.)
 */
export function labelSelectorRequirements(sel: LabelSelector): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, operator: 'in', values });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, operator: 'notin', values });
        break;
      case 'Exists':
        reqs.push({ key: e.key, operator: 'exists', values: [] });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, operator: '!', values: [] });
        break;
      default:
        throw new LabelSelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function formatRequirement(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'lt':
      return `${r.key}<${r.values[0] ?? ''}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ''}`;
  }
}

/** The string form of requirements, as upstream's Selector.String(). */
export function formatLabelRequirements(reqs: readonly LabelRequirement[]): string {
  return reqs.map(formatRequirement).join(',');
}

/** `app=nginx,tier in (a,b)`: the string form of a LabelSelector object, sorted by key. */
export function formatLabelSelector(sel: LabelSelector): string {
  return formatLabelRequirements(labelSelectorRequirements(sel));
}
