/**
 * How the API client reaches a server. The HTTPS transport speaks to a real
 * apiserver; control-plane/main.ts may later hand controllers an in-process
 * transport with the same shape, skipping TLS.
 *
 * Contract: request() resolves with the status and full body; stream()
 * resolves once response headers arrive and then delivers body chunks until
 * the server ends the response or close() is called.
 */
import { request as httpsRequest, Agent, type AgentOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface TransportRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /**
   * The JSON body already decoded, when an in-process transport has it
   * without serializing (its `body` is then computed on first read). The
   * receiver owns it: the server keeps no reference.
   */
  object?: unknown;
}

export interface TransportStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Called with each chunk of the body as it arrives. */
  onData(cb: (chunk: string) => void): void;
  /** Called once when the body ends or fails (err set). */
  onEnd(cb: (err?: Error) => void): void;
  close(): void;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  stream(req: TransportRequest): Promise<TransportStream>;
  close(): void;
}

export interface HttpsCredentials {
  /** `https://host:port` */
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  token?: string;
  insecureSkipTLSVerify?: boolean;
}

export class HttpsTransport implements Transport {
  private readonly url: URL;
  private readonly agent: Agent;
  private readonly token: string | undefined;

  constructor(creds: HttpsCredentials, agentOptions: AgentOptions = {}) {
    this.url = new URL(creds.server);
    this.token = creds.token;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 256,
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      rejectUnauthorized: !creds.insecureSkipTLSVerify,
      ...agentOptions,
    });
  }

  private open(req: TransportRequest): Promise<IncomingMessage> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise((resolve, reject) => {
      const r = httpsRequest(
        {
          host: this.url.hostname,
          port: this.url.port || 443,
          method: req.method,
          path: req.path,
          headers,
          agent: this.agent,
        },
        resolve,
      );
      r.on('error', reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const res = await this.open(req);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
  }

  async stream(req: TransportRequest): Promise<TransportStream> {
    const res = await this.open(req);
    res.setEncoding('utf8');
    let ended = false;
    const endCbs: ((err?: Error) => void)[] = [];
    const finish = (err?: Error): void => {
      if (ended) return;
      ended = true;
      for (const cb of endCbs) cb(err);
    };
    res.on('end', () => finish());
    res.on('error', (e) => finish(e));
    res.on('close', () => finish());
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      onData: (cb) => res.on('data', (c: string) => cb(c)),
      onEnd: (cb) => {
        if (ended) cb();
        else endCbs.push(cb);
      },
      close: () => {
        res.destroy();
        finish();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
