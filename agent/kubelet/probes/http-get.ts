/**
 * One HTTP GET for a probe or a lifecycle hook, with Go net/http client
 * semantics as upstream's prober uses them (pkg/probe/http/http.go):
 * - no keep-alive; HTTPS without certificate verification;
 * - one overall timeout over the whole exchange including redirects
 *   (Go's Client.Timeout); 0 means none;
 * - redirects (301, 302, 303, 307, 308 with a Location) are followed up
 *   to 10; for probes only to the same host name: a redirect elsewhere
 *   ends the exchange with the 3xx response itself (ErrUseLastResponse);
 *   the 11th redirect is the error `stopped after 10 redirects`;
 * - the body is read up to `maxBodyBytes` (10 KiB for probes), then the
 *   connection is dropped;
 * - failures are reported as text in Go's words, e.g.
 *   `Get "http://10.42.0.7:80/": dial tcp 10.42.0.7:80: connect: connection refused`.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { dialErrorText } from './net-errors.js';
import { joinHostPort, type HttpRequestSpec } from './probe-target.js';

export type HttpGetResult = { ok: true; statusCode: number; body: string; url: string } | { ok: false; error: string };

export interface HttpGetOptions {
  timeoutMs: number;
  followNonLocalRedirects: boolean;
  maxBodyBytes: number;
}

const redirectCodes = new Set([301, 302, 303, 307, 308]);

interface OneResponse {
  statusCode: number;
  location: string | undefined;
  body: Buffer;
}

class TimeoutError extends Error {}

function requestOnce(url: URL, headers: Map<string, string[]>, hostHeader: string | undefined, maxBody: number, signal: AbortSignal): Promise<OneResponse> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of headers) if (k !== 'Host') outHeaders[k] = v.length === 1 ? (v[0] ?? '') : v;
    outHeaders.Host = hostHeader || url.host;
    const opts: https.RequestOptions = {
      method: 'GET',
      hostname,
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: outHeaders,
      agent: false,
      signal,
    };
    if (isHttps) {
      opts.rejectUnauthorized = false;
      if (!isIP(hostname)) opts.servername = hostHeader || hostname;
    }
    const req = (isHttps ? https : http).request(opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        const loc = res.headers.location;
        resolve({ statusCode: res.statusCode ?? 0, location: typeof loc === 'string' ? loc : undefined, body: Buffer.concat(chunks).subarray(0, maxBody) });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= maxBody) {
          finish();
          res.destroy();
          req.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (e) => {
        if (done) return;
        done = true;
        reject(e);
      });
      res.on('close', finish);
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET `spec.url`; never throws. */
export async function httpGet(spec: HttpRequestSpec, opts: HttpGetOptions): Promise<HttpGetResult> {
  const ac = new AbortController();
  let timedOut = false;
  const onTimeout = (): void => {
    timedOut = true;
    ac.abort(new TimeoutError('timeout'));
  };
  const timer = opts.timeoutMs > 0 ? setTimeout(onTimeout, opts.timeoutMs) : undefined;
  let current: URL;
  try {
    current = new URL(spec.url);
  } catch {
    clearTimeout(timer);
    return { ok: false, error: `parse ${JSON.stringify(spec.url)}: invalid URL` };
  }
  const first = current;
  let hostHeader = spec.headers.get('Host')?.[0];
  let redirects = 0;
  try {
    for (;;) {
      let res: OneResponse;
      try {
        res = await requestOnce(current, spec.headers, hostHeader, opts.maxBodyBytes, ac.signal);
      } catch (e) {
        if (timedOut) return { ok: false, error: `Get ${JSON.stringify(current.href)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
        const hp = joinHostPort(current.hostname.replace(/^\[(.*)\]$/, '$1'), Number(current.port || (current.protocol === 'https:' ? 443 : 80)));
        const code = (e as { code?: unknown }).code;
        const text = code === 'ECONNRESET' && !(e as Error).message.includes('read') ? 'EOF' : dialErrorText(e, hp);
        return { ok: false, error: `Get ${JSON.stringify(current.href)}: ${text}` };
      }
      if (!redirectCodes.has(res.statusCode) || res.location === undefined) {
        return { ok: true, statusCode: res.statusCode, body: res.body.toString('utf8'), url: current.href };
      }
      let next: URL;
      try {
        next = new URL(res.location, current);
      } catch {
        return { ok: false, error: `Get ${JSON.stringify(current.href)}: failed to parse Location header ${JSON.stringify(res.location)}` };
      }
      redirects++;
      if (!opts.followNonLocalRedirects && next.hostname !== first.hostname) {
        return { ok: true, statusCode: res.statusCode, body: res.body.toString('utf8'), url: current.href };
      }
      if (redirects > 10) return { ok: false, error: `Get ${JSON.stringify(next.href)}: stopped after 10 redirects` };
      // Go keeps a custom Host header across a relative redirect only.
      if (/^[a-z][a-z0-9+.-]*:/i.test(res.location) || res.location.startsWith('//')) hostHeader = undefined;
      current = next;
    }
  } finally {
    clearTimeout(timer);
  }
}
