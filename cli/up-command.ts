/**
 * `skiff up`: the single-host default. Starts the control plane and the
 * agent in one process; the agent joins its own server with the node
 * token the server wrote, exactly as a remote `skiff agent` would, so it
 * talks to the API only as system:node:NAME. Takes every `skiff server`
 * flag and every agent flag except --server and --token.
 *
 * SIGTERM stops the agent (and the containerd it supervises) first, then
 * the server; the pods' containers keep running and the next start adopts
 * them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../agent/main.js';
import { buildServerConfig } from '../control-plane/config.js';
import { startServer } from '../control-plane/main.js';
import { agentConfigFrom, runUntilSignalled } from './agent-command.js';
import { AGENT_OPTIONS, agentFlagsFrom } from './agent-flags.js';
import { parseFlags } from './args.js';
import { SERVER_OPTIONS, serverFlagsFrom } from './server-command.js';
import { UP_USAGE } from './usage.js';

const { server: _server, token: _token, ...AGENT_ONLY } = AGENT_OPTIONS;
const UP_OPTIONS = { ...SERVER_OPTIONS, ...AGENT_ONLY } as const;

export async function runUp(args: string[]): Promise<void> {
  const v = parseFlags(args, UP_OPTIONS, 'up');
  if (v.help) {
    process.stdout.write(UP_USAGE);
    return;
  }
  const serverCfg = buildServerConfig(serverFlagsFrom(v));
  const agentCfg = agentConfigFrom(agentFlagsFrom(v), false, 'up');
  let agent: RunningAgent | undefined;
  let url = '';
  let kubeconfig = '';
  await runUntilSignalled(
    'skiff up',
    async () => {
      const server = await startServer(serverCfg);
      url = server.url;
      kubeconfig = server.kubeconfigPath;
      try {
        const token = readFileSync(join(serverCfg.dataDir, 'node-token'), 'utf8').trim();
        const self = `https://127.0.0.1:${server.port}`;
        agent = await startAgent({ ...agentCfg, server: self, token }, { log: (m) => process.stderr.write(`skiff up: ${m}\n`) });
      } catch (e) {
        await server.close();
        throw e;
      }
      // The agent stops first, so the server can still take its last writes.
      return [agent, server];
    },
    () => {
      process.stderr.write(`skiff up: serving the Kubernetes API on ${url} (data dir ${serverCfg.dataDir})\n`);
      process.stderr.write(`skiff up: admin kubeconfig written to ${kubeconfig}\n`);
      process.stderr.write(`skiff up: node ${agent?.nodeName ?? agentCfg.nodeName} is Ready\n`);
    },
  );
}
