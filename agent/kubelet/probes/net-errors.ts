/**
 * Node socket errors in the words Go's net package uses, because upstream
 * puts those texts into probe failure events (`dial tcp 10.42.0.7:8080:
 * connect: connection refused`, `… i/o timeout`) and users grep for them.
 */

const connectErrors: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
};

/** The text Go gives a failed dial to `hostPort` (host:port as net.JoinHostPort writes it). */
export function dialErrorText(err: unknown, hostPort: string): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const c = connectErrors[code];
    if (c) return `dial tcp ${hostPort}: ${c}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${hostPort.replace(/:\d+$/, '')}: no such host`;
    if (code === 'ECONNRESET') return `read tcp ${hostPort}: read: connection reset by peer`;
    if (code === 'EPIPE') return `write tcp ${hostPort}: write: broken pipe`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Whether a socket error happened before the connection was established. */
export function isDialError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code in connectErrors || code === 'ENOTFOUND' || code === 'EAI_AGAIN');
}
