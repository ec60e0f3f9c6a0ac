/**
 * Translation of etcd client failures into catalogue ApiErrors.
 *
 * etcd reports its errors as gRPC statuses whose messages carry stable
 * `etcdserver:` / `mvcc:` texts; the etcd3 client wraps them in its own
 * classes. We match on the texts (the classes differ between versions) and
 * never surface a 500: anything unrecognised means the backend is not
 * answering properly, which clients should treat as 503 and retry.
 */
import { ApiError, errorMessage, isApiError, tooLarge, unavailable } from '../api/errors.js';
import { futureRevision, tooOldRevision } from './store-errors.js';

const COMPACTED = 'required revision has been compacted';
const FUTURE = 'required revision is a future revision';
const TOO_LARGE = ['request is too large', 'larger than max'];

export function isCompactedError(e: unknown): boolean {
  return errorMessage(e).includes(COMPACTED);
}

export function isFutureRevisionError(e: unknown): boolean {
  return errorMessage(e).includes(FUTURE);
}

export interface EtcdErrorContext {
  /** The revision the caller asked for (for Expired / future-revision messages). */
  revision?: number;
  /** The compacted revision, when known. */
  compacted?: number;
  /** The current revision, when known. */
  current?: number;
}

export function fromEtcdError(e: unknown, ctx: EtcdErrorContext = {}): ApiError {
  if (isApiError(e)) return e;
  const msg = errorMessage(e);
  if (msg.includes(COMPACTED)) return tooOldRevision(ctx.revision ?? 0, ctx.compacted ?? 0);
  if (msg.includes(FUTURE)) return futureRevision(ctx.revision ?? 0, ctx.current ?? 0);
  if (TOO_LARGE.some((t) => msg.includes(t))) {
    return tooLarge(`Request entity too large: ${msg}`);
  }
  return unavailable(`etcd is unavailable: ${msg}`, { cause: e });
}
