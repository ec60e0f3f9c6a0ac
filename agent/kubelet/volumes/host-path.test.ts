import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkHostPathType } from './host-path.js';

describe('checkHostPathType', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hp-'));
    await writeFile(join(dir, 'file'), 'x');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('checks nothing for the empty type', async () => {
    await checkHostPathType(join(dir, 'missing'), '');
  });

  it('creates a missing directory for DirectoryOrCreate with mode 0755', async () => {
    const p = join(dir, 'made/deep');
    await checkHostPathType(p, 'DirectoryOrCreate');
    const st = await stat(p);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o755);
  });

  it('creates a missing file for FileOrCreate', async () => {
    const p = join(dir, 'newfile');
    await checkHostPathType(p, 'FileOrCreate');
    assert.ok((await stat(p)).isFile());
  });

  it('rejects a wrong kind or a missing path with upstream messages', async () => {
    await assert.rejects(checkHostPathType(join(dir, 'file'), 'Directory'), { message: `hostPath type check failed: ${join(dir, 'file')} is not a directory, it's a File` });
    await assert.rejects(checkHostPathType(dir, 'FileOrCreate'), { message: `hostPath type check failed: ${dir} is not a file, it's a Directory` });
    await assert.rejects(checkHostPathType(join(dir, 'nope'), 'File'), { message: `hostPath ${join(dir, 'nope')} doesn't exist` });
    await assert.rejects(checkHostPathType(dir, 'Bogus'), { message: 'Bogus is an invalid volume type' });
  });

  it('accepts a socket for Socket and a character device for CharDevice', async () => {
    const sock = join(dir, 's.sock');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(sock, r));
    try {
      await checkHostPathType(sock, 'Socket');
    } finally {
      srv.close();
    }
    await checkHostPathType('/dev/null', 'CharDevice');
  });
});
