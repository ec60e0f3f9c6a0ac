/**
 * tcpSocket probe (upstream pkg/probe/tcp): success when a TCP connection
 * to host:port opens within the timeout, then it is closed at once;
 * otherwise failure with Go's dial error text (`dial tcp 10.42.0.7:80:
 * connect: connection refused`, `dial tcp 10.42.0.7:80: i/o timeout`).
 */
import { connect } from 'node:net';
import { dialErrorText } from './net-errors.js';
import { joinHostPort } from './probe-target.js';

export interface ProbeOutput {
  result: 'success' | 'warning' | 'failure' | 'unknown';
  output: string;
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutput> {
  const hp = joinHostPort(host, port);
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let done = false;
    const finish = (r: ProbeOutput): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${hp}: i/o timeout` }), Math.max(1, timeoutMs));
    sock.once('connect', () => finish({ result: 'success', output: '' }));
    sock.once('error', (e) => finish({ result: 'failure', output: dialErrorText(e, hp) }));
  });
}
