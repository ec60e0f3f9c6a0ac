/**
 * Small clients for the streaming tests: JSON requests and raw upgrade
 * requests against a test server, authenticated with the admin client
 * certificate from its data dir (or with none).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';

export interface Creds {
  ca: string;
  cert?: string;
  key?: string;
}

export function adminCreds(dataDir: string): Creds {
  const t = (f: string) => readFileSync(join(dataDir, 'tls', f), 'utf8');
  return { ca: t('ca.crt'), cert: t('admin.crt'), key: t('admin.key') };
}

export function api(port: number, creds: Creds, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const r = request(
      { host: '127.0.0.1', port, method, path, ca: creds.ca, cert: creds.cert, key: creds.key, headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    r.on('error', reject);
    r.end(payload);
  });
}

/** Sends a raw request and resolves once the response head has arrived. */
export function rawRequest(port: number, creds: Creds, head: string): Promise<{ socket: TLSSocket; status: number; headText: string; rest: () => Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: creds.ca, cert: creds.cert, key: creds.key, servername: 'localhost', checkServerIdentity: () => undefined });
    let buf = Buffer.alloc(0);
    let done = false;
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (done) return;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      done = true;
      const headText = buf.subarray(0, end).toString();
      const after = end + 4;
      resolve({ socket, status: Number(/^HTTP\/1\.1 (\d+)/.exec(headText)?.[1] ?? 0), headText, rest: () => buf.subarray(after) });
    });
    socket.on('error', reject);
    socket.once('secureConnect', () => socket.write(head));
  });
}

export async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
