import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { RuntimeError } from '../cri/runtime.js';
import { cleanContainerLogs, ContainerLogManager, parseLogSize, rotationTimestamp } from './log-rotation.js';
import { ManualTimers } from './probes/timers.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A runtime that does what containerd's ReopenContainerLog does to the file: open it anew (create if missing). */
class RecordingRuntime {
  reopened: string[] = [];
  fail = false;
  constructor(private readonly paths: Map<string, string>) {}
  async reopenContainerLog(id: string): Promise<void> {
    this.reopened.push(id);
    if (this.fail) throw new RuntimeError('UNKNOWN', 'container is not running');
    const p = this.paths.get(id);
    if (p && !existsSync(p)) writeFileSync(p, '');
  }
}

function setup(maxFiles = 5): { dir: string; log: string; rt: RecordingRuntime; timers: ManualTimers; mgr: ContainerLogManager } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-logrot-'));
  dirs.push(dir);
  const log = join(dir, '0.log');
  const rt = new RecordingRuntime(new Map([['c1', log]]));
  const timers = new ManualTimers(Date.UTC(2026, 10, 28, 12, 0, 0));
  const mgr = new ContainerLogManager({ runtime: rt, listLogs: async () => [{ containerId: 'c1', logPath: log }], maxSize: 100, maxFiles, timers });
  return { dir, log, rt, timers, mgr };
}
const line = (i: number): string => `2026-11-28T12:00:00.${String(i).padStart(9, '0')}Z stdout F line ${i}\n`;
const fill = (p: string, from: number): void => writeFileSync(p, Array.from({ length: 5 }, (_, i) => line(from + i)).join(''), { flag: 'a' });

describe('container log rotation', () => {
  it('parses containerLogMaxSize quantities', () => {
    assert.equal(parseLogSize('10Mi'), 10 * 1024 * 1024);
    assert.equal(parseLogSize('500Ki'), 500 * 1024);
    assert.equal(parseLogSize('1M'), 1_000_000);
    assert.equal(parseLogSize('4096'), 4096);
    assert.throws(() => parseLogSize('ten'));
  });

  it('leaves a log below the maximum size alone', async () => {
    const { log, rt, mgr } = setup();
    writeFileSync(log, line(1));
    await mgr.rotateLogs();
    assert.deepEqual(rt.reopened, []);
    assert.equal(readFileSync(log, 'utf8'), line(1));
  });

  it('renames a full log to <log>.<timestamp> and asks the runtime to reopen it', async () => {
    const { dir, log, rt, mgr } = setup();
    fill(log, 0);
    assert.ok(statSync(log).size >= 100);
    await mgr.rotateLogs();
    assert.deepEqual(rt.reopened, ['c1']);
    assert.deepEqual(readdirSync(dir).sort(), ['0.log', '0.log.20261128-120000']);
    assert.equal(readFileSync(join(dir, '0.log.20261128-120000'), 'utf8').split('\n')[0], line(0).trimEnd());
    assert.equal(statSync(log).size, 0);
  });

  it('compresses older rotations and keeps at most containerLogMaxFiles files', async () => {
    const { dir, log, timers, mgr } = setup(4);
    for (let round = 0; round < 5; round++) {
      fill(log, round * 10);
      await timers.advance(60_000);
      await mgr.rotateLogs();
    }
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['0.log', '0.log.20261128-120300.gz', '0.log.20261128-120400.gz', '0.log.20261128-120500']);
    const older = gunzipSync(readFileSync(join(dir, '0.log.20261128-120400.gz'))).toString('utf8');
    assert.ok(older.startsWith(line(30)), 'the compressed file holds that round’s lines');
  });

  it('removes leftovers of an interrupted round', async () => {
    const { dir, log, mgr } = setup();
    writeFileSync(join(dir, '0.log.20261128-110000.tmp'), 'partial');
    writeFileSync(join(dir, '0.log.20261128-100000'), 'plain');
    writeFileSync(join(dir, '0.log.20261128-100000.gz'), 'gz');
    fill(log, 0);
    await mgr.rotateLogs();
    assert.deepEqual(readdirSync(dir).sort(), ['0.log', '0.log.20261128-100000.gz', '0.log.20261128-120000']);
  });

  it('undoes the rename when the runtime cannot reopen, so the next round retries', async () => {
    const { dir, log, rt } = setup();
    const errors: string[] = [];
    const m = new ContainerLogManager({ runtime: rt, listLogs: async () => [{ containerId: 'c1', logPath: log }], maxSize: 100, onError: (e) => errors.push(e.message) });
    fill(log, 0);
    rt.fail = true;
    await m.rotateLogs();
    assert.deepEqual(readdirSync(dir), ['0.log']);
    assert.deepEqual(errors, ['failed to reopen container log "c1": container is not running']);
  });

  it('does not rotate twice within one second (the names would collide)', async () => {
    const { dir, log, rt, mgr } = setup();
    fill(log, 0);
    await mgr.rotateLogs();
    fill(log, 10);
    await mgr.rotateLogs();
    assert.deepEqual(rt.reopened, ['c1']);
    assert.deepEqual(readdirSync(dir).sort(), ['0.log', '0.log.20261128-120000']);
    assert.ok(readFileSync(log, 'utf8').startsWith(line(10)), 'the live file waits for the next round');
  });

  it('asks the runtime to recreate a missing log file', async () => {
    const { log, rt, mgr } = setup();
    await mgr.rotateLogs();
    assert.deepEqual(rt.reopened, ['c1']);
    assert.equal(existsSync(log), true);
  });

  it('runs every interval once started, and stops', async () => {
    const { dir, log, rt, timers, mgr } = setup();
    fill(log, 0);
    mgr.start();
    await timers.advance(9_000);
    assert.deepEqual(rt.reopened, []);
    await timers.advance(1_000);
    await timers.advance(0);
    await mgr.stop();
    assert.deepEqual(rt.reopened, ['c1']);
    assert.equal(readdirSync(dir).length, 2);
    assert.equal(timers.size, 0);
  });

  it('cleans a container’s live and rotated logs', async () => {
    const { dir, log } = setup();
    writeFileSync(log, 'x');
    writeFileSync(`${log}.20261128-100000.gz`, 'x');
    writeFileSync(join(dir, '1.log'), 'other attempt');
    await cleanContainerLogs(log);
    assert.deepEqual(readdirSync(dir), ['1.log']);
  });

  it('formats rotation timestamps as Go 20060102-150405', () => {
    assert.equal(rotationTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5)), '20260102-030405');
  });
});
