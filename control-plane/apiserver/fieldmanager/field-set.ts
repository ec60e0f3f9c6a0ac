/**
 * Field sets: the trie of paths server-side apply tracks per manager, and
 * its wire form FieldsV1 (upstream sigs.k8s.io/structured-merge-diff).
 *
 * A path is a list of path elements, each already in its FieldsV1 spelling:
 * `f:<name>` (struct field or map key), `k:{"name":"c"}` (element of an
 * associative list, its key fields as JSON with sorted keys), `v:<json>`
 * (element of a set), `i:<n>` (index; unused by granular lists of built-in
 * types). A node is a *member* when the path itself belongs to the set;
 * nodes without membership exist only to hold members below them. In
 * FieldsV1 a member node with children carries a `.` key; a member leaf
 * is `{}`.
 *
 * Sets are values: the operations return new sets and never share nodes
 * with their inputs.
 */

export type PathElement = string;
export type Path = readonly PathElement[];

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Upstream's PathElement order: fields, then keys, values and indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ka = KIND_ORDER[a[0] ?? ''] ?? 4;
  const kb = KIND_ORDER[b[0] ?? ''] ?? 4;
  if (ka !== kb) return ka - kb;
  if (a[0] === 'i' && b[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Makes `path` a member (intermediate nodes are created as non-members). */
  insert(path: Path): void {
    if (path.length === 0) return;
    const [head, ...rest] = path as [PathElement, ...PathElement[]];
    let next = this.children.get(head);
    if (!next) {
      next = new FieldSet();
      this.children.set(head, next);
    }
    let node = next;
    for (const pe of rest) {
      let next = node.children.get(pe);
      if (!next) {
        next = new FieldSet();
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }

  /** The node at `path`, if any (member or not). */
  at(path: Path): FieldSet | undefined {
    let node: FieldSet | undefined;
    for (const pe of path) {
      node = (node ?? this).children.get(pe);
      if (!node) return undefined;
    }
    return node ?? this;
  }

  has(path: Path): boolean {
    return path.length > 0 && this.at(path)?.member === true;
  }

  /** True when no path is a member. */
  isEmpty(): boolean {
    for (const c of this.children.values()) if (c.member || !c.isEmpty()) return false;
    return true;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    const add = (into: FieldSet, from: FieldSet): void => {
      into.member ||= from.member;
      for (const [pe, c] of from.children) {
        let target = into.children.get(pe);
        if (!target) {
          target = new FieldSet();
          into.children.set(pe, target);
        }
        add(target, c);
      }
    };
    add(out, other);
    return out;
  }

  /** Members of this set that are not members of `other` (per path, not per subtree). */
  difference(other: FieldSet): FieldSet {
    const walk = (a: FieldSet, b: FieldSet | undefined): FieldSet => {
      const out = new FieldSet();
      out.member = a.member && !(b?.member ?? false);
      for (const [pe, c] of a.children) {
        const d = walk(c, b?.children.get(pe));
        if (d.member || d.children.size > 0) out.children.set(pe, d);
      }
      return out;
    };
    const out = walk(this, other);
    out.member = false;
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const walk = (a: FieldSet, b: FieldSet): FieldSet => {
      const out = new FieldSet();
      out.member = a.member && b.member;
      for (const [pe, c] of a.children) {
        const o = b.children.get(pe);
        if (!o) continue;
        const d = walk(c, o);
        if (d.member || d.children.size > 0) out.children.set(pe, d);
      }
      return out;
    };
    const out = walk(this, other);
    out.member = false;
    return out;
  }

  /** Every member path, in upstream's order (parents before children). */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      for (const pe of [...node.children.keys()].sort(comparePathElements)) {
        const c = node.children.get(pe)!;
        const p = [...prefix, pe];
        if (c.member) out.push(p);
        walk(c, p);
      }
    };
    walk(this, []);
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** True when some path is a member of both sets. */
  overlaps(other: FieldSet): boolean {
    const [small, large] = this.children.size <= other.children.size ? [this, other] : [other, this];
    for (const [pe, c] of small.children) {
      const o = large.children.get(pe);
      if (o && ((c.member && o.member) || (c.children.size > 0 && o.children.size > 0 && c.overlaps(o)))) return true;
    }
    return false;
  }

  /** True when every member path of `other` is a member of this set. */
  covers(other: FieldSet): boolean {
    for (const [pe, o] of other.children) {
      const c = this.children.get(pe);
      if (!c) {
        if (o.member || !o.isEmpty()) return false;
        continue;
      }
      if (o.member && !c.member) return false;
      if (o.children.size > 0 && !c.covers(o)) return false;
    }
    return true;
  }

  /** The FieldsV1 JSON object of this set. */
  toFieldsV1(): Record<string, unknown> {
    return encodeNode(this) ?? {};
  }

  /** Parses FieldsV1; anything that is not an object of objects is ignored. */
  static fromFieldsV1(v: unknown): FieldSet {
    const out = new FieldSet();
    decodeNode(v, out);
    out.member = false;
    return out;
  }
}

/** A node's FieldsV1 object; undefined when no member lies below it (the node's own membership aside). */
function encodeNode(node: FieldSet): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  const keys = node.children.size > 1 ? [...node.children.keys()].sort(comparePathElements) : node.children.keys();
  for (const k of keys) {
    const c = node.children.get(k)!;
    const sub = encodeNode(c);
    if (sub === undefined && !c.member) continue;
    if (out === undefined) {
      out = {};
      if (node.member) out['.'] = {};
    }
    out[k] = sub ?? {};
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function hasOwnKeys(v: object): boolean {
  for (const k in v) if (Object.hasOwn(v, k)) return true;
  return false;
}

function decodeNode(obj: unknown, node: FieldSet): void {
  if (!isObject(obj) || Array.isArray(obj)) return;
  for (const k of Object.keys(obj)) {
    if (k === '.') {
      node.member = true;
      continue;
    }
    const child = obj[k];
    const c = new FieldSet();
    if (!isObject(child) || (Array.isArray(child) ? Object.keys(child).length === 0 : !hasOwnKeys(child))) c.member = true;
    decodeNode(child, c);
    node.children.set(k, c);
  }
}

/*
 * Canonical FieldsV1: the exact JSON toFieldsV1 writes for the set a value
 * decodes to (plain objects only, `.` first and only beside children, keys
 * in upstream's order). A canonical value can be written back as it is and
 * queried without decoding it.
 */

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return isObject(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** `a` sorts strictly before `b` (both ways round, so that sorting keeps the pair as it is). */
function strictlyBefore(a: PathElement, b: PathElement): boolean {
  const ka = a.charCodeAt(0);
  // Same kind other than indexes: upstream's order is the string order.
  if (ka === b.charCodeAt(0) && ka !== 105 /* i */) return a < b;
  return comparePathElements(a, b) < 0 && comparePathElements(b, a) > 0;
}

function canonicalNode(obj: Record<string, unknown>, top: boolean): boolean {
  let prev: string | undefined;
  let first = true;
  let dot = false;
  // Plain objects only, so for-in lists own keys (Object.prototype has no enumerable ones).
  for (const k in obj) {
    const c = obj[k];
    if (!isPlainRecord(c)) return false;
    if (k === '.') {
      if (!first || top || hasOwnKeys(c)) return false;
      dot = true;
      first = false;
      continue;
    }
    first = false;
    if (prev !== undefined && !strictlyBefore(prev, k)) return false;
    if (!canonicalNode(c, false)) return false;
    prev = k;
  }
  return !dot || prev !== undefined;
}

/** True when `v` is exactly the FieldsV1 toFieldsV1 writes for `FieldSet.fromFieldsV1(v)` (key order included). */
export function isCanonicalFieldsV1(v: unknown): v is Record<string, unknown> {
  return isPlainRecord(v) && canonicalNode(v, true);
}

/** Membership of a node of canonical FieldsV1: a `{}` leaf or `.` (always first). */
function rawMember(node: Record<string, unknown>): boolean {
  for (const k in node) return k === '.';
  return true;
}

function rawChild(node: Record<string, unknown>, pe: PathElement): Record<string, unknown> | undefined {
  return pe !== '.' && Object.hasOwn(node, pe) ? (node[pe] as Record<string, unknown>) : undefined;
}

/** `FieldSet.fromFieldsV1(raw).overlaps(set)` for canonical `raw`, without decoding it. */
export function fieldsV1Overlaps(raw: Record<string, unknown>, set: FieldSet): boolean {
  for (const [pe, c] of set.children) {
    const r = rawChild(raw, pe);
    if (!r) continue;
    if ((c.member && rawMember(r)) || (c.children.size > 0 && fieldsV1Overlaps(r, c))) return true;
  }
  return false;
}

/** `FieldSet.fromFieldsV1(raw).covers(set)` for canonical `raw`, without decoding it. */
export function fieldsV1Covers(raw: Record<string, unknown>, set: FieldSet): boolean {
  for (const [pe, c] of set.children) {
    const r = rawChild(raw, pe);
    if (!r) {
      if (c.member || !c.isEmpty()) return false;
      continue;
    }
    if (c.member && !rawMember(r)) return false;
    if (c.children.size > 0 && !fieldsV1Covers(r, c)) return false;
  }
  return true;
}

/** A path as upstream prints it in conflicts: `.spec.containers[name="c"].image`. */
export function pathString(path: Path): string {
  let out = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        out += `.${body}`;
        break;
      case 'k': {
        let parts: string[];
        try {
          const keys = JSON.parse(body) as Record<string, unknown>;
          parts = Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        } catch {
          parts = [body];
        }
        out += `[${parts.join(',')}]`;
        break;
      }
      case 'v':
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}
