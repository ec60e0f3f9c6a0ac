/**
 * `skiff agent`: joins a cluster with a node token and runs the node
 * (kubelet, node status, the agent's HTTPS server, and containerd unless
 * --container-runtime-endpoint names one). SIGTERM or SIGINT stops the
 * agent and its containerd but leaves the pods' containers running; the
 * next start adopts them. A second signal exits at once.
 */
import { AgentConfigError, buildAgentConfig, type AgentConfig, type AgentFlags } from '../agent/config.js';
import { startAgent, type RunningAgent } from '../agent/main.js';
import { agentFlags } from './agent-flags.js';
import { UsageError } from './args.js';
import { AGENT_USAGE } from './usage.js';

export function agentConfigFrom(flags: AgentFlags, requireServer: boolean, command: string): AgentConfig {
  try {
    return buildAgentConfig(flags, { requireServer });
  } catch (e) {
    if (e instanceof AgentConfigError) throw new UsageError(`${e.message} (see skiff ${command} --help)`);
    throw e;
  }
}

/** Runs `start`, then keeps the process until SIGTERM/SIGINT, closing what started (in order). */
export async function runUntilSignalled(name: string, start: () => Promise<{ close(): Promise<void> }[]>, onReady: () => void): Promise<void> {
  const state: { parts?: { close(): Promise<void> }[]; stopping: boolean } = { stopping: false };
  const shutdown = (): void => {
    const parts = state.parts ?? [];
    (async () => {
      for (const p of parts) await p.close();
    })().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${name}: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (state.stopping) {
      process.stderr.write(`${name}: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    state.stopping = true;
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    if (state.parts) shutdown();
  };
  // Handlers go in before start-up: a signal at any moment stops cleanly.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  state.parts = await start();
  if (state.stopping) return shutdown();
  onReady();
}

export async function runAgent(args: string[]): Promise<void> {
  const flags = agentFlags(args);
  if (flags === 'help') {
    process.stdout.write(AGENT_USAGE);
    return;
  }
  const cfg = agentConfigFrom(flags, true, 'agent');
  let agent: RunningAgent | undefined;
  await runUntilSignalled(
    'skiff agent',
    async () => {
      agent = await startAgent(cfg, { log: (m) => process.stderr.write(`skiff agent: ${m}\n`) });
      return [agent];
    },
    () => process.stderr.write(`skiff agent: node ${agent?.nodeName ?? cfg.nodeName} is Ready\n`),
  );
}
