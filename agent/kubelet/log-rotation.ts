/**
 * Container log rotation, as upstream's
 * pkg/kubelet/logs/container_log_manager.go. Every 10 s (monitor
 * interval), for each running container's CRI log file:
 * - a missing file is recovered by asking the runtime to reopen it;
 * - a file of at least containerLogMaxSize (10 MiB) is rotated:
 *   leftover `.tmp` files and plain files whose `.gz` exists are removed,
 *   the oldest rotated files are removed so that at most
 *   containerLogMaxFiles−2 remain, the remaining plain rotated files are
 *   gzip-compressed (`<log>.<ts>.gz`), then the live file is renamed to
 *   `<log>.<YYYYMMDD-hhmmss>` and the runtime reopens it
 *   (ReopenContainerLog); if the reopen fails the rename is undone so the
 *   next round tries again; a rotation whose name (one-second
 *   resolution) is taken waits for the next round.
 * So a container keeps at most containerLogMaxFiles (5) files: the live
 * one, the latest rotation uncompressed (a reader may still follow it)
 * and older ones compressed. `cleanContainerLogs` removes all of them
 * when the kubelet removes a container.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Runtime } from '../cri/runtime.js';
import { systemTimers, type TimerHandle, type Timers } from './probes/timers.js';

export interface ContainerLog {
  containerId: string;
  /** Absolute path of the live CRI log file. */
  logPath: string;
}

export interface ContainerLogManagerOptions {
  runtime: Pick<Runtime, 'reopenContainerLog'>;
  /** The running containers and their log files. */
  listLogs: () => Promise<ContainerLog[]>;
  /** containerLogMaxSize in bytes (default 10 MiB). */
  maxSize?: number;
  /** containerLogMaxFiles (default 5, at least 2). */
  maxFiles?: number;
  /** containerLogMonitorInterval in ms (default 10 s). */
  intervalMs?: number;
  timers?: Timers;
  onError?: (err: Error, log: ContainerLog) => void;
}

const compressSuffix = '.gz';
const tmpSuffix = '.tmp';

/** `10Mi`, `500Ki`, `1G`, `1048576` → bytes (upstream containerLogMaxSize is a resource quantity). */
export function parseLogSize(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(q.trim());
  if (!m) throw new Error(`invalid containerLogMaxSize ${JSON.stringify(q)}`);
  const mult: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Math.floor(Number(m[1]) * (m[2] ? (mult[m[2]] ?? 1) : 1));
}

/** Go's `20060102-150405` in UTC. */
export function rotationTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Rotated files of `log` (`<log>.*`), sorted oldest first. */
export async function rotatedLogs(log: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dirname(log));
  } catch {
    return [];
  }
  const prefix = `${basename(log)}.`;
  return names.filter((n) => n.startsWith(prefix)).sort().map((n) => join(dirname(log), n));
}

async function removeIfExists(p: string): Promise<void> {
  await unlink(p).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

async function compressLog(log: string): Promise<void> {
  const tmp = log + tmpSuffix;
  await pipeline(createReadStream(log), createGzip(), createWriteStream(tmp, { mode: 0o644 }));
  await rename(tmp, log + compressSuffix);
  await removeIfExists(log);
}

/** Removes a container's live log and every rotated file of it. */
export async function cleanContainerLogs(logPath: string): Promise<void> {
  for (const f of [logPath, ...(await rotatedLogs(logPath))]) await removeIfExists(f);
}

export class ContainerLogManager {
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private readonly intervalMs: number;
  private readonly timers: Timers;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ContainerLogManagerOptions) {
    this.maxSize = opts.maxSize ?? 10 * 1024 * 1024;
    this.maxFiles = Math.max(2, opts.maxFiles ?? 5);
    this.intervalMs = opts.intervalMs ?? 10_000;
    this.timers = opts.timers ?? systemTimers;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops the loop and waits for a running round. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private schedule(): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.round = this.rotateLogs().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.intervalMs);
  }

  /** One monitoring round over every running container (upstream rotateLogs). */
  async rotateLogs(): Promise<void> {
    let logs: ContainerLog[];
    try {
      logs = await this.opts.listLogs();
    } catch {
      return;
    }
    for (const l of logs) {
      try {
        await this.rotateIfNeeded(l);
      } catch (e) {
        this.opts.onError?.(e instanceof Error ? e : new Error(String(e)), l);
      }
    }
  }

  private async rotateIfNeeded(l: ContainerLog): Promise<void> {
    let size: number;
    try {
      size = (await stat(l.logPath)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // A failed reopen may have lost the file: ask the runtime to recreate it.
      await this.opts.runtime.reopenContainerLog(l.containerId);
      size = (await stat(l.logPath)).size;
    }
    if (size < this.maxSize) return;
    await this.rotateLog(l);
  }

  private async rotateLog(l: ContainerLog): Promise<void> {
    let logs = await rotatedLogs(l.logPath);
    const rotated = `${l.logPath}.${rotationTimestamp(this.timers.now())}`;
    // Names have a one-second resolution: never overwrite a rotation of the same second.
    if (logs.some((f) => f === rotated || f === rotated + compressSuffix)) return;
    // Clean up what an interrupted round left: temp files, plain files already compressed.
    const inUse = (f: string): boolean => !f.endsWith(tmpSuffix) && (f.endsWith(compressSuffix) || !logs.includes(f + compressSuffix));
    for (const f of logs.filter((f) => !inUse(f))) await removeIfExists(f);
    logs = logs.filter(inUse);
    // Keep at most maxFiles-2 rotated files: the live file and the one rotated now make the rest.
    const excess = logs.length - (this.maxFiles - 2);
    for (let i = 0; i < excess; i++) await removeIfExists(logs[i] ?? '');
    logs = logs.slice(Math.max(0, excess));
    for (const f of logs) if (!f.endsWith(compressSuffix)) await compressLog(f);
    await rename(l.logPath, rotated);
    try {
      await this.opts.runtime.reopenContainerLog(l.containerId);
    } catch (e) {
      // Undo, so the next round rotates again rather than losing the live file.
      await rename(rotated, l.logPath).catch(() => undefined);
      throw new Error(`failed to reopen container log ${JSON.stringify(l.containerId)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
