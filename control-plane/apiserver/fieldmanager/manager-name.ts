/**
 * The manager a write is recorded under (upstream managerOrUserAgent): the
 * `fieldManager` query parameter, else the User-Agent's program name — the
 * text before its first `/`, printable characters only, at most 128 bytes
 * (`kubectl/v1.32.5 (linux/amd64) kubernetes/abc` → `kubectl`).
 */
export const FIELD_MANAGER_MAX_LENGTH = 128;

export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  let out = '';
  for (const ch of prefix) {
    if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u.test(ch) || (/\s/u.test(ch) && ch !== ' ')) continue;
    if (Buffer.byteLength(out + ch, 'utf8') > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

export function managerOrUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  return fieldManager ? fieldManager : managerFromUserAgent(userAgent);
}
