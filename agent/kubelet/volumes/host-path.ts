/**
 * hostPath (upstream pkg/volume/hostpath checkType): the path on the node
 * itself, checked against the declared type before use. '' checks
 * nothing; DirectoryOrCreate makes the directory (0755, parents too) and
 * FileOrCreate the file (0644, the parent must exist) when missing; the
 * other types require the path to exist and be of that kind (symlinks
 * followed). Failures carry upstream's texts: `hostPath P doesn't exist`,
 * `hostPath type check failed: P is not a directory, it's a File`.
 */
import { mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

/** Upstream's HostPathType name of what is at a path. */
function fileType(st: Stats): string {
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return 'Unknown';
}

const DESCRIPTIONS: Record<string, string> = {
  Directory: 'directory',
  File: 'file',
  Socket: 'socket file',
  CharDevice: 'character device',
  BlockDevice: 'block device',
};

async function typeMatchedOrError(path: string, expected: string): Promise<void> {
  const st = await statOrUndefined(path);
  if (!st) throw new Error(`hostPath ${path} doesn't exist`);
  const actual = fileType(st);
  if (actual !== expected) throw new Error(`hostPath type check failed: ${path} is not a ${DESCRIPTIONS[expected]}, it's a ${actual}`);
}

export async function checkHostPathType(path: string, type: string): Promise<void> {
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!(await statOrUndefined(path))) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
      return typeMatchedOrError(path, 'Directory');
    case 'FileOrCreate':
      if (!(await statOrUndefined(path))) {
        const fh = await open(path, 'a', 0o644);
        await fh.close();
        return;
      }
      return typeMatchedOrError(path, 'File');
    case 'Directory':
    case 'File':
    case 'Socket':
    case 'CharDevice':
    case 'BlockDevice':
      return typeMatchedOrError(path, type);
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
