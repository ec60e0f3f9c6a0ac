/**
 * createRuntime: the Runtime for a `--container-runtime-endpoint` URL.
 *
 * `unix:///path/to/socket` → CRI over gRPC (GrpcRuntime). Any other scheme
 * is refused with a message naming what is supported, so a typo in the
 * flag fails at start instead of at the first pod.
 */
import { GrpcRuntime, type GrpcRuntimeOptions } from './grpc-runtime.js';
import type { Runtime } from './runtime.js';

export function createRuntime(endpoint: string, options: GrpcRuntimeOptions = {}): Runtime {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    if (endpoint.length <= 'unix://'.length || !endpoint.slice('unix://'.length).startsWith('/')) {
      throw new Error(`container runtime endpoint ${JSON.stringify(endpoint)}: a unix endpoint needs an absolute socket path (unix:///run/containerd/containerd.sock)`);
    }
    return new GrpcRuntime(endpoint, options);
  }
  throw new Error(
    `container runtime endpoint ${JSON.stringify(endpoint)}: unsupported ${scheme ? `scheme "${scheme}://"` : 'endpoint (no scheme)'}; ` +
      'only unix:///path/to/socket (CRI over gRPC) is supported',
  );
}
