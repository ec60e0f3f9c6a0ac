/**
 * `$(VAR)` expansion in env values, command and args, exactly as upstream's
 * third_party/forked/golang/expansion: `$(NAME)` becomes the mapped value
 * when NAME is known and stays `$(NAME)` verbatim otherwise; `$$` is an
 * escaped `$` (so `$$(NAME)` yields the literal `$(NAME)`); an unclosed
 * `$(` and a `$` before any other character are kept as written. Pure.
 */

/** A lookup over contexts in order; unknown names stay wrapped as `$(NAME)`. */
export function mappingFor(...contexts: ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const c of contexts) {
      const v = c.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      } else {
        out += '$(';
      }
    } else {
      out += '$' + rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
