/**
 * The controller manager: runs a set of controllers while this process
 * holds a leader-election Lease, so that several servers can run and only
 * one acts. The scheduler runs in its own manager under its own Lease, as
 * upstream's kube-scheduler and kube-controller-manager do.
 *
 * Contract: start() returns at once; each time leadership is gained the
 * controllers are built fresh (from the factory), set up, their informers
 * synced, then run; when it is lost they are stopped and their informers
 * closed. stop() stops everything and releases the Lease.
 */
import type { ApiClient } from '../api/client/api-client.js';
import type { Clock } from '../api/meta.js';
import type { Controller, ControllerConfig, ControllerContext } from './framework/controller.js';
import { EventBroadcaster } from './framework/event-recorder.js';
import { InformerFactory } from './framework/informer-factory.js';
import { LeaderElector } from './framework/leader-election.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ControllerManagerOptions {
  client: ApiClient;
  clock: Clock;
  random: () => number;
  config: ControllerConfig;
  /** This process's identity in the Lease (host name plus a unique suffix). */
  identity: string;
  /** Builds the controllers afresh for each term of leadership. */
  controllers: () => Controller[];
  /** undefined: run at once, without a Lease (single server, tests). */
  leaderElection?: LeaderElectionOptions;
  /**
   * Informers shared with other managers in this process (the scheduler's
   * and the controllers' pod caches are then one watch and one copy). They
   * outlive terms of leadership; without it each term has its own.
   */
  informers?: InformerFactory;
  log: (msg: string) => void;
}

export class ControllerManager {
  private elector: LeaderElector | undefined;
  private term: { controllers: Controller[]; informers: InformerFactory; events: EventBroadcaster; stopped: boolean } | undefined;
  private electing: Promise<void> | undefined;

  constructor(private readonly opts: ControllerManagerOptions) {}

  start(): void {
    const le = this.opts.leaderElection;
    if (!le) {
      void this.begin();
      return;
    }
    this.elector = new LeaderElector(this.opts.client, this.opts.clock, {
      ...le,
      identity: this.opts.identity,
      onStartedLeading: () => void this.begin(),
      onStoppedLeading: () => void this.end(),
      log: this.opts.log,
    });
    this.electing = this.elector.run();
  }

  get leading(): boolean {
    return this.term !== undefined && !this.term.stopped;
  }

  private async begin(): Promise<void> {
    await this.end();
    const { client, clock, random, config, log } = this.opts;
    const informers = this.opts.informers ?? new InformerFactory(client, { log });
    const events = new EventBroadcaster(client, clock, log);
    const controllers = this.opts.controllers();
    const term = { controllers, informers, events, stopped: false };
    this.term = term;
    const ctx: ControllerContext = {
      client,
      informers,
      clock,
      random,
      recorder: (component) => events.recorder(component),
      config,
      log,
    };
    informers.withOwner(term, () => {
      for (const c of controllers) c.setup(ctx);
    });
    await informers.startAll();
    if (term.stopped) return;
    for (const c of controllers) c.run();
  }

  private async end(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    term.stopped = true;
    await Promise.all(term.controllers.map(async (c) => c.stop()));
    if (term.informers === this.opts.informers) term.informers.removeOwner(term);
    else term.informers.stopAll();
    term.events.stop();
  }

  async stop(): Promise<void> {
    await this.elector?.stop();
    await this.electing;
    await this.end();
  }
}
