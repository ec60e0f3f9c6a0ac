/**
 * The admin kubeconfig: cluster `skiff`, user `skiff-admin`, context
 * `skiff`, credentials inline as base64 on one line each, rendered byte for
 * byte as `kubectl config view --raw` prints such a file (keys sorted,
 * `preferences: {}`), so a round trip through kubectl changes nothing.
 * Written atomically with mode 0600.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const KUBECONFIG_CLUSTER = 'skiff';
export const KUBECONFIG_USER = 'skiff-admin';
export const KUBECONFIG_CONTEXT = 'skiff';

export interface KubeconfigInput {
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function renderKubeconfig(k: KubeconfigInput): string {
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(k.caCertPem)}`,
    `    server: ${k.server}`,
    `  name: ${KUBECONFIG_CLUSTER}`,
    'contexts:',
    '- context:',
    `    cluster: ${KUBECONFIG_CLUSTER}`,
    `    user: ${KUBECONFIG_USER}`,
    `  name: ${KUBECONFIG_CONTEXT}`,
    `current-context: ${KUBECONFIG_CONTEXT}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${KUBECONFIG_USER}`,
    '  user:',
    `    client-certificate-data: ${b64(k.clientCertPem)}`,
    `    client-key-data: ${b64(k.clientKeyPem)}`,
    '',
  ].join('\n');
}

export function writeKubeconfig(path: string, k: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderKubeconfig(k), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
