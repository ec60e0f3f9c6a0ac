/**
 * Just enough gRPC to probe and clean a containerd CRI socket, without
 * the CRI client: unary calls over HTTP/2 on the unix socket with
 * hand-encoded protobuf bodies (string and message fields only).
 *
 * Why: containerd accepts connections before its CRI plugin has recovered
 * its state, and until then every CRI call fails with "server is not
 * initialized yet"; probeCri() returning status 0 means CRI is serving,
 * status 12 (UNIMPLEMENTED, "unknown service") means the CRI plugin did
 * not load — a configuration error, not a wait. Cleanup uses the same
 * wire to stop and remove sandboxes through CRI, which also runs CNI DEL
 * (portmap rules, IPAM leases) — something `ctr` cannot do.
 */
import { connect as h2connect, constants } from 'node:http2';
import { connect as netConnect } from 'node:net';

export interface UnaryResult {
  /** grpc-status, or -1 when the socket did not answer properly. */
  status: number;
  message: string;
  /** The response message (without the 5-byte gRPC frame header). */
  body: Buffer;
}

export function unaryCall(socketPath: string, method: string, request: Buffer, timeoutMs = 5000): Promise<UnaryResult> {
  return new Promise((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    const session = h2connect('http://localhost', { createConnection: () => netConnect(socketPath) });
    const done = (status: number, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      const all = Buffer.concat(chunks);
      resolve({ status, message, body: all.length >= 5 ? all.subarray(5, 5 + all.readUInt32BE(1)) : Buffer.alloc(0) });
    };
    const timer = setTimeout(() => done(-1, `no answer within ${timeoutMs} ms`), timeoutMs);
    session.on('error', (e: Error) => done(-1, e.message));
    const req = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: method,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const fromHeaders = (h: Record<string, unknown>): void => {
      const s = h['grpc-status'];
      if (s === undefined) return;
      const msg = h['grpc-message'];
      done(Number(s), typeof msg === 'string' ? decodeURIComponent(msg) : '');
    };
    req.on('response', fromHeaders);
    req.on('trailers', fromHeaders);
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => done(-1, 'stream ended without grpc-status'));
    req.on('error', (e: Error) => done(-1, e.message));
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(request.length, 1);
    req.end(Buffer.concat([frame, request]));
  });
}

export async function probeCri(socketPath: string, timeoutMs = 2000): Promise<{ status: number; message: string }> {
  const r = await unaryCall(socketPath, '/runtime.v1.RuntimeService/Version', Buffer.alloc(0), timeoutMs);
  return { status: r.status, message: r.message };
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A message holding one string field. */
export function encodeStringField(field: number, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

/** The length-delimited values of one field number (strings, sub-messages). */
export function decodeBytesFields(buf: Buffer, field: number): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (off >= buf.length) throw new Error('protobuf: truncated varint');
      const b = buf[off++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (off < buf.length) {
    const key = readVarint();
    const wire = key % 8;
    const num = Math.floor(key / 8);
    if (wire === 0) readVarint();
    else if (wire === 1) off += 8;
    else if (wire === 5) off += 4;
    else if (wire === 2) {
      const len = readVarint();
      if (num === field) out.push(buf.subarray(off, off + len));
      off += len;
    } else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}
