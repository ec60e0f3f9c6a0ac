/**
 * `skiff sim`: parses flags into a SimConfig, runs the simulated nodes and
 * prints one line once they are all registered. SIGTERM or SIGINT stops
 * them cleanly (exit 0); a second signal exits at once.
 */
import { buildSimConfig, SimConfigError, type SimConfig, type SimFlags } from '../agent/sim/config.js';
import { startSim, type RunningSim } from '../agent/sim/main.js';
import { parseFlags, UsageError } from './args.js';
import { SIM_USAGE } from './usage.js';

const OPTIONS = {
  kubeconfig: { type: 'string' },
  nodes: { type: 'string' },
  cpu: { type: 'string' },
  memory: { type: 'string' },
  'max-pods': { type: 'string' },
  prefix: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function simFlags(args: string[]): SimFlags | 'help' {
  const v = parseFlags(args, OPTIONS, 'sim');
  if (v.help) return 'help';
  const flags: SimFlags = {};
  if (v.kubeconfig !== undefined) flags.kubeconfig = v.kubeconfig;
  if (v.nodes !== undefined) flags.nodes = v.nodes;
  if (v.cpu !== undefined) flags.cpu = v.cpu;
  if (v.memory !== undefined) flags.memory = v.memory;
  if (v['max-pods'] !== undefined) flags.maxPods = v['max-pods'];
  if (v.prefix !== undefined) flags.prefix = v.prefix;
  return flags;
}

export async function runSim(args: string[]): Promise<void> {
  const flags = simFlags(args);
  if (flags === 'help') {
    process.stdout.write(SIM_USAGE);
    return;
  }
  const cfg = configFrom(flags);
  const state: { running?: RunningSim; stopping: boolean } = { stopping: false };
  const shutdown = (): void => {
    const done = state.running ? state.running.close() : Promise.resolve();
    done.then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (state.stopping) {
      process.stderr.write(`skiff sim: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    state.stopping = true;
    process.stderr.write(`skiff sim: ${signal} received, stopping ${cfg.nodes} nodes\n`);
    shutdown();
  };
  // Handlers before start-up: a signal at any moment stops cleanly.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  state.running = await startSim(cfg);
  if (state.stopping) return shutdown();
  process.stderr.write(`skiff sim: ${cfg.nodes} nodes registered\n`);
}

function configFrom(flags: SimFlags): SimConfig {
  try {
    return buildSimConfig(flags);
  } catch (e) {
    if (e instanceof SimConfigError) throw new UsageError(`${e.message} (see skiff sim --help)`);
    throw e;
  }
}
