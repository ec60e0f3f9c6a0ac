/**
 * `skiff images import [--data-dir DIR | --container-runtime-endpoint unix:///…] FILE.tar…`:
 * imports OCI or docker-archive tarballs (optionally .tar.gz) into the
 * runtime's k8s.io namespace, where the kubelet's CRI sees them. With
 * --data-dir the runtime is the agent's own containerd
 * (DIR/agent/containerd/containerd.sock).
 *
 * Prints one line per imported image; a file that fails is one line on
 * stderr and the exit code is 1 (the other files are still imported).
 * Usage mistakes throw UsageError (exit 2).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { socketAnswers } from '../agent/containerd/supervisor.js';
import { importImage, ImageImportError } from '../agent/images/import.js';
import { UsageError } from './args.js';

export const IMAGES_USAGE = `Usage: skiff images import [--data-dir DIR | --container-runtime-endpoint unix:///PATH] FILE.tar...

Imports OCI image layouts or docker-archive tarballs (.tar, .tar.gz, .tgz)
into the container runtime's k8s.io namespace, so pods can use them without
a registry. Images must carry fully qualified names (e.g. localhost/app:1.0).

Flags:
  --data-dir DIR                       Use the containerd Skiff runs for this data dir
                                       (DIR/agent/containerd/containerd.sock)
  --container-runtime-endpoint URL     A containerd CRI socket, unix:///path/to/containerd.sock
  -h, --help                           Show this help

The airgap path: tarballs placed in DIR/agent/images are imported by the
agent at start, before the node reports Ready.
`;

/** The containerd socket of a data dir (the agent's own containerd). */
export function dataDirSocket(dataDir: string): string {
  return join(dataDir, 'agent', 'containerd', 'containerd.sock');
}

/** unix:///path or a bare absolute path → the socket path. */
export function endpointSocket(endpoint: string): string {
  if (endpoint.startsWith('unix://')) {
    const path = endpoint.slice('unix://'.length);
    if (path.startsWith('/')) return path;
  } else if (endpoint.startsWith('/')) return endpoint;
  throw new UsageError(`--container-runtime-endpoint must be unix:///absolute/path, got ${JSON.stringify(endpoint)}`);
}

interface ImportArgs {
  socket: string;
  files: string[];
}

export function parseImportArgs(args: string[]): ImportArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        'container-runtime-endpoint': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? String(e);
    const flag = /Unknown option '([^']+)'/.exec(msg)?.[1];
    throw new UsageError(flag ? `unknown flag ${flag} (see skiff images --help)` : `${msg} (see skiff images --help)`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const dataDir = v['data-dir'];
  const endpoint = v['container-runtime-endpoint'];
  if (dataDir !== undefined && endpoint !== undefined) throw new UsageError('give either --data-dir or --container-runtime-endpoint, not both');
  if (dataDir === undefined && endpoint === undefined) throw new UsageError('--data-dir or --container-runtime-endpoint is required (see skiff images --help)');
  if (parsed.positionals.length === 0) throw new UsageError('no image tarballs given (see skiff images --help)');
  return { socket: dataDir !== undefined ? dataDirSocket(dataDir) : endpointSocket(endpoint!), files: parsed.positionals };
}

/** Runs `skiff images …`; resolves with the exit code (0, or 1 when a file failed). */
export async function runImagesCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(IMAGES_USAGE);
    return 0;
  }
  if (sub !== 'import') throw new UsageError(`unknown images subcommand "${sub}" (see skiff images --help)`);
  const parsed = parseImportArgs(rest);
  if (parsed === 'help') {
    process.stdout.write(IMAGES_USAGE);
    return 0;
  }
  const missing = parsed.files.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new UsageError(`no such file: ${missing.join(', ')}`);
  if (!(await socketAnswers(parsed.socket))) throw new Error(`no container runtime answers on ${parsed.socket} (is skiff up or skiff agent running?)`);
  let failed = 0;
  for (const file of parsed.files) {
    try {
      const images = await importImage(parsed.socket, file);
      for (const img of images) process.stdout.write(`imported ${img.ref} (${img.digest}) from ${file}\n`);
      if (images.length === 0) process.stdout.write(`imported ${file} (no named image in it)\n`);
    } catch (e) {
      failed++;
      process.stderr.write(`skiff: ${e instanceof ImageImportError ? e.message : `${file}: ${String(e)}`}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

/** The `images` entry for cli/main.ts's command table. */
export async function runImages(args: string[]): Promise<void> {
  const code = await runImagesCommand(args);
  if (code !== 0) process.exitCode = code;
}
