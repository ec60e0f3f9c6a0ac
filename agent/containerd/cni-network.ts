/**
 * The CNI network of a Skiff-run containerd: writes (or replaces) the one
 * conflist in its conf_dir. containerd watches conf_dir, so a conflist
 * written after start — once the node's podCIDR is known — applies to
 * the next sandbox without a restart; until then CRI reports the network
 * not ready.
 *
 * The conflist is written to a temp name and renamed, so containerd never
 * reads half a file; any other conflist is removed (max_conf_num = 1 takes
 * the first file by name, and ours must be it).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cniConflistJson, type CniOptions } from './config.js';

export interface CniTarget {
  cniConfDir: string;
  ipamDir: string;
  networkName: string;
  bridgeName: string;
}

/** Writes the conflist for podCidr into confDir as its only network config; returns the file. */
export function writeConflist(cniConfDir: string, opts: CniOptions): string {
  const content = cniConflistJson(opts);
  mkdirSync(cniConfDir, { recursive: true, mode: 0o700 });
  const file = join(cniConfDir, `10-${opts.networkName}.conflist`);
  const tmp = join(cniConfDir, `.10-${opts.networkName}.conflist.tmp`);
  writeFileSync(tmp, content);
  for (const f of readdirSync(cniConfDir)) {
    if (/\.(conflist|conf|json)$/.test(f) && join(cniConfDir, f) !== file) rmSync(join(cniConfDir, f), { force: true });
  }
  renameSync(tmp, file);
  return file;
}

/** The conflist of a running (or about to run) containerd for this node's podCIDR. */
export function writeCniConfig(target: CniTarget, podCidr: string): string {
  return writeConflist(target.cniConfDir, { networkName: target.networkName, bridgeName: target.bridgeName, podCidr, ipamDataDir: target.ipamDir });
}
