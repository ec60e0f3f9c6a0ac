/**
 * The query of GET /containerLogs/{ns}/{pod}/{container} as the kubelet
 * reads it: v1.PodLogOptions decoded from query parameters (booleans as Go's
 * strconv.ParseBool, integers as int64), the legacy `tail` parameter
 * (`all` = no limit), then ValidatePodLogOptions. Pure; the clock is
 * passed in to turn sinceSeconds into a time, as upstream's
 * kuberuntime does.
 *
 * Errors carry upstream's answers: 400 `{"message": "Unable to decode
 * query."}` for a value that does not parse, 422 `{"message": "Invalid
 * request."}` for one that fails validation.
 */

/** What the log reader is asked for. */
export interface ContainerLogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Last N lines; undefined = all. */
  tailLines?: number;
  /** Stop after this many bytes. */
  limitBytes?: number;
  /** Only lines stamped at or after this time. */
  sinceTime?: Date;
}

export class LogQueryError extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'LogQueryError';
  }
}

const undecodable = () => new LogQueryError(400, '{"message": "Unable to decode query."}');
const invalid = () => new LogQueryError(422, '{"message": "Invalid request."}');

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw undecodable();
}

function int(v: string | null): number | undefined {
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw undecodable();
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw undecodable();
  return n;
}

/** RFC 3339 (seconds or finer, with a zone), as metav1.Time decodes it. */
function time(v: string | null): Date | undefined {
  if (v === null || v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) throw undecodable();
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw undecodable();
  return d;
}

export function parseLogQuery(q: URLSearchParams, now: Date): ContainerLogQuery {
  const tail = q.get('tail');
  let tailRaw = q.get('tailLines');
  if (tail !== null && tail !== '') tailRaw = tail === 'all' ? null : tail;
  const out: ContainerLogQuery = { follow: bool(q, 'follow'), previous: bool(q, 'previous'), timestamps: bool(q, 'timestamps') };
  const tailLines = int(tailRaw);
  const limitBytes = int(q.get('limitBytes'));
  const sinceSeconds = int(q.get('sinceSeconds'));
  const sinceTime = time(q.get('sinceTime'));
  if (tailLines !== undefined && tailLines < 0) throw invalid();
  if (limitBytes !== undefined && limitBytes < 1) throw invalid();
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw invalid();
  if (sinceSeconds !== undefined && sinceTime !== undefined) throw invalid();
  if (tailLines !== undefined) out.tailLines = tailLines;
  if (limitBytes !== undefined) out.limitBytes = limitBytes;
  if (sinceTime !== undefined) out.sinceTime = sinceTime;
  if (sinceSeconds !== undefined) out.sinceTime = new Date(now.getTime() - sinceSeconds * 1000);
  return out;
}
