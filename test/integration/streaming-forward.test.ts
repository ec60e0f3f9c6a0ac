/**
 * The streaming path end to end: a real `skiff server` forwards exec,
 * attach, port-forward, logs and node proxy to a stand-in agent (an HTTPS
 * server with a certificate from the cluster CA) found through the Node
 * object's InternalIP and kubeletEndpoint port. Raw upgrades, the real
 * kubectl 1.27 and 1.33, and the Status errors before forwarding.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';
import { freePort } from '../helpers/free-port.js';
import { join } from 'node:path';
import { adminCreds, api, rawRequest, waitFor, type Creds } from './streaming-client.js';
import { startStandIn, type StandIn } from './streaming-stand-in.js';

/** The API alone: no scheduler or controllers acting on the objects these tests write by hand. */
const API_ONLY = ['--disable-controller-manager', '--disable-scheduler'];

function node(name: string, port: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  };
}

function pod(name: string, nodeName: string | undefined, containers = ['c']): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
  };
}

async function putNode(port: number, creds: Creds, name: string, agentPort: number): Promise<void> {
  const created = await api(port, creds, 'POST', '/api/v1/nodes', node(name, agentPort));
  assert.equal(created.status, 201, created.text);
  // Status may be dropped on create: set it through the status subresource as an agent would.
  const cur = (await api(port, creds, 'GET', `/api/v1/nodes/${name}`)).body as Record<string, unknown>;
  const st = await api(port, creds, 'PUT', `/api/v1/nodes/${name}/status`, { ...cur, status: (node(name, agentPort) as { status: unknown }).status });
  assert.equal(st.status, 200, st.text);
}

function upgradeHead(path: string, headers: string[]): string {
  return [`POST ${path} HTTP/1.1`, 'Host: localhost', ...headers, '', ''].join('\r\n');
}

describe('streaming through the API server to a node agent', () => {
  let server: SkiffHandle;
  let agent: StandIn;
  let creds: Creds;
  let home: TempDir;

  before(async () => {
    home = tempDir('skiff-streaming-home-');
    server = await startSkiff({ extraArgs: API_ONLY });
    creds = adminCreds(server.dataDir);
    agent = await startStandIn(join(server.dataDir, 'tls'));
    await putNode(server.port, creds, 'node-a', agent.port);
    await putNode(server.port, creds, 'node-dead', await freePort());
    for (const [name, n] of [['web-0', 'node-a'], ['lonely', undefined], ['orphan', 'node-missing'], ['dead', 'node-dead']] as const) {
      const r = await api(server.port, creds, 'POST', '/api/v1/namespaces/default/pods', pod(name, n));
      assert.equal(r.status, 201, r.text);
    }
    // kubectl port-forward refuses pods that are not Running.
    const web = (await api(server.port, creds, 'GET', '/api/v1/namespaces/default/pods/web-0')).body as Record<string, unknown>;
    const running = await api(server.port, creds, 'PUT', '/api/v1/namespaces/default/pods/web-0/status', { ...web, status: { phase: 'Running' } });
    assert.equal(running.status, 200, running.text);
    const two = await api(server.port, creds, 'POST', '/api/v1/namespaces/default/pods', pod('two', 'node-a', ['a', 'b']));
    assert.equal(two.status, 201, two.text);
  });

  after(async () => {
    await agent?.close();
    await server?.stop();
    home?.remove();
  });

  test('a SPDY exec upgrade is forwarded byte for byte to the agent path, both ways, with the kubelet client certificate', async () => {
    const before = agent.requests.length;
    const path = '/api/v1/namespaces/default/pods/web-0/exec?command=ls&command=%2F&container=c&stdout=true&stderr=true';
    const res = await rawRequest(server.port, creds, upgradeHead(path, ['Connection: Upgrade', 'Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4.channel.k8s.io', 'X-Stream-Protocol-Version: v3.channel.k8s.io', 'Content-Length: 0']));
    assert.equal(res.status, 101, res.headText);
    assert.match(res.headText, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io/);
    const seen = agent.requests[before];
    assert.ok(seen);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/exec/default/web-0/c?output=1&error=1&command=ls&command=%2F');
    assert.equal(seen.clientCN, 'kube-apiserver-kubelet-client');
    assert.deepEqual(seen.rawHeaders.filter((_h, i, a) => i % 2 === 1 && a[i - 1] === 'X-Stream-Protocol-Version'), ['v4.channel.k8s.io', 'v3.channel.k8s.io']);
    assert.equal(seen.headers.authorization, undefined);
    const payload = Buffer.from([0x80, 0x03, 0x00, 0x01, 0xff, 0x00, 0x0a, 0x68, 0x69]);
    res.socket.write(payload);
    await waitFor(() => res.rest().length >= payload.length);
    assert.deepEqual(res.rest(), payload);
    assert.deepEqual(Buffer.concat(seen.received), payload);
    res.socket.destroy();
  });

  test('an unauthenticated upgrade gets 401 before anything is forwarded', async () => {
    const before = agent.requests.length;
    const res = await rawRequest(server.port, { ca: creds.ca }, upgradeHead('/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true', ['Connection: Upgrade', 'Upgrade: SPDY/3.1', 'Content-Length: 0']));
    assert.equal(res.status, 401);
    await once(res.socket, 'close');
    assert.match(res.rest().toString(), /"reason":"Unauthorized"/);
    assert.equal(agent.requests.length, before);
  });

  test("the agent's refusal of a WebSocket upgrade reaches the client untouched", async () => {
    const head = [
      'GET /api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true HTTP/1.1',
      'Host: localhost',
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Protocol: v5.channel.k8s.io',
      '',
      '',
    ].join('\r\n');
    const res = await rawRequest(server.port, creds, head);
    assert.equal(res.status, 400);
    await once(res.socket, 'close');
    assert.equal(res.rest().toString(), 'websocket upgrades are not supported');
    const seen = agent.requests.at(-1);
    assert.equal(seen?.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  });

  for (const [what, path, code, message] of [
    ['a missing pod', '/api/v1/namespaces/default/pods/nope/exec?command=ls&stdout=true', 404, 'pods "nope" not found'],
    ['an unscheduled pod', '/api/v1/namespaces/default/pods/lonely/exec?command=ls&stdout=true', 400, 'pod lonely does not have a host assigned'],
    ['a container not in the pod', '/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true&container=zz', 400, 'container zz is not valid for pod web-0'],
    ['no container named in a pod of two', '/api/v1/namespaces/default/pods/two/attach?stdout=true', 400, 'a container name must be specified for pod two, choose one of: [a b]'],
    ['a node that does not exist', '/api/v1/namespaces/default/pods/orphan/exec?command=ls&stdout=true', 404, 'nodes "node-missing" not found'],
    ['an agent that is not running', '/api/v1/namespaces/default/pods/dead/exec?command=ls&stdout=true', 500, 'error dialing backend: '],
  ] as const) {
    test(`an upgrade for ${what} answers ${code} with a Status`, async () => {
      const res = await rawRequest(server.port, creds, upgradeHead(path, ['Connection: Upgrade', 'Upgrade: SPDY/3.1', 'Content-Length: 0']));
      assert.equal(res.status, code);
      await once(res.socket, 'close');
      const status = JSON.parse(res.rest().toString()) as { kind: string; code: number; message: string };
      assert.equal(status.kind, 'Status');
      assert.equal(status.code, code);
      assert.ok(status.message.startsWith(message), status.message);
    });
  }

  test('exec without an upgrade is 400 and nodes/proxy forwards plain requests', async () => {
    const plain = await api(server.port, creds, 'POST', '/api/v1/namespaces/default/pods/web-0/exec?command=ls&stdout=true');
    assert.equal(plain.status, 400);
    assert.match(plain.text, /Upgrade request required/);
    const proxied = await api(server.port, creds, 'GET', '/api/v1/nodes/node-a/proxy/stats/summary?x=1');
    assert.equal(proxied.status, 200);
    assert.equal(proxied.text, 'agent:/stats/summary?x=1');
  });

  test('pods/log validates the container and streams the agent answer', async () => {
    const bad = await api(server.port, creds, 'GET', '/api/v1/namespaces/default/pods/web-0/log?container=zz');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /container zz is not valid for pod web-0/);
    const empty = await api(server.port, creds, 'GET', '/api/v1/namespaces/default/pods/lonely/log');
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '');
    const dead = await api(server.port, creds, 'GET', '/api/v1/namespaces/default/pods/dead/log');
    assert.equal(dead.status, 500);
    assert.match(dead.text, /error dialing backend/);
  });

  for (const version of ['1.27', '1.33']) {
    const k = () => new Kubectl(version, server.kubeconfig, home.path);

    test(`kubectl ${version}: logs prints the agent's stream and sends kubelet log options`, async () => {
      const before = agent.requests.length;
      const out = await k().ok(['logs', 'web-0', '--tail=5', '--timestamps', '--limit-bytes=100']);
      assert.equal(out, 'line 1\nline 2\n');
      const seen = agent.requests.slice(before).find((r) => r.url.startsWith('/containerLogs/'));
      assert.equal(seen?.url, '/containerLogs/default/web-0/c?timestamps=true&tailLines=5&limitBytes=100');
    });

    test(`kubectl ${version}: logs -f streams until the agent ends the stream`, async () => {
      const before = agent.requests.length;
      const run = k().spawn(['logs', '-f', 'web-0']);
      await waitFor(() => run.output().includes('line 2'));
      assert.ok(agent.requests.slice(before).some((r) => r.url === '/containerLogs/default/web-0/c?follow=true'));
      agent.finishFollow();
      const code = await run.exited;
      assert.equal(code, 0, run.stderr());
      assert.equal(run.output(), 'line 1\nline 2\nline 3\n');
    });

    test(`kubectl ${version}: exec reaches the agent as a SPDY upgrade with its protocol offers intact`, async () => {
      const before = agent.requests.length;
      const run = k().spawn(['exec', 'web-0', '--', 'ls', '/']);
      try {
        await waitFor(() => agent.requests.slice(before).some((r) => r.upgraded));
      } finally {
        run.child.kill('SIGKILL');
      }
      const seen = agent.requests.slice(before);
      const spdy = seen.find((r) => r.upgraded);
      assert.equal(spdy?.method, 'POST');
      assert.equal(spdy?.url, '/exec/default/web-0/c?output=1&error=1&command=ls&command=%2F');
      const offers = spdy?.rawHeaders.filter((_h, i, a) => i % 2 === 1 && a[i - 1]?.toLowerCase() === 'x-stream-protocol-version');
      assert.ok(offers?.includes('v4.channel.k8s.io'), String(offers));
      if (version === '1.33') {
        // WebSocket v5 first, refused by the agent, then the SPDY fallback.
        const ws = seen.find((r) => String(r.headers.upgrade).toLowerCase() === 'websocket');
        assert.equal(ws?.headers['sec-websocket-protocol']?.includes('v5.channel.k8s.io'), true);
        assert.equal(offers?.[0], 'v5.channel.k8s.io');
      }
    });

    test(`kubectl ${version}: port-forward dials the agent's portForward upgrade`, async () => {
      const before = agent.requests.length;
      const local = await freePort();
      const run = k().spawn(['port-forward', 'pod/web-0', `${local}:8080`]);
      try {
        await waitFor(() => agent.requests.slice(before).some((r) => r.upgraded));
      } finally {
        run.child.kill('SIGKILL');
      }
      const spdy = agent.requests.slice(before).find((r) => r.upgraded);
      assert.equal(spdy?.url, '/portForward/default/web-0');
      assert.equal(spdy?.headers['x-stream-protocol-version'], 'portforward.k8s.io');
    });
  }
});
