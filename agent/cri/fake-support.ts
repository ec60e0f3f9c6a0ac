/**
 * Small pure helpers of the fake runtime that mirror containerd's
 * formats: image reference normalization (the docker reference rules CRI
 * applies) and the RFC3339Nano timestamps of CRI log lines.
 */

/**
 * `busybox` → `docker.io/library/busybox:latest`, `foo/bar:1` →
 * `docker.io/foo/bar:1`, `localhost/pause:1.0` and `reg:5000/x` keep their
 * domain; a ref with a digest keeps it and gets no tag; `sha256:…` ids
 * are returned unchanged.
 */
export function normalizeImageRef(ref: string): string {
  if (/^sha256:[0-9a-f]{64}$/.test(ref)) return ref;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = hasDomain ? ref : `docker.io/${slash < 0 ? 'library/' : ''}${ref}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!name.includes('@') && !lastPart.includes(':')) name += ':latest';
  return name;
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction trimmed (and the dot when nothing is left). */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString(); // 2026-11-28T12:14:47.080Z
  const [base, frac = ''] = iso.slice(0, -1).split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${base}${trimmed ? '.' + trimmed : ''}Z`;
}
