/**
 * CRI errors: gRPC status codes → RuntimeError, and the message text
 * runtimes and the kubelet show.
 *
 * Upstream's kubelet passes the Go gRPC error string through to pod status
 * and events (e.g. `Failed to pull image "x": rpc error: code = NotFound
 * desc = failed to pull and unpack image ...`), so RuntimeError messages
 * use that same `rpc error: code = <Name> desc = <details>` form. The fake
 * runtime builds its errors with `criError` too, so kubelet unit tests see
 * the texts a real runtime produces.
 *
 * This is the only place gRPC codes are known (grpc-runtime.ts calls
 * `fromGrpcError`); the kubelet reads RuntimeError.code only.
 */
import { RuntimeError, type RuntimeErrorCode } from './runtime.js';

/** gRPC status codes (google.rpc.Code) and their Go names as printed by grpc-go. */
const GRPC_CODES: Record<number, { go: string; code: RuntimeErrorCode }> = {
  1: { go: 'Canceled', code: 'UNKNOWN' },
  2: { go: 'Unknown', code: 'UNKNOWN' },
  3: { go: 'InvalidArgument', code: 'INVALID_ARGUMENT' },
  4: { go: 'DeadlineExceeded', code: 'DEADLINE_EXCEEDED' },
  5: { go: 'NotFound', code: 'NOT_FOUND' },
  6: { go: 'AlreadyExists', code: 'ALREADY_EXISTS' },
  7: { go: 'PermissionDenied', code: 'UNKNOWN' },
  8: { go: 'ResourceExhausted', code: 'UNKNOWN' },
  9: { go: 'FailedPrecondition', code: 'UNKNOWN' },
  10: { go: 'Aborted', code: 'UNKNOWN' },
  11: { go: 'OutOfRange', code: 'UNKNOWN' },
  12: { go: 'Unimplemented', code: 'UNIMPLEMENTED' },
  13: { go: 'Internal', code: 'UNKNOWN' },
  14: { go: 'Unavailable', code: 'UNAVAILABLE' },
  15: { go: 'DataLoss', code: 'UNKNOWN' },
  16: { go: 'Unauthenticated', code: 'UNKNOWN' },
};

const GO_NAME: Record<RuntimeErrorCode, string> = {
  NOT_FOUND: 'NotFound',
  UNIMPLEMENTED: 'Unimplemented',
  UNAVAILABLE: 'Unavailable',
  DEADLINE_EXCEEDED: 'DeadlineExceeded',
  INVALID_ARGUMENT: 'InvalidArgument',
  ALREADY_EXISTS: 'AlreadyExists',
  UNKNOWN: 'Unknown',
};

/** A RuntimeError with grpc-go's message form: `rpc error: code = NotFound desc = <desc>`. */
export function criError(code: RuntimeErrorCode, desc: string): RuntimeError {
  return new RuntimeError(code, `rpc error: code = ${GO_NAME[code]} desc = ${desc}`);
}

/** The shape of a @grpc/grpc-js ServiceError (kept structural so this module needs no gRPC import). */
interface GrpcStatusError {
  code: number;
  details?: string;
  message?: string;
}

function isGrpcStatusError(e: unknown): e is GrpcStatusError {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';
}

/** Translates a failed gRPC call into a RuntimeError (anything else becomes UNKNOWN). */
export function fromGrpcError(e: unknown, method: string): RuntimeError {
  if (e instanceof RuntimeError) return e;
  if (!isGrpcStatusError(e)) return new RuntimeError('UNKNOWN', `${method}: ${e instanceof Error ? e.message : String(e)}`);
  const known = GRPC_CODES[e.code];
  const desc = e.details ?? e.message ?? '';
  if (!known) return new RuntimeError('UNKNOWN', `rpc error: code = Code(${e.code}) desc = ${desc}`);
  return new RuntimeError(known.code, `rpc error: code = ${known.go} desc = ${desc}`);
}
