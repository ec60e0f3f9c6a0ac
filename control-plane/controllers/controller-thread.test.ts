import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import type { Transport } from '../api/client/transport.js';
import { CONTROLLER_CONFIG_DEFAULTS } from './framework/controller.js';
import { ControllerThread } from './controller-thread.js';

// A stand-in for controllers/main.js: it records each start in the file
// named by its identity, dies on its first start, and afterwards answers
// the stop request as the real entry does.
const ENTRY = `
import { appendFileSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
appendFileSync(workerData.identity, 'start\\n');
if (readFileSync(workerData.identity, 'utf8').split('\\n').filter(Boolean).length === 1) process.exit(3);
parentPort.on('message', (m) => {
  if (m.t !== 'stop') return;
  appendFileSync(workerData.identity, 'stop\\n');
  workerData.port.close();
  parentPort.postMessage({ t: 'stopped' });
});
`;

const unusedTransport: Transport = {
  request: () => Promise.reject(new Error('unused')),
  stream: () => Promise.reject(new Error('unused')),
  close: () => undefined,
};

describe('ControllerThread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-controller-thread-'));
  const entry = pathToFileURL(join(dir, 'entry.mjs'));
  writeFileSync(entry, ENTRY);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts a thread that died, logging why, and stops the new one through the stop handshake', async () => {
    const record = join(dir, 'starts');
    const logs: string[] = [];
    const thread = new ControllerThread(
      unusedTransport,
      { config: CONTROLLER_CONFIG_DEFAULTS, identity: record, scheduler: true, controllerManager: true },
      (m) => logs.push(m),
      'scheduler',
      entry,
    );
    thread.start();
    const deadline = Date.now() + 10_000;
    while (readFileSync(record, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length < 2) {
      assert.ok(Date.now() < deadline, 'the thread was not restarted');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(logs, ['scheduler thread exited (code 3); restarting in 1000 ms']);
    await thread.stop();
    assert.deepEqual(readFileSync(record, 'utf8').split('\n').filter(Boolean), ['start', 'start', 'stop']);
    assert.equal(logs.length, 1, 'a stop is not reported as a crash');
  });

  it('does not start again once stopped', async () => {
    const record = join(dir, 'stopped-first');
    const thread = new ControllerThread(unusedTransport, { config: CONTROLLER_CONFIG_DEFAULTS, identity: record, scheduler: true, controllerManager: false }, () => undefined, 'scheduler', entry);
    await thread.stop();
    thread.start();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readFileSync(record, { encoding: 'utf8', flag: 'a+' }), '');
  });
});
