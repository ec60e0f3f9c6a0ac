/**
 * The controllers' event recorder against a real server: a repeated event
 * becomes one Event whose count grows (series aggregation), and one object
 * cannot flood the store (25 events, then the spam filter drops the rest).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { ApiClient } from '../../control-plane/api/client/api-client.js';
import { credentialsFromKubeconfig } from '../../control-plane/api/client/kubeconfig.js';
import { HttpsTransport } from '../../control-plane/api/client/transport.js';
import { systemClock, type KubeObject } from '../../control-plane/api/meta.js';
import { buildServerConfig } from '../../control-plane/config.js';
import { EventBroadcaster } from '../../control-plane/controllers/framework/event-recorder.js';
import { startServer, type RunningServer } from '../../control-plane/main.js';
import { eventually } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/temp-dir.js';

type Event = KubeObject & { count?: number; reason?: string; involvedObject?: { uid?: string }; source?: { component?: string } };
const events = { group: '', version: 'v1', resource: 'events', namespace: 'default' };

describe('event recorder', () => {
  const dir = tempDir('skiff-events-');
  let server: RunningServer;
  let transport: HttpsTransport;
  let client: ApiClient;

  before(async () => {
    server = await startServer(
      buildServerConfig({ dataDir: join(dir.path, 'data'), port: '0', bindAddress: '127.0.0.1', disableScheduler: true, disableControllerManager: true }),
    );
    transport = new HttpsTransport(credentialsFromKubeconfig(server.kubeconfigPath));
    client = new ApiClient(transport);
  });

  after(async () => {
    transport?.close();
    await server?.close();
    dir.remove();
  });

  const forUid = async (uid: string): Promise<Event[]> => (await client.list<Event>(events)).items.filter((e) => e.involvedObject?.uid === uid);

  it('folds a repeated event into one Event whose count and lastTimestamp grow', async () => {
    const broadcaster = new EventBroadcaster(client, systemClock);
    const rec = broadcaster.recorder('test-controller');
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', uid: 'uid-repeat' } };
    for (let i = 0; i < 20; i++) rec.record(obj, 'Warning', 'FailedSync', 'same message');
    await eventually(async () => (await forUid('uid-repeat'))[0]?.count === 20, 10_000, 'count 20');
    const got = await forUid('uid-repeat');
    assert.equal(got.length, 1);
    assert.equal(got[0]?.reason, 'FailedSync');
    assert.equal(got[0]?.source?.component, 'test-controller');
    broadcaster.stop();
  });

  it('lets one object record at most 25 events in a burst', async () => {
    const broadcaster = new EventBroadcaster(client, systemClock);
    const rec = broadcaster.recorder('test-controller');
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noisy', namespace: 'default', uid: 'uid-noisy' } };
    for (let i = 0; i < 40; i++) rec.record(obj, 'Normal', 'Tick', `tick ${i}`);
    await eventually(async () => (await forUid('uid-noisy')).length >= 25, 10_000, '25 events');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await forUid('uid-noisy')).length, 25);
    broadcaster.stop();
  });
});
