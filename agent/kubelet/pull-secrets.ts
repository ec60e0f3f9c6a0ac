/**
 * imagePullSecrets → registry credentials (upstream
 * pkg/credentialprovider: secrets.go MakeDockerKeyring, keyring.go
 * BasicDockerKeyring, config.go DockerConfigEntry).
 * - kubernetes.io/dockerconfigjson (`.dockerconfigjson`, `{auths: {…}}`)
 *   and kubernetes.io/dockercfg (`.dockercfg`, the map itself);
 * - an entry's `auth` (base64 `user:pass`) fills username/password;
 * - keys are normalized as upstream: scheme dropped, `/v1/` and `/v2/`
 *   path prefixes ignored, so `https://index.docker.io/v1/` becomes
 *   `index.docker.io`;
 * - lookup matches the image's `host/path` against each key: same number
 *   of host labels with `*` globs per label, equal ports, and the key's
 *   path a prefix of the image's; longest keys first; docker.io images
 *   fall back to `index.docker.io` credentials;
 * - AuthConfig.serverAddress: a URL whose host is the endpoint containerd
 *   contacts (containerd drops credentials whose serverAddress host does
 *   not match): `http://H` for localhost/127.x, `https://H` otherwise,
 *   `https://registry-1.docker.io` for docker.io.
 * Pure except for the secrets the caller passes in.
 */
import type { KubeObject } from '../../control-plane/api/meta.js';
import { rec, str } from '../../control-plane/api/resources/fields.js';
import type { AuthConfig } from '../cri/runtime.js';
import { DEFAULT_REGISTRY, parseImage } from './image-puller-ref.js';

export interface DockerCredential {
  username: string;
  password: string;
  auth: string;
}

export interface KeyringEntry {
  key: string;
  cred: DockerCredential;
}

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

function normalizeKey(loc: string): string | undefined {
  const value = /^https?:\/\//.test(loc) ? loc : `https://${loc}`;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  let path = decodeURIComponent(u.pathname);
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? u.host + path : u.host;
}

function entry(v: unknown): DockerCredential | undefined {
  const e = rec(v);
  if (!e) return undefined;
  let username = str(e.username) ?? '';
  let password = str(e.password) ?? '';
  const auth = str(e.auth) ?? '';
  if (auth && !username && !password) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return undefined;
    username = decoded.slice(0, i);
    password = decoded.slice(i + 1);
  }
  return { username, password, auth: auth || Buffer.from(`${username}:${password}`).toString('base64') };
}

/** The docker config map of one pull secret; undefined for other types or bad JSON. */
export function dockerConfigOf(secret: KubeObject): Record<string, unknown> | undefined {
  const data = rec(secret.data) ?? {};
  const decode = (k: string) => {
    const v = str(data[k]);
    if (v === undefined) return undefined;
    try {
      return rec(JSON.parse(Buffer.from(v, 'base64').toString('utf8')));
    } catch {
      return undefined;
    }
  };
  if (secret.type === 'kubernetes.io/dockerconfigjson') return rec(decode('.dockerconfigjson')?.auths);
  if (secret.type === 'kubernetes.io/dockercfg') return decode('.dockercfg');
  return undefined;
}

/** A keyring from pull secrets, longest key first (upstream sorts the index that way). */
export function makeKeyring(secrets: KubeObject[]): KeyringEntry[] {
  const out: KeyringEntry[] = [];
  for (const s of secrets) {
    for (const [loc, v] of Object.entries(dockerConfigOf(s) ?? {})) {
      const key = normalizeKey(loc);
      const cred = entry(v);
      if (key && cred) out.push({ key, cred });
    }
  }
  // Stable: equal lengths keep secret order.
  return out.map((e, i) => ({ e, i })).sort((a, b) => b.e.key.length - a.e.key.length || a.i - b.i).map(({ e }) => e);
}

function splitHostPort(hostport: string): [string, string] {
  const i = hostport.lastIndexOf(':');
  return i >= 0 && !hostport.slice(i).includes(']') ? [hostport.slice(0, i), hostport.slice(i + 1)] : [hostport, ''];
}

function globLabel(glob: string, label: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*')}$`);
  return re.test(label);
}

/** upstream URLsMatchStr over schemeless `host[:port][/path]` strings. */
export function urlsMatch(glob: string, target: string): boolean {
  const [gHostPort = '', ...gPath] = glob.split('/');
  const [tHostPort = '', ...tPath] = target.split('/');
  const [gHost, gPort] = splitHostPort(gHostPort);
  const [tHost, tPort] = splitHostPort(tHostPort);
  if (gPort !== tPort) return false;
  const gl = gHost.split('.');
  const tl = tHost.split('.');
  if (gl.length !== tl.length) return false;
  if (!gl.every((g, i) => globLabel(g, tl[i] ?? ''))) return false;
  return ('/' + tPath.join('/')).startsWith('/' + gPath.join('/'));
}

export function lookup(keyring: KeyringEntry[], image: string): DockerCredential[] {
  const p = parseImage(image);
  const repo = `${p.host}/${p.path}`;
  const hits = keyring.filter((e) => urlsMatch(e.key, repo)).map((e) => e.cred);
  if (hits.length > 0) return hits;
  if (p.host === DEFAULT_REGISTRY) return keyring.filter((e) => e.key === DEFAULT_REGISTRY_HOST).map((e) => e.cred);
  return [];
}

/** The serverAddress containerd matches against the endpoint it contacts. */
export function serverAddressFor(host: string): string {
  if (host === DEFAULT_REGISTRY) return 'https://registry-1.docker.io';
  const [name] = splitHostPort(host);
  const plain = name === 'localhost' || /^127\./.test(name) || name === '[::1]';
  return `${plain ? 'http' : 'https'}://${host}`;
}

/** CRI AuthConfigs to try in order for an image. */
export function authConfigsFor(keyring: KeyringEntry[], image: string): AuthConfig[] {
  const host = parseImage(image).host;
  return lookup(keyring, image).map((c) => ({ username: c.username, password: c.password, auth: c.auth, serverAddress: serverAddressFor(host) }));
}
