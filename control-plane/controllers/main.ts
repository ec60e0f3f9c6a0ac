/**
 * A controller thread's entry point (see controller-thread.ts): wires the
 * API client over the message port the server hands over, the informers,
 * and the leader-elected managers the thread was given (the scheduler, the
 * controller manager, or both); stops them when told to.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ApiClient } from '../api/client/api-client.js';
import { PortTransport } from '../api/client/port-transport.js';
import { errorMessage } from '../api/errors.js';
import { systemClock } from '../api/meta.js';
import type { ControlMessage, ControllerThreadData } from './controller-thread.js';
import { InformerFactory } from './framework/informer-factory.js';
import { builtinControllers, schedulerControllers } from './index.js';
import { ControllerManager } from './manager.js';

const data = workerData as ControllerThreadData & { port: MessagePort };
const control = parentPort;
if (!control) throw new Error('controllers/main.js runs only as a worker thread');

const log = (msg: string): void => {
  process.stderr.write(`skiff: ${msg}\n`);
};
const transport = new PortTransport(data.port);
// Their writes are typed objects of their own making: fieldValidation=Ignore
// spares the server a duplicate-key scan of every body.
const client = new ApiClient(transport, { fieldValidation: 'Ignore' });
const election = (name: string) => data.leaderElection && { namespace: 'kube-system', name, ...data.leaderElection };
// One set of informers for the managers of this thread: one watch and one
// cached copy of every pod, however many of its controllers read it.
const informers = new InformerFactory(client, { log });
const common = { client, clock: systemClock, random: Math.random, config: data.config, identity: data.identity, informers, log };
const managers: ControllerManager[] = [];
if (data.scheduler) managers.push(new ControllerManager({ ...common, controllers: schedulerControllers, leaderElection: election('kube-scheduler') }));
if (data.controllerManager) managers.push(new ControllerManager({ ...common, controllers: builtinControllers, leaderElection: election('kube-controller-manager') }));
for (const m of managers) m.start();

control.on('message', (m: ControlMessage) => {
  if (m.t !== 'stop') return;
  void (async () => {
    await Promise.all(managers.map((mgr) => mgr.stop().catch((e: unknown) => log(`stopping controllers: ${errorMessage(e)}`))));
    informers.stopAll();
    transport.close();
    data.port.close();
    control.postMessage({ t: 'stopped' } satisfies ControlMessage);
  })();
});
