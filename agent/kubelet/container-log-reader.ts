/**
 * Serves a container's CRI log file the way the kubelet does for
 * `kubectl logs` (upstream pkg/kubelet/kuberuntime/logs/logs.go ReadLogs),
 * byte for byte:
 * - each line's text is written as is: `F` lines end with `\n`, `P`
 *   chunks carry none, so a split line comes out whole; with `timestamps`
 *   a line is prefixed `<RFC3339Nano> ` (only at the start of an output
 *   line: the chunks after a `P` get no prefix);
 * - tailLines counts raw file lines (CRI records, `P` chunks included)
 *   from the end, an unterminated last line not counted; without follow
 *   exactly that many records are read;
 * - sinceSeconds/sinceTime (the later one wins) skip records older than
 *   that instant (nanosecond precision); limitBytes cuts the output at
 *   that many bytes, mid-line if need be;
 * - follow reads on as the file grows (directory watch plus a 1 s forced
 *   check), continues in the new file when the runtime reopens the log
 *   after a rotation (the old file is drained first), and ends once the
 *   container is no longer running and the file has been read to its end;
 *   an unterminated last line is not written in follow mode;
 * - lines that do not parse are skipped.
 * `paths` are the files to read oldest first, the live file last. Upstream
 * reads only the live file (pass `[logPath]` to match it; `previous` is
 * the caller's choice of path); rotated files before it, plain or `.gz`,
 * extend the history and count for tailLines.
 * Resolves when done, when `signal` aborts or when `out` closes.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { dateToNs, parseCriLine, parseTimestamp, type LogMessage } from './container-log-reader-format.js';
import { rotatedLogs } from './log-rotation.js';

export interface LogReadOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC 3339 or a Date. */
  sinceTime?: string | Date;
  timestamps?: boolean;
  limitBytes?: number;
  /** PodLogOptions.stream: All (default), Stdout or Stderr. */
  stream?: 'All' | 'Stdout' | 'Stderr';
  /** Clock for sinceSeconds. */
  now?: () => Date;
  /** Forced re-check period while following (upstream 1 s). */
  pollIntervalMs?: number;
}

const gunzipAsync = promisify(gunzip);
const blockSize = 64 * 1024;
const NL = 0x0a;

class Done extends Error {}

/** Writes messages as upstream's logWriter; throws Done at the byte limit or when the client left. */
class LogWriter {
  private remain: number;
  private batch: Buffer[] = [];
  private closed = false;
  constructor(
    private readonly out: Writable,
    private readonly opts: LogReadOptions,
    private readonly since: bigint | undefined,
    private readonly signal: AbortSignal,
  ) {
    this.remain = opts.limitBytes !== undefined && opts.limitBytes >= 0 ? opts.limitBytes : Infinity;
    out.once('close', () => (this.closed = true));
  }

  write(msg: LogMessage, addPrefix: boolean): void {
    if (this.since !== undefined && msg.ns < this.since) return;
    const want = this.opts.stream ?? 'All';
    if (want !== 'All' && want.toLowerCase() !== msg.stream) return;
    let line = this.opts.timestamps && addPrefix ? Buffer.concat([Buffer.from(`${msg.timestamp} `), msg.log]) : msg.log;
    if (line.length > this.remain) line = line.subarray(0, this.remain);
    this.batch.push(line);
    this.remain -= line.length;
    if (this.remain <= 0) throw new Done();
  }

  async flush(): Promise<void> {
    if (this.closed || this.out.destroyed) throw new Done();
    if (this.batch.length === 0) return;
    const buf = Buffer.concat(this.batch);
    this.batch = [];
    if (!this.out.write(buf)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.signal.removeEventListener('abort', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
        this.signal.addEventListener('abort', done);
      });
    }
    if (this.closed || this.out.destroyed || this.signal.aborted) throw new Done();
  }
}

/** Line state shared across files, as upstream's loop variables. */
class LineSink {
  private isNewLine = true;
  private limitedNum: number;
  constructor(
    private readonly writer: LogWriter,
    private readonly limited: boolean,
    tail: number,
  ) {
    this.limitedNum = tail;
  }
  /** Whether no more records may be written (tail reached). */
  get full(): boolean {
    return this.limited && this.limitedNum <= 0;
  }
  line(raw: Buffer): void {
    if (this.full) throw new Done();
    const msg = parseCriLine(raw);
    if (!msg) return;
    this.writer.write(msg, this.isNewLine);
    if (this.limited) this.limitedNum--;
    this.isNewLine = msg.log.length > 0 ? msg.log[msg.log.length - 1] === NL : true;
  }
}

/** Feeds the complete lines of `buf` to the sink; returns the unterminated rest. */
function feedLines(buf: Buffer, sink: LineSink): Buffer {
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(NL, start);
    if (nl < 0) break;
    sink.line(buf.subarray(start, nl + 1));
    start = nl + 1;
  }
  return buf.subarray(start);
}

async function loadRotated(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  return path.endsWith('.gz') ? gunzipAsync(raw) : raw;
}

/** Offset just after the `need`-th newline from the end of buf, or -1 with how many newlines it holds. */
function afterNthNewlineFromEnd(buf: Buffer, need: number): { offset: number; count: number } {
  let count = 0;
  for (let i = buf.length - 1; i >= 0; i--) {
    if (buf[i] === NL && ++count === need) return { offset: i + 1, count };
  }
  return { offset: -1, count };
}

/** Same for an open file, reading blocks backwards (upstream FindTailLineStartIndex). */
async function fileAfterNthNewlineFromEnd(fh: FileHandle, size: number, need: number): Promise<{ offset: number; count: number }> {
  let count = 0;
  const buf = Buffer.alloc(blockSize);
  for (let right = size; right > 0; right -= blockSize) {
    const left = Math.max(0, right - blockSize);
    const { bytesRead } = await fh.read(buf, 0, right - left, left);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] === NL && ++count === need) return { offset: left + i + 1, count };
    }
  }
  return { offset: -1, count };
}

function sinceOf(opts: LogReadOptions): bigint | undefined {
  let since: bigint | undefined;
  if (opts.sinceSeconds !== undefined) since = dateToNs(opts.now?.() ?? new Date()) - BigInt(Math.floor(opts.sinceSeconds)) * 1_000_000_000n;
  if (opts.sinceTime !== undefined) {
    const t = opts.sinceTime instanceof Date ? dateToNs(opts.sinceTime) : parseTimestamp(opts.sinceTime)?.ns;
    if (t !== undefined && (since === undefined || t > since)) since = t;
  }
  return since;
}

/** Waits for a change in a directory (or the forced check period, or abort). */
class DirWaiter {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;
  constructor(
    dir: string,
    private readonly signal: AbortSignal,
  ) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.poke());
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined; // polling only
    }
  }
  private poke(): void {
    this.changed = true;
    this.wake?.();
  }
  async wait(ms: number): Promise<void> {
    if (this.changed || this.signal.aborted) {
      this.changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
      this.signal.addEventListener('abort', done);
    });
    this.changed = false;
  }
  close(): void {
    this.watcher?.close();
  }
}

export async function readContainerLog(paths: string[], opts: LogReadOptions, out: Writable, signal: AbortSignal, isRunning: () => boolean): Promise<void> {
  const live = paths[paths.length - 1];
  if (live === undefined) return;
  const tail = opts.tailLines !== undefined && opts.tailLines >= 0 ? Math.floor(opts.tailLines) : -1;
  const follow = !!opts.follow;
  const writer = new LogWriter(out, opts, sinceOf(opts), signal);
  const sink = new LineSink(writer, tail >= 0 && !follow, tail);
  const rotated = paths.slice(0, -1);

  let fh: FileHandle;
  try {
    fh = await open(live, 'r');
  } catch (e) {
    throw new Error(`failed to open log file ${JSON.stringify(live)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let waiter: DirWaiter | undefined;
  try {
    // Where to start: after the (tail+1)-th newline from the end of all files together.
    let firstFile = 0;
    let firstOffset = 0;
    const loaded = new Map<number, Buffer>();
    let pos = 0;
    if (tail >= 0) {
      let need = tail + 1;
      const size = (await fh.stat()).size;
      const r = await fileAfterNthNewlineFromEnd(fh, size, need);
      if (r.offset >= 0) {
        firstFile = rotated.length;
        pos = r.offset;
      } else {
        need -= r.count;
        let found = false;
        for (let i = rotated.length - 1; i >= 0 && !found; i--) {
          const buf = await loadRotated(rotated[i] ?? '');
          loaded.set(i, buf);
          const q = afterNthNewlineFromEnd(buf, need);
          if (q.offset >= 0) {
            firstFile = i;
            firstOffset = q.offset;
            found = true;
          } else need -= q.count;
        }
      }
    }

    try {
      for (let i = firstFile; i < rotated.length; i++) {
        const buf = loaded.get(i) ?? (await loadRotated(rotated[i] ?? ''));
        const rest = feedLines(buf.subarray(i === firstFile ? firstOffset : 0), sink);
        if (rest.length > 0) sink.line(rest);
        await writer.flush();
      }
      if (sink.full) return;

      let carry: Buffer = Buffer.alloc(0);
      let found = true;
      let ino = (await fh.stat()).ino;
      const chunk = Buffer.alloc(blockSize);
      for (;;) {
        if (signal.aborted) return;
        const { bytesRead } = await fh.read(chunk, 0, blockSize, pos);
        if (bytesRead > 0) {
          pos += bytesRead;
          carry = feedLines(Buffer.concat([carry, chunk.subarray(0, bytesRead)]), sink);
          await writer.flush();
          continue;
        }
        // End of file.
        if (!follow) {
          if (carry.length > 0) sink.line(carry);
          await writer.flush();
          return;
        }
        if (!found) return;
        if (!waiter) {
          waiter = new DirWaiter(dirname(live), signal);
          continue; // read once more: a change may have come before the watch
        }
        if (!isRunning()) {
          found = false;
          continue;
        }
        await waiter.wait(opts.pollIntervalMs ?? 1000);
        const st = await stat(live).catch(() => undefined);
        if (st && st.ino !== ino) {
          // Rotated: drain what the old file got since, then go on in the new one.
          for (;;) {
            const { bytesRead: n } = await fh.read(chunk, 0, blockSize, pos);
            if (n === 0) break;
            pos += n;
            carry = feedLines(Buffer.concat([carry, chunk.subarray(0, n)]), sink);
          }
          await writer.flush();
          let next: FileHandle;
          try {
            next = await open(live, 'r');
          } catch {
            continue;
          }
          await fh.close();
          fh = next;
          ino = (await fh.stat()).ino;
          pos = 0;
          carry = Buffer.alloc(0);
        }
      }
    } catch (e) {
      if (!(e instanceof Done)) throw e;
      await writer.flush().catch(() => undefined);
    }
  } finally {
    waiter?.close();
    await fh.close().catch(() => undefined);
  }
}

/** The rotated files of a log (plain and `.gz`, oldest first) followed by the live file. */
export async function containerLogFiles(logPath: string): Promise<string[]> {
  const rotated = (await rotatedLogs(logPath)).filter((f) => !f.endsWith('.tmp'));
  // A plain rotation whose .gz exists is a leftover of an interrupted compression.
  const set = new Set(rotated);
  return [...rotated.filter((f) => !set.has(`${f}.gz`)), logPath];
}
