/**
 * The one place errors become HTTP: every failure leaves the apiserver as a
 * metav1.Status with the catalogue's code and reason. Fastify's own errors
 * (body too large, bad media type, malformed JSON) are mapped onto the
 * catalogue too, and anything unexpected is a logged 500 InternalError —
 * never a crash and never a non-Status body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, badRequest, internal, isApiError, tooLarge, unsupportedMediaType, errorMessage } from '../api/errors.js';

/** Maps any thrown value onto a catalogue ApiError. */
export function toApiError(err: unknown, contentType?: string): ApiError {
  if (isApiError(err)) return err;
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return unsupportedMediaType(contentType ?? '');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest(errorMessage(err));
    default:
      break;
  }
  if (err instanceof SyntaxError) return badRequest(err.message);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return badRequest(errorMessage(err));
  }
  return internal(`Internal error occurred: ${errorMessage(err)}`, { cause: err });
}

export function sendStatusError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const apiErr = toApiError(err, request.headers['content-type']);
  if (apiErr.status >= 500) request.log.error({ err }, 'request failed');
  if (reply.sent || reply.raw.headersSent) {
    // A stream (watch, log) already started: nothing can be sent any more.
    reply.raw.destroy();
    return;
  }
  const retry = apiErr.details?.retryAfterSeconds;
  if (retry !== undefined) void reply.header('retry-after', String(retry));
  void reply.code(apiErr.status).type('application/json').send(JSON.stringify(apiErr.toStatus()));
}
