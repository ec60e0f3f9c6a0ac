/**
 * The static token file (DIR/tokens.csv), in kube-apiserver's
 * --token-auth-file format: one CSV record per line,
 * `token,user,uid[,"group1,group2"]`.
 *
 * Contract (upstream's, plus two tolerances):
 * - Fields follow CSV rules: a field may be double-quoted, `""` inside
 *   quotes is a literal quote, leading spaces of a field are ignored.
 * - A record needs at least three fields, else parsing fails with a message
 *   naming the line. A record with an empty token is skipped.
 * - The fourth field, when present and non-empty, is a comma-separated
 *   list of groups.
 * - A later duplicate token replaces an earlier one (as upstream).
 * - Tolerated: blank lines and lines starting with `#`.
 */
import type { UserInfo } from '../user.js';

export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

/** Splits one CSV line into fields; throws on an unterminated quote. */
export function splitCsvLine(line: string, lineNo: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new TokenFileError(`line ${lineNo}: unterminated quoted field`);
        const c = line[i];
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      // Anything between the closing quote and the next comma is kept, as
      // lenient CSV readers do.
      while (i < line.length && line[i] !== ',') field += line[i++];
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++];
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** Parses the file's text into token → user. */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const rec = splitCsvLine(raw, lineNo);
    if (rec.length < 3) {
      throw new TokenFileError(`line ${lineNo}: must have at least 3 columns (token, user name, user uid), found ${rec.length}`);
    }
    const [token = '', name = '', uid = '', groupField = ''] = rec;
    if (token === '') return;
    const groups = groupField === '' ? [] : groupField.split(',').map((g) => g.trim()).filter((g) => g !== '');
    const user: UserInfo = { name, groups };
    if (uid !== '') user.uid = uid;
    tokens.set(token, user);
  });
  return tokens;
}
