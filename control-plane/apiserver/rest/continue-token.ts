/**
 * List continue tokens: opaque base64 of `{"v":"meta.k8s.io/v1","rv":R,
 * "start":K}` (upstream's shape), where R is the revision the first page
 * was read at and K the last returned key relative to the collection
 * prefix. Later pages read at R, so pagination is consistent across
 * concurrent writes.
 */
import { ApiError, badRequest } from '../../api/errors.js';

export interface ContinueToken {
  rv: number;
  /** Last returned key, relative to the list prefix. */
  start: string;
}

export function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start }), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
  const d = doc as { v?: unknown; rv?: unknown; start?: unknown } | null;
  if (!d || d.v !== 'meta.k8s.io/v1') throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof d.rv !== 'number' || !Number.isInteger(d.rv) || d.rv < 0) throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof d.start !== 'string' || d.start === '' || d.start.startsWith('/') || d.start.split('/').includes('..')) {
    throw badRequest('continue key is not valid: invalid start key');
  }
  return { rv: d.rv, start: d.start };
}

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** 410 Expired whose Status carries a token for an inconsistent continuation. */
export class ContinueExpiredError extends ApiError {
  constructor(readonly inconsistentContinue: string) {
    super('SKIFF_EXPIRED', CONTINUE_EXPIRED_MESSAGE);
  }

  override toStatus(): ReturnType<ApiError['toStatus']> {
    const s = super.toStatus();
    s.metadata = { continue: this.inconsistentContinue };
    return s;
  }
}
