/**
 * Reads a kubeconfig (the current context's cluster and user) into HTTPS
 * credentials for the API client. Supports inline `*-data` fields, file
 * paths, and bearer tokens: what `skiff server` writes and what users have.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { HttpsCredentials } from './transport.js';

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

interface KubeconfigDoc {
  'current-context'?: string;
  clusters?: Named<Record<string, unknown>>[];
  users?: Named<Record<string, unknown>>[];
  contexts?: Named<Record<string, unknown>>[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function credentialsFromKubeconfig(path: string, context?: string): HttpsCredentials {
  const doc = parse(readFileSync(path, 'utf8')) as KubeconfigDoc;
  const base = dirname(path);
  const ctxName = context ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`kubeconfig ${path}: context ${String(ctxName)} not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  if (!cluster) throw new Error(`kubeconfig ${path}: cluster ${String(ctx.cluster)} not found`);
  const file = (p: unknown): Buffer | undefined => {
    const s = str(p);
    if (!s) return undefined;
    return readFileSync(isAbsolute(s) ? s : join(base, s));
  };
  const data = (v: unknown): Buffer | undefined => {
    const s = str(v);
    return s ? Buffer.from(s, 'base64') : undefined;
  };
  const server = str(cluster.server);
  if (!server) throw new Error(`kubeconfig ${path}: cluster has no server`);
  return {
    server,
    ca: data(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority']),
    cert: data(user['client-certificate-data']) ?? file(user['client-certificate']),
    key: data(user['client-key-data']) ?? file(user['client-key']),
    token: str(user.token),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}
