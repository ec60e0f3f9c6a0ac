/**
 * The `skiff` command: a switchboard from the first argument to a command
 * (up, server, agent, images, sim, version). Every failure is
 * one line on stderr, never a stack trace (SKIFF_DEBUG=1 shows it):
 * usage mistakes exit 2, anything else 1.
 */
import { ConfigError, KUBERNETES_VERSION, packageVersion } from '../control-plane/config.js';
import { UsageError } from './args.js';
import { runAgent } from './agent-command.js';
import { runImages } from './images-command.js';
import { runServer } from './server-command.js';
import { runSim } from './sim-command.js';
import { runUp } from './up-command.js';
import { MAIN_USAGE } from './usage.js';

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  up: runUp,
  server: runServer,
  agent: runAgent,
  images: runImages,
  sim: runSim,
  version: async () => {
    process.stdout.write(`skiff v${packageVersion()} (Kubernetes ${KUBERNETES_VERSION})\n`);
  },
};

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_USAGE);
    return;
  }
  if (name === '--version') return commands['version']?.(rest);
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}" (see skiff --help)`);
  await command(rest);
}

function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`skiff: ${oneLine(message)}\n`);
  if (process.env['SKIFF_DEBUG'] && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof UsageError || err instanceof ConfigError ? 2 : 1);
}

// A failure after start-up still ends as one line, not Node's stack dump.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

main(process.argv.slice(2)).catch(fail);
