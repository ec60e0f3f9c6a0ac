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

  /** The FieldsV1 JSON object of this set. */
  toFieldsV1(): Record<string, unknown> {
    const enc = (node: FieldSet): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      const keys = [...node.children.keys()].sort(comparePathElements);
      const live = keys.filter((k) => {
        const c = node.children.get(k)!;
        return c.member || !c.isEmpty();
      });
      if (node.member && live.length > 0) out['.'] = {};
      for (const k of live) out[k] = enc(node.children.get(k)!);
      return out;
    };
    return enc(this);
  }

  /** Parses FieldsV1; anything that is not an object of objects is ignored. */
  static fromFieldsV1(v: unknown): FieldSet {
    const dec = (obj: unknown, node: FieldSet): void => {
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return;
      const entries = Object.entries(obj as Record<string, unknown>);
      for (const [k, child] of entries) {
        if (k === '.') {
          node.member = true;
          continue;
        }
        const c = new FieldSet();
        const grand = typeof child === 'object' && child !== null ? Object.keys(child) : [];
        if (grand.length === 0) c.member = true;
        dec(child, c);
        node.children.set(k, c);
      }
    };
    const out = new FieldSet();
    dec(v, out);
    out.member = false;
    return out;
  }
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
