/**
 * A TCP port nobody listens on, chosen by the kernel: for the supervised
 * containerd's streaming server, whose port must be written into its
 * config before it starts (a fixed port would collide with a second
 * agent on the same host).
 */
import { createServer } from 'node:net';

export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
