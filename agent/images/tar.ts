/**
 * A minimal ustar writer (and reader, for tests and inspection): regular
 * files, directories and symlinks, owned by root, with a fixed mtime so
 * the same input always gives the same bytes (and so the same image
 * digests).
 *
 * Why not a library: the image layers need exactly these three entry
 * types, and the format is 512-byte headers with octal fields. Names up
 * to 255 bytes use ustar's prefix field; longer ones are rejected.
 */

export type TarEntry =
  | { type: 'file'; path: string; mode: number; content: Buffer }
  | { type: 'dir'; path: string; mode: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;

function writeString(buf: Buffer, offset: number, length: number, value: string, what: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar: ${what} ${JSON.stringify(value)} longer than ${length} bytes`);
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  const s = value.toString(8);
  if (s.length > length - 1) throw new Error(`tar: value ${value} does not fit ${length - 1} octal digits`);
  buf.write(s.padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

/** Splits a name into ustar's (prefix, name) at a slash, name ≤ 100 and prefix ≤ 155 bytes. */
export function splitName(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { prefix, name };
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

export function tarHeader(entry: TarEntry, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const path = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const { prefix, name } = splitName(path);
  writeString(h, 0, 100, name, 'name');
  writeOctal(h, 100, 8, entry.type === 'symlink' ? 0o777 : entry.mode & 0o7777);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, entry.type === 'file' ? entry.content.length : 0);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156);
  h.write(entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2', 156, 1, 'ascii');
  if (entry.type === 'symlink') writeString(h, 157, 100, entry.target, 'symlink target');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  writeString(h, 265, 32, 'root', 'uname');
  writeString(h, 297, 32, 'root', 'gname');
  writeString(h, 345, 155, prefix, 'prefix');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** The whole archive: each entry's header and padded data, then two zero blocks. */
export function tarArchive(entries: TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e, mtime));
    if (e.type === 'file' && e.content.length > 0) {
      parts.push(e.content);
      const pad = (BLOCK - (e.content.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export interface ParsedTarEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  content: Buffer;
}

function readString(buf: Buffer, offset: number, length: number): string {
  const raw = buf.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

function readOctal(buf: Buffer, offset: number, length: number): number {
  const s = readString(buf, offset, length).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** Reads a ustar archive (uncompressed), verifying each header checksum. */
export function parseTar(buf: Buffer): ParsedTarEntry[] {
  const out: ParsedTarEntry[] = [];
  let off = 0;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    const stored = readOctal(h, 148, 8);
    if (stored !== sum) throw new Error(`tar: bad header checksum at offset ${off}`);
    const name = readString(h, 0, 100);
    const prefix = readString(h, 345, 155);
    const size = readOctal(h, 124, 12);
    const flag = String.fromCharCode(h[156]!);
    const path = prefix ? `${prefix}/${name}` : name;
    out.push({
      path,
      type: flag === '0' || flag === '\0' ? 'file' : flag === '5' ? 'dir' : flag === '2' ? 'symlink' : 'other',
      mode: readOctal(h, 100, 8),
      uid: readOctal(h, 108, 8),
      gid: readOctal(h, 116, 8),
      mtime: readOctal(h, 136, 12),
      linkname: readString(h, 157, 100),
      content: Buffer.from(buf.subarray(off + BLOCK, off + BLOCK + size)),
    });
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return out;
}
