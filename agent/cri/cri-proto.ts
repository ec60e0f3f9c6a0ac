/**
 * The CRI v1 protocol definitions (proto/cri/api.proto), loaded once per
 * process with @grpc/proto-loader.
 *
 * Options are fixed for the whole agent: camelCase field names (so wire
 * objects already match agent/cri/runtime.ts), int64/uint64 as decimal
 * strings (CRI timestamps are nanoseconds, beyond 2^53), enums as numbers,
 * bytes as Buffers, and default values filled in (so an unset field reads
 * as '', 0, false, [] or {} — message fields as null).
 *
 * Exposes each RPC as a method definition (path + serializers), so one
 * grpc.Client can issue calls of both services over one channel.
 */
import { loadSync, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIME_SERVICE = 'runtime.v1.RuntimeService';
export const IMAGE_SERVICE = 'runtime.v1.ImageService';

/** A unary CRI method: wire objects in and out (shapes per proto/cri/api.proto). */
export type CriMethod = MethodDefinition<object, object>;

let loaded: Map<string, CriMethod> | undefined;

/** The repository's proto/cri/api.proto, found from this module (source tree or any dist/ below the repo). */
export function criProtoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto', 'cri', 'api.proto');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('proto/cri/api.proto not found above ' + fileURLToPath(import.meta.url));
}

/** Every RPC of RuntimeService and ImageService by its CRI name (`RunPodSandbox`, `PullImage`…). */
export function criMethods(): Map<string, CriMethod> {
  if (loaded) return loaded;
  const def: PackageDefinition = loadSync(criProtoPath(), {
    keepCase: false,
    longs: String,
    enums: Number,
    bytes: Buffer,
    defaults: true,
    arrays: true,
    objects: true,
    oneofs: false,
  });
  const methods = new Map<string, CriMethod>();
  for (const service of [RUNTIME_SERVICE, IMAGE_SERVICE]) {
    const svc = def[service];
    if (!svc || 'format' in svc) throw new Error(`${service} missing from ${criProtoPath()}`);
    for (const [name, m] of Object.entries(svc)) methods.set(name, m as CriMethod);
  }
  loaded = methods;
  return methods;
}
