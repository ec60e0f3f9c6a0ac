/**
 * The scheduler or the controller manager on a worker thread of `skiff
 * server` (one thread each), as upstream runs kube-scheduler and
 * kube-controller-manager beside the API server: their informers,
 * scheduling cycles and reconciles then use the other core, and the main
 * thread keeps serving the API. They reach
 * the server through a Transport served across a MessageChannel
 * (api/client/port-transport.ts), so they pass the same authorization,
 * admission and watch caches as before.
 *
 * Contract: start() spawns the thread (controllers/main.ts) and returns at
 * once. A thread that dies is logged and started again after a second,
 * as a supervisor would restart the process; its Leases carry the same
 * identity, so it resumes leadership it still holds. stop() asks the
 * thread to stop its managers (releasing their Leases through the
 * transport, which must still be open), waits for it up to a deadline,
 * then ends it.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { servePortTransport } from '../api/client/port-transport.js';
import type { Transport } from '../api/client/transport.js';
import type { ControllerConfig } from './framework/controller.js';

/** What the thread is told to run (structured-cloneable). */
export interface ControllerThreadData {
  config: ControllerConfig;
  /** This process's identity in the Leases. */
  identity: string;
  scheduler: boolean;
  controllerManager: boolean;
  /** Lease timings; absent: no leader election (run at once). */
  leaderElection?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
}

/** Control messages between the main thread and the controller thread. */
export type ControlMessage = { t: 'stop' } | { t: 'stopped' };

const RESTART_DELAY_MS = 1000;
const STOP_DEADLINE_MS = 10_000;

export class ControllerThread {
  private worker: Worker | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly data: ControllerThreadData,
    private readonly log: (msg: string) => void,
    /** What logs call the thread (`scheduler thread exited …`). */
    private readonly name = 'controller',
    /** The thread's entry point; tests give a stand-in. */
    private readonly entry: URL = new URL('./main.js', import.meta.url),
  ) {}

  start(): void {
    if (this.stopping || this.worker) return;
    const { port1, port2 } = new MessageChannel();
    const stopServing = servePortTransport(port1, this.transport);
    const worker = new Worker(this.entry, {
      name: this.name,
      workerData: { ...this.data, port: port2 },
      transferList: [port2],
    });
    this.worker = worker;
    worker.on('error', (e) => this.log(`${this.name} thread failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
    worker.on('exit', (code) => {
      stopServing();
      port1.close();
      if (this.worker === worker) this.worker = undefined;
      if (this.stopping) return;
      this.log(`${this.name} thread exited (code ${code}); restarting in ${RESTART_DELAY_MS} ms`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.start();
      }, RESTART_DELAY_MS);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(deadline);
        worker.off('message', onMessage);
        worker.off('exit', done);
        resolve();
      };
      const onMessage = (m: ControlMessage): void => {
        if (m.t === 'stopped') done();
      };
      const deadline = setTimeout(done, STOP_DEADLINE_MS);
      worker.on('message', onMessage);
      worker.on('exit', done);
      worker.postMessage({ t: 'stop' } satisfies ControlMessage);
    });
    await worker.terminate();
  }
}
