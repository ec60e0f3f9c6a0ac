/**
 * The CRI container log line format and the kubelet's rendering of it
 * (upstream pkg/kubelet/kuberuntime/logs/logs.go):
 * `<RFC3339Nano> <stdout|stderr> <F|P>[:more tags] <text>\n`.
 * - A `P` (partial) line's own newline is the file's separator, not the
 *   container's output: it is dropped, so partial chunks join up with the
 *   `F` line that closes them.
 * - Timestamps are compared at nanosecond precision (as BigInt) and
 *   printed as Go's RFC3339Nano: trailing fractional zeros trimmed, a zero
 *   offset printed `Z`, any other offset kept as written.
 */

export interface LogMessage {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  /** The timestamp as the kubelet prints it with `timestamps=true`. */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  /** The text, with the trailing newline for full lines (and none for partial ones). */
  log: Buffer;
}

const tsRe = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp with optional fraction; undefined when malformed. */
export function parseTimestamp(s: string): { ns: bigint; text: string } | undefined {
  const m = tsRe.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(se) > 60) return undefined;
  const digits = frac.slice(0, 9).padEnd(9, '0');
  let offsetMin = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const ns = BigInt(ms) * 1_000_000n - BigInt(offsetMin) * 60_000_000_000n + BigInt(digits);
  const trimmed = digits.replace(/0+$/, '');
  const text = `${y}-${mo}-${d}T${h}:${mi}:${se}${trimmed ? `.${trimmed}` : ''}${offsetMin === 0 ? 'Z' : zone}`;
  return { ns, text };
}

/** Nanoseconds since the epoch of a Date. */
export function dateToNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}

const SP = 0x20;

/** Parses one raw line (with its `\n`, if any); undefined when it is not a CRI log line. */
export function parseCriLine(line: Buffer): LogMessage | undefined {
  const i1 = line.indexOf(SP);
  if (i1 < 0) return undefined;
  const ts = parseTimestamp(line.subarray(0, i1).toString('latin1'));
  if (!ts) return undefined;
  const i2 = line.indexOf(SP, i1 + 1);
  if (i2 < 0) return undefined;
  const stream = line.subarray(i1 + 1, i2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const i3 = line.indexOf(SP, i2 + 1);
  if (i3 < 0) return undefined;
  const tags = line.subarray(i2 + 1, i3).toString('latin1').split(':');
  const partial = tags[0] === 'P';
  let log = line.subarray(i3 + 1);
  if (partial && log.length > 0 && log[log.length - 1] === 0x0a) log = log.subarray(0, log.length - 1);
  return { ns: ts.ns, timestamp: ts.text, stream, partial, log };
}
