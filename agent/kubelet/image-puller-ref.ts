/**
 * Image reference handling the puller needs (docker/distribution
 * reference normalization, as upstream's parsers and keyring use):
 * - the registry host: the part before the first `/` when it contains
 *   `.` or `:` or is `localhost` (and is lower-case), else `docker.io`;
 *   `index.docker.io` reads as `docker.io`;
 * - the repository for keyring matching: `host/path`, with `library/`
 *   added for single-name docker.io images;
 * - the default tag: an image with neither tag nor digest gets `:latest`.
 * Pure.
 */

export const DEFAULT_REGISTRY = 'docker.io';

export interface ParsedImage {
  /** Registry host, with port when given (`127.0.0.1:5000`). */
  host: string;
  /** Repository path below the host (`library/busybox`). */
  path: string;
  tag?: string;
  digest?: string;
}

export function parseImage(image: string): ParsedImage {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  let host = DEFAULT_REGISTRY;
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      host = first;
      path = rest.slice(slash + 1);
    }
  }
  if (host === 'index.docker.io') host = DEFAULT_REGISTRY;
  if (host === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  return { host, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `host/path`: what the keyring matches credentials against. */
export function repositoryOf(image: string): string {
  const p = parseImage(image);
  return `${p.host}/${p.path}`;
}

/** Upstream applyDefaultImageTag: `busybox` → `busybox:latest`; tagged or digested images unchanged. */
export function applyDefaultTag(image: string): string {
  const p = parseImage(image);
  return p.tag === undefined && p.digest === undefined ? `${image}:latest` : image;
}
