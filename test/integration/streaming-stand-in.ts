/**
 * A stand-in node agent for the streaming tests: an HTTPS server with a
 * serving certificate from the test server's cluster CA that requires a
 * client certificate from the same CA and records everything it receives.
 *
 * - Upgrades: `SPDY/3.1` → 101 (choosing the first offered
 *   X-Stream-Protocol-Version) and then echoes every byte; WebSocket → 400,
 *   as containerd refuses v5.channel.k8s.io.
 * - GET /containerLogs/...: `line 1\nline 2\n` chunked; with follow=true
 *   the response stays open until finishFollow() writes `line 3` and ends.
 * - Anything else: 200 `agent:<path>`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { issueServingCert } from '../../control-plane/pki/certificates.js';
import { importKeyPair } from '../../control-plane/pki/keys.js';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  clientCN: string;
  upgraded: boolean;
  /** Bytes received after a 101. */
  received: Buffer[];
}

export interface StandIn {
  port: number;
  requests: Recorded[];
  /** Ends every open follow stream after one more line. */
  finishFollow(): void;
  close(): Promise<void>;
}

export async function startStandIn(tlsDir: string): Promise<StandIn> {
  const caPem = readFileSync(join(tlsDir, 'ca.crt'), 'utf8');
  const ca = { cert: new x509.X509Certificate(caPem), keys: await importKeyPair(readFileSync(join(tlsDir, 'ca.key'), 'utf8')) };
  const serving = await issueServingCert(ca, 'stand-in-agent', { dns: ['localhost'], ips: ['127.0.0.1'] }, new Date());
  const requests: Recorded[] = [];
  const follows = new Set<ServerResponse>();
  const sockets = new Set<Duplex>();

  const record = (req: { method?: string; url?: string; headers: IncomingHttpHeaders; rawHeaders: string[]; socket: unknown }, upgraded: boolean): Recorded => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const r: Recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      clientCN: String((peer.subject as unknown as Record<string, unknown> | undefined)?.['CN'] ?? ''),
      upgraded,
      received: [],
    };
    requests.push(r);
    return r;
  };

  const server: Server = createServer({ key: serving.keyPem, cert: serving.certPem, ca: caPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    record(req, false);
    if ((req.url ?? '').startsWith('/containerLogs/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('line 1\nline 2\n');
      if (new URL(req.url ?? '/', 'https://x').searchParams.get('follow') === 'true') {
        follows.add(res);
        res.on('close', () => follows.delete(res));
        return;
      }
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-agent': 'stand-in' });
    res.end(`agent:${req.url ?? ''}`);
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'spdy/3.1') {
      record(req, false);
      const body = 'websocket upgrades are not supported';
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const r = record(req, true);
    const offered = req.headers['x-stream-protocol-version'];
    const first = (Array.isArray(offered) ? offered[0] : offered)?.split(',')[0]?.trim() ?? '';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${first}\r\n\r\n`);
    if (head.length > 0) {
      r.received.push(head);
      socket.write(head);
    }
    socket.on('data', (c: Buffer) => {
      r.received.push(c);
      socket.write(c);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = addr !== null && typeof addr === 'object' ? addr.port : 0;
  return {
    port,
    requests,
    finishFollow() {
      for (const res of follows) res.end('line 3\n');
    },
    close: async () => {
      for (const res of follows) res.destroy();
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
