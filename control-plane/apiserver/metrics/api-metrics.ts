/**
 * The apiserver's Prometheus metrics, in their own prom-client Registry
 * (never the global one, so tests can build many servers in one process).
 *
 * - apiserver_request_total{verb,group,resource,subresource,code}
 * - apiserver_request_duration_seconds{verb,group,resource,subresource} (histogram)
 * - apiserver_longrunning_requests{verb="WATCH",resource} (open watches;
 *   implements ApiMetrics for the REST layer)
 * - skiff_storage_operations_total{operation,result} and
 *   skiff_storage_operation_duration_seconds{operation} (fed by the
 *   instrumented Store), skiff_storage_watches (open store watches)
 * Verb labels follow upstream: GET, LIST, WATCH, POST, PUT, PATCH, DELETE,
 * DELETECOLLECTION, CONNECT (for upgrades).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiMetrics } from '../context.js';

const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const STORAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface RequestLabels {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
}

export class ServerMetrics implements ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'verb' | 'group' | 'resource' | 'subresource' | 'code'>;
  private readonly durations: Histogram<'verb' | 'group' | 'resource' | 'subresource'>;
  private readonly longRunning: Gauge<'verb' | 'resource'>;
  private readonly storageOps: Counter<'operation' | 'result'>;
  private readonly storageDurations: Histogram<'operation'>;
  private readonly storageWatches: Gauge;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out by verb, group, resource, subresource and HTTP response code.',
      labelNames: ['verb', 'group', 'resource', 'subresource', 'code'],
      registers,
    });
    this.durations = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, resource and subresource.',
      labelNames: ['verb', 'group', 'resource', 'subresource'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Number of open long-running requests (watches) by verb and resource.',
      labelNames: ['verb', 'resource'],
      registers,
    });
    this.storageOps = new Counter({
      name: 'skiff_storage_operations_total',
      help: 'Store operations by operation and result (ok, or the error code).',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.storageDurations = new Histogram({
      name: 'skiff_storage_operation_duration_seconds',
      help: 'Store operation latency in seconds.',
      labelNames: ['operation'],
      buckets: STORAGE_BUCKETS,
      registers,
    });
    this.storageWatches = new Gauge({ name: 'skiff_storage_watches', help: 'Open Store watches.', registers });
  }

  observeRequest(labels: RequestLabels, code: number, seconds: number): void {
    this.requests.inc({ ...labels, code: String(code) });
    this.durations.observe(labels, seconds);
  }

  watchOpened(resource: string): void {
    this.longRunning.inc({ verb: 'WATCH', resource });
  }

  watchClosed(resource: string): void {
    this.longRunning.dec({ verb: 'WATCH', resource });
  }

  observeStorage(operation: string, result: string, seconds: number): void {
    this.storageOps.inc({ operation, result });
    this.storageDurations.observe({ operation }, seconds);
  }

  storageWatchOpened(): void {
    this.storageWatches.inc();
  }

  storageWatchClosed(): void {
    this.storageWatches.dec();
  }

  /** The exposition text and its Content-Type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
