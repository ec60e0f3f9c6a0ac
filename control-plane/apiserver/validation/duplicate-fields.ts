/**
 * Duplicate keys in a request body, which JSON.parse and the YAML decoder
 * silently collapse (the last value wins). Field validation reports each
 * one with its path as upstream's strict decoder does:
 * `metadata.name`, `spec.containers[0].name`.
 *
 * duplicateJsonFields() is a small JSON scanner (no values are built);
 * duplicateYamlFields() walks the YAML syntax tree. Malformed input yields
 * no findings: the body decoder reports syntax errors itself.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

class Scanner {
  private i = 0;
  readonly found: string[] = [];
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }

  private fail(): never {
    throw new SyntaxError(`unexpected input at ${this.i}`);
  }

  private string(): string {
    const start = this.i;
    if (this.s[this.i] !== '"') this.fail();
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail();
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  value(path: string): void {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') {
      this.string();
      return;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail();
    this.i += m[0].length;
  }

  private object(path: string): void {
    this.i++;
    const seen = new Set<string>();
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      const p = joinPath(path, key);
      if (seen.has(key)) this.found.push(p);
      seen.add(key);
      this.ws();
      if (this.s[this.i] !== ':') this.fail();
      this.i++;
      this.value(p);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return;
      if (c !== ',') this.fail();
    }
  }

  private array(path: string): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (let n = 0; ; n++) {
      this.value(`${path}[${n}]`);
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return;
      if (c !== ',') this.fail();
    }
  }
}

/** Paths of duplicate keys in a JSON text, in document order. */
export function duplicateJsonFields(text: string): string[] {
  const sc = new Scanner(text);
  try {
    sc.value('');
  } catch {
    return [];
  }
  return sc.found;
}

/** Paths of duplicate keys in a YAML text (one document). */
export function duplicateYamlFields(text: string): string[] {
  const found: string[] = [];
  let doc;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch {
    return [];
  }
  if (doc.errors.length > 0) return [];
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const p = joinPath(path, key);
        if (seen.has(key)) found.push(p);
        seen.add(key);
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, n) => walk(item as YamlNode, `${path}[${n}]`));
    }
  };
  walk(doc.contents, '');
  return found;
}
