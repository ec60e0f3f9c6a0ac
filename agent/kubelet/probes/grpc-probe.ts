/**
 * grpc probe (upstream pkg/probe/grpc): calls grpc.health.v1.Health/Check
 * with the probe's service name on podIP:port over plaintext, within the
 * timeout (connect and call together), User-Agent kube-probe/<major.minor>.
 * SERVING is success (`service healthy`); anything else fails with
 * upstream's texts: `service unhealthy (responded with "NOT_SERVING")`,
 * `timeout: health rpc did not complete within 1s`, `error: this server
 * does not implement the grpc health protocol (grpc.health.v1.Health): …`,
 * `timeout: failed to connect service "10.42.0.7:9090" within 1s: …`.
 * The two protobuf messages are tiny, so they are coded by hand.
 */
import { Client, credentials, Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { joinHostPort } from './probe-target.js';
import type { ProbeOutput } from './tcp-probe.js';

const servingStatus = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest { string service = 1; } */
export function encodeHealthCheckRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  if (s.length === 0) return Buffer.alloc(0);
  const len: number[] = [];
  let n = s.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}

/** HealthCheckResponse { ServingStatus status = 1; } → the status number (0 when absent). */
export function decodeHealthCheckResponse(b: Buffer): number {
  let i = 0;
  let status = 0;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = b[i++] ?? 0;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80 || i >= b.length) return v;
      shift += 7;
    }
  };
  while (i < b.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) status = v;
    } else if (wire === 2) i += varint();
    else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else break;
  }
  return status;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function grpcProbe(host: string, port: number, service: string, timeoutMs: number, userAgent: string): Promise<ProbeOutput> {
  const addr = joinHostPort(host, port);
  const client = new Client(addr, credentials.createInsecure(), { 'grpc.primary_user_agent': userAgent, 'grpc.enable_retries': 0 });
  const deadline = Date.now() + timeoutMs;
  return new Promise<ProbeOutput>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({ result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${seconds(timeoutMs)}: context deadline exceeded` });
        return;
      }
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (s: string) => encodeHealthCheckRequest(s),
        (b: Buffer) => decodeHealthCheckResponse(b),
        service,
        new Metadata(),
        { deadline },
        (e: ServiceError | null, status?: number) => {
          if (e) {
            if (e.code === grpcStatus.UNIMPLEMENTED) resolve({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}` });
            else if (e.code === grpcStatus.DEADLINE_EXCEEDED) resolve({ result: 'failure', output: `timeout: health rpc did not complete within ${seconds(timeoutMs)}` });
            else resolve({ result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${grpcStatus[e.code] ?? e.code} desc = ${e.details}` });
            return;
          }
          const st = status ?? 0;
          if (st !== 1) resolve({ result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(servingStatus[st] ?? String(st))})` });
          else resolve({ result: 'success', output: 'service healthy' });
        },
      );
    });
  }).finally(() => client.close());
}
