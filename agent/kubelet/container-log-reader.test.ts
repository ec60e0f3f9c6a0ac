import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseCriLine, parseTimestamp } from './container-log-reader-format.js';
import { containerLogFiles, readContainerLog, type LogReadOptions } from './container-log-reader.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempLog(content: string, name = '0.log'): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logs-'));
  dirs.push(dir);
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push(c);
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function read(paths: string[], opts: LogReadOptions = {}, isRunning = (): boolean => false): Promise<string> {
  const out = new Collect();
  await readContainerLog(paths, opts, out, new AbortController().signal, isRunning);
  return out.text;
}

const T = (s: number, frac = '123456789'): string => `2026-11-28T12:00:${String(s).padStart(2, '0')}.${frac}Z`;
const rec = (s: number, tag: 'F' | 'P', text: string, stream = 'stdout'): string => `${T(s)} ${stream} ${tag} ${text}\n`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('CRI log format', () => {
  it('prints timestamps as Go RFC3339Nano: trailing zeros trimmed, zero offset as Z', () => {
    assert.equal(parseTimestamp('2026-11-28T12:00:00.123400000Z')?.text, '2026-11-28T12:00:00.1234Z');
    assert.equal(parseTimestamp('2026-11-28T12:00:00.000000000Z')?.text, '2026-11-28T12:00:00Z');
    assert.equal(parseTimestamp('2026-11-28T12:00:00.5+00:00')?.text, '2026-11-28T12:00:00.5Z');
    assert.equal(parseTimestamp('2026-11-28T14:00:00.5+02:00')?.text, '2026-11-28T14:00:00.5+02:00');
    assert.equal(parseTimestamp('not a time'), undefined);
  });
  it('compares instants at nanosecond precision across offsets', () => {
    assert.equal(parseTimestamp('2026-11-28T14:00:00.000000001+02:00')?.ns, parseTimestamp('2026-11-28T12:00:00.000000001Z')?.ns);
    const a = parseTimestamp('2026-11-28T12:00:00.000000001Z')?.ns ?? 0n;
    const b = parseTimestamp('2026-11-28T12:00:00.000000002Z')?.ns ?? 0n;
    assert.ok(a < b);
  });
  it('drops the newline of a partial line only, and rejects other formats', () => {
    assert.equal(parseCriLine(Buffer.from(rec(1, 'P', 'abc')))?.log.toString(), 'abc');
    assert.equal(parseCriLine(Buffer.from(rec(1, 'F', 'abc')))?.log.toString(), 'abc\n');
    assert.equal(parseCriLine(Buffer.from(`${T(1)} stdout F:x y\n`))?.log.toString(), 'y\n');
    assert.equal(parseCriLine(Buffer.from(`${T(1)} stdin F x\n`)), undefined);
    assert.equal(parseCriLine(Buffer.from('{"log":"docker json"}\n')), undefined);
  });
});

describe('readContainerLog', () => {
  it('writes each line’s text, stdout and stderr alike, skipping lines that do not parse', async () => {
    const p = tempLog(rec(1, 'F', 'one') + 'garbage\n' + rec(2, 'F', 'two', 'stderr') + rec(3, 'F', ''));
    assert.equal(await read([p]), 'one\ntwo\n\n');
  });

  it('joins partial chunks into one line', async () => {
    const p = tempLog(rec(1, 'P', 'ab') + rec(1, 'P', 'cd') + rec(2, 'F', 'ef') + rec(3, 'F', 'g'));
    assert.equal(await read([p]), 'abcdef\ng\n');
  });

  it('prefixes timestamps only at the start of an output line', async () => {
    const p = tempLog(`2026-11-28T12:00:01.100000000Z stdout P ab\n` + rec(2, 'F', 'cd') + `2026-11-28T12:00:03Z stdout F e\n`);
    assert.equal(await read([p], { timestamps: true }), `2026-11-28T12:00:01.1Z abcd\n2026-11-28T12:00:03Z e\n`);
  });

  it('writes an unterminated last line as is when not following', async () => {
    const p = tempLog(rec(1, 'F', 'a') + `${T(2)} stdout F tail-no-newline`);
    assert.equal(await read([p]), 'a\ntail-no-newline');
  });

  it('tails raw records, partial chunks counting as records, as upstream', async () => {
    const p = tempLog(rec(1, 'F', 'first') + rec(2, 'P', 'a') + rec(2, 'P', 'b') + rec(3, 'F', 'c') + rec(4, 'F', 'd'));
    assert.equal(await read([p], { tailLines: 2 }), 'c\nd\n');
    assert.equal(await read([p], { tailLines: 3 }), 'bc\nd\n');
    assert.equal(await read([p], { tailLines: 10 }), 'first\nabc\nd\n');
    assert.equal(await read([p], { tailLines: 0 }), '');
  });

  it('does not count an unterminated last line for tail, nor write it', async () => {
    const p = tempLog(rec(1, 'F', 'a') + rec(2, 'F', 'b') + rec(3, 'F', 'c') + `${T(4)} stdout F half`);
    assert.equal(await read([p], { tailLines: 2 }), 'b\nc\n');
  });

  it('skips records older than sinceTime at nanosecond precision, and takes the later of sinceTime and sinceSeconds', async () => {
    const p = tempLog(`${T(1, '000000001')} stdout F a\n${T(1, '000000002')} stdout F b\n${T(5, '0')} stdout F c\n`);
    assert.equal(await read([p], { sinceTime: `${T(1, '000000002')}` }), 'b\nc\n');
    assert.equal(await read([p], { sinceTime: '2026-11-28T12:00:02Z' }), 'c\n');
    const now = (): Date => new Date('2026-11-28T12:00:10Z');
    assert.equal(await read([p], { sinceSeconds: 9, now }), 'a\nb\nc\n');
    assert.equal(await read([p], { sinceSeconds: 6, now }), 'c\n');
    assert.equal(await read([p], { sinceSeconds: 9, sinceTime: '2026-11-28T12:00:04Z', now }), 'c\n');
    assert.equal(await read([p], { sinceSeconds: 6, sinceTime: '2026-11-28T12:00:00Z', now }), 'c\n');
  });

  it('cuts the output at limitBytes, mid-line, timestamps included', async () => {
    const p = tempLog(rec(1, 'F', 'hello') + rec(2, 'F', 'world'));
    assert.equal(await read([p], { limitBytes: 8 }), 'hello\nwo');
    assert.equal(await read([p], { limitBytes: 6 }), 'hello\n');
    const withTs = await read([p], { limitBytes: 35, timestamps: true });
    assert.equal(withTs, `${T(1)} hello\n`.slice(0, 35));
    assert.equal(Buffer.byteLength(withTs), 35);
  });

  it('filters by stream when asked', async () => {
    const p = tempLog(rec(1, 'F', 'out') + rec(2, 'F', 'err', 'stderr'));
    assert.equal(await read([p], { stream: 'Stderr' }), 'err\n');
    assert.equal(await read([p], { stream: 'Stdout' }), 'out\n');
  });

  it('reads rotated files (plain and gzip) before the live one, and tails across them', async () => {
    const live = tempLog(rec(5, 'F', 'e') + rec(6, 'F', 'f'));
    const r1 = `${live}.20261128-115900.gz`;
    const r2 = `${live}.20261128-120000`;
    writeFileSync(r1, gzipSync(rec(1, 'F', 'a') + rec(2, 'F', 'b')));
    writeFileSync(r2, rec(3, 'F', 'c') + rec(4, 'F', 'd'));
    assert.deepEqual(await containerLogFiles(live), [r1, r2, live]);
    assert.equal(await read([r1, r2, live]), 'a\nb\nc\nd\ne\nf\n');
    assert.equal(await read([r1, r2, live], { tailLines: 3 }), 'd\ne\nf\n');
    assert.equal(await read([r1, r2, live], { tailLines: 5 }), 'b\nc\nd\ne\nf\n');
  });

  it('fails for a missing live file', async () => {
    await assert.rejects(read(['/nonexistent/skiff/0.log']), /failed to open log file/);
  });

  describe('follow', () => {
    it('streams appended lines, completes partial lines, and ends after the container stops', async () => {
      const p = tempLog(rec(1, 'F', 'start'));
      let running = true;
      const out = new Collect();
      const done = readContainerLog([p], { follow: true, pollIntervalMs: 50 }, out, new AbortController().signal, () => running);
      await until(() => out.text === 'start\n');
      appendFileSync(p, rec(2, 'P', 'par'));
      appendFileSync(p, `${T(3)} stdout F tial`);
      await sleep(120);
      assert.equal(out.text, 'start\npar', 'an unterminated line waits for its newline');
      appendFileSync(p, '\n' + rec(4, 'F', 'more'));
      await until(() => out.text === 'start\npartial\nmore\n');
      appendFileSync(p, rec(5, 'F', 'last words'));
      running = false;
      await done;
      assert.equal(out.text, 'start\npartial\nmore\nlast words\n');
    });

    it('with tailLines starts at the last records and keeps following', async () => {
      const p = tempLog(rec(1, 'F', 'a') + rec(2, 'F', 'b') + rec(3, 'F', 'c'));
      let running = true;
      const out = new Collect();
      const done = readContainerLog([p], { follow: true, tailLines: 1, pollIntervalMs: 50 }, out, new AbortController().signal, () => running);
      await until(() => out.text === 'c\n');
      appendFileSync(p, rec(4, 'F', 'd'));
      await until(() => out.text === 'c\nd\n');
      running = false;
      await done;
    });

    it('continues in the new file after a rotation, draining the old one first', async () => {
      const p = tempLog(rec(1, 'F', 'old-1'));
      let running = true;
      const out = new Collect();
      const done = readContainerLog([p], { follow: true, pollIntervalMs: 50 }, out, new AbortController().signal, () => running);
      await until(() => out.text === 'old-1\n');
      // The runtime still writes to the renamed file until it reopens the log.
      renameSync(p, `${p}.20261128-120000`);
      appendFileSync(`${p}.20261128-120000`, rec(2, 'F', 'old-2'));
      writeFileSync(p, rec(3, 'F', 'new-1'));
      await until(() => out.text === 'old-1\nold-2\nnew-1\n');
      appendFileSync(p, rec(4, 'F', 'new-2'));
      await until(() => out.text.endsWith('new-2\n'));
      running = false;
      await done;
      assert.equal(out.text, 'old-1\nold-2\nnew-1\nnew-2\n');
    });

    it('stops when the signal aborts', async () => {
      const p = tempLog(rec(1, 'F', 'x'));
      const ac = new AbortController();
      const out = new Collect();
      const done = readContainerLog([p], { follow: true, pollIntervalMs: 5000 }, out, ac.signal, () => true);
      await until(() => out.text === 'x\n');
      const t0 = Date.now();
      ac.abort();
      await done;
      assert.ok(Date.now() - t0 < 1000);
    });

    it('stops when the client goes away', async () => {
      const p = tempLog(rec(1, 'F', 'x'));
      const out = new Collect();
      const done = readContainerLog([p], { follow: true, pollIntervalMs: 50 }, out, new AbortController().signal, () => true);
      await until(() => out.text === 'x\n');
      out.destroy();
      appendFileSync(p, rec(2, 'F', 'y'));
      await done;
    });

    it('stops when the signal aborts while the client does not read', async () => {
      const p = tempLog(Array.from({ length: 2000 }, (_, i) => rec(1, 'F', `line ${i} ${'y'.repeat(100)}`)).join(''));
      const ac = new AbortController();
      const stalled = new Writable({ highWaterMark: 1024, write: () => undefined });
      const done = readContainerLog([p], { follow: true, pollIntervalMs: 50 }, stalled, ac.signal, () => true);
      await sleep(100);
      ac.abort();
      await done;
    });

    it('stops at limitBytes while following', async () => {
      const p = tempLog(rec(1, 'F', 'abc'));
      const out = new Collect();
      const done = readContainerLog([p], { follow: true, limitBytes: 6, pollIntervalMs: 50 }, out, new AbortController().signal, () => true);
      await until(() => out.text === 'abc\n');
      appendFileSync(p, rec(2, 'F', 'defg'));
      await done;
      assert.equal(out.text, 'abc\nde');
    });
  });
});
