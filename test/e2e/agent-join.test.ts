/**
 * End to end for the `skiff agent` CLI contract: a real `skiff server` on
 * the host, and a real `skiff agent --server … --token … --data-dir …
 * --node-name … --node-ip … --kubelet-port …` joining it from a second
 * host on this machine — its own network namespace, reached through a
 * veth — with the containerd it supervises (no
 * --container-runtime-endpoint), driven by the real kubectl 1.32.
 *
 * Across the namespace boundary the API server dials the agent at the
 * node IP for logs and exec, and the agent forwards to containerd's
 * streaming server on that IP. Skips when containerd is not installed or
 * we are not root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerdSkipReason, testImageFiles } from '../helpers/containerd.js';
import { freePort } from '../helpers/free-port.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { createNetnsHost, netnsSkipReason, removeCgroupParent, startNetnsAgent, type NetnsAgentHandle, type NetnsHost } from '../helpers/netns-node.js';
import { skiffBin, startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir, type TempDir } from '../helpers/temp-dir.js';

const skip = containerdSkipReason() ?? netnsSkipReason();
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs the CLI on the host and collects its exit code and output. */
function runSkiff(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [skiffBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('skiff agent: a second host joins a server with the node token', { skip, timeout: 600_000 }, () => {
  let netns: NetnsHost;
  let server: SkiffHandle;
  let agent: NetnsAgentHandle;
  let home: TempDir;
  let kubectl: Kubectl;
  let token: string;
  const nodeName = `join-${process.pid}`;

  const pod = async (name: string): Promise<Obj> => JSON.parse(await kubectl.ok(['get', 'pod', name, '-o', 'json'])) as Obj;
  const waitPhase = (name: string, phase: string, ms = 60_000) =>
    eventually(async () => (await kubectl.run(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout === phase, ms, `pod ${name} ${phase}`);

  before(async () => {
    const images = testImageFiles();
    netns = createNetnsHost();
    home = tempDir('skiff-join-home-');
    // Reachable from the namespace through the veth; its own cluster CIDR, so its pods cannot collide with other suites'.
    server = await startSkiff({ extraArgs: ['--bind-address', '0.0.0.0', '--tls-san', netns.hostIp, '--cluster-cidr', '10.45.0.0/16'] });
    kubectl = new Kubectl('1.32', server.kubeconfig, home.path);
    token = readFileSync(join(server.dataDir, 'node-token'), 'utf8').trim();
    agent = await startNetnsAgent({ netns, server: `https://${netns.hostIp}:${server.port}`, token, nodeName, images: [images.busybox] });
    process.stderr.write(`# skiff agent in ${netns.name}: node Ready ${agent.readyMs} ms after start\n`);
    await eventually(async () => (await kubectl.run(['get', 'serviceaccount', 'default'])).code === 0, 30_000, 'default ServiceAccount');
  });

  after(async () => {
    // Pods go through the API while the agent runs, so CNI releases their addresses.
    if (kubectl && agent?.pid() !== undefined) {
      const r = await kubectl.run(['delete', 'pods', '--all', '--grace-period=1', '--wait=true', '--timeout=90s']);
      if (r.code !== 0) process.stderr.write(`# agent-join clean-up: ${r.stderr}\n`);
    }
    await agent?.destroy();
    netns?.remove();
    await server?.stop();
    home?.remove();
  });

  it('joins with the node token and registers a Ready node whose InternalIP is the namespace IP', async () => {
    const node = JSON.parse(await kubectl.ok(['get', 'node', nodeName, '-o', 'json'])) as Obj;
    assert.equal(node.status.conditions.find((c: Obj) => c.type === 'Ready')?.status, 'True');
    assert.deepEqual(
      node.status.addresses.filter((a: Obj) => a.type === 'InternalIP').map((a: Obj) => a.address),
      [netns.nodeIp],
    );
    assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, agent.kubeletPort);
    assert.match(node.spec.podCIDR, /^10\.45\.\d+\.0\/24$/);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
  });

  it('gives the agent credentials for system:node:NAME in the group system:nodes', async () => {
    assert.ok(existsSync(agent.kubeconfig), 'DIR/agent/kubeconfig.yaml written');
    const who = JSON.parse(await new Kubectl('1.32', agent.kubeconfig, home.path).ok(['auth', 'whoami', '-o', 'json'])) as Obj;
    assert.equal(who.kind, 'SelfSubjectReview');
    assert.equal(who.status.userInfo.username, `system:node:${nodeName}`);
    assert.ok((who.status.userInfo.groups as string[]).includes('system:nodes'), JSON.stringify(who.status.userInfo));
  });

  it('exits non-zero with a one-line error when the token is wrong, starting no containerd', async () => {
    const dir = tempDir('skiff-join-bad-');
    try {
      // The server's CA hash with a wrong secret: the CA check passes, the server refuses the secret.
      const wrong = token.replace(/::node:.*$/, '::node:0000000000000000wrong');
      assert.notEqual(wrong, token);
      const r = await runSkiff(['agent', '--server', `https://127.0.0.1:${server.port}`, '--token', wrong, '--data-dir', dir.path, '--node-name', `bad-${process.pid}`, '--node-ip', '127.0.0.1', '--kubelet-port', String(await freePort()), '--cgroup-root', `/skiff-join-bad-${process.pid}`]);
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, null, 'exited by itself');
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^skiff: .*token/i);
      process.stderr.write(`# wrong token: exit ${r.code}, ${lines[0]}\n`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(join(dir.path, 'agent', 'containerd', 'containerd.sock')), false, 'no containerd started');
      assert.equal((await kubectl.run(['get', 'node', `bad-${process.pid}`])).code, 1, 'no node registered');
    } finally {
      removeCgroupParent(`skiff-join-bad-${process.pid}`);
      dir.remove();
    }
  });

  it('runs a pod scheduled onto the namespaced node, with logs and exec (exit code passed through) across the namespace boundary', async () => {
    await kubectl.ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: remote}
spec:
  nodeSelector: {kubernetes.io/hostname: ${nodeName}}
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: localhost/busybox:1.0
    command: ["sh", "-c", "trap 'exit 0' TERM; echo hello from $(hostname); while true; do sleep 1; done"]
`);
    await waitPhase('remote', 'Running');
    const p = await pod('remote');
    assert.equal(p.spec.nodeName, nodeName);
    assert.equal(p.status.hostIP, netns.nodeIp);
    assert.match(p.status.podIP, /^10\.45\.\d+\.\d+$/);
    await eventually(async () => (await kubectl.run(['logs', 'remote'])).stdout === 'hello from remote\n', 20_000, 'the pod log through the agent');
    const r = await kubectl.run(['exec', '-i', 'remote', '--', 'sh', '-c', 'read x; echo got-$x; exit 7'], 'hello\n');
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdout, 'got-hello\n');
    // The pod's network is the namespace's: its default route leads to the node's bridge, not the host's.
    const route = await kubectl.ok(['exec', 'remote', '--', 'ip', 'route']);
    assert.match(route, new RegExp(`default via ${(p.status.podIP as string).replace(/\.\d+$/, '.1').replace(/\./g, '\\.')}`));
  });

  it('leaves the container running on SIGTERM, and a new agent with the same flags adopts it without a restart', async () => {
    const before = await pod('remote');
    const containerID = before.status.containerStatuses[0].containerID as string;
    assert.match(containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(before.status.containerStatuses[0].restartCount, 0);
    await agent.stop();
    assert.match(agent.logs(), /SIGTERM received/);
    // The agent and its containerd are gone; the container's runc state says it still runs.
    const state = JSON.parse(readFileSync(join(agent.runcRoot, containerID.slice('containerd://'.length), 'state.json'), 'utf8')) as Obj;
    const pid = state.init_process_pid as number;
    assert.ok(pid > 0 && existsSync(`/proc/${pid}`), 'the container process survives the agent');

    await agent.start();
    process.stderr.write(`# skiff agent restarted: node Ready ${agent.readyMs} ms after start\n`);
    // A few sync rounds of the new agent.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await pod('remote');
    assert.equal(after.status.phase, 'Running');
    assert.equal(after.status.containerStatuses[0].containerID, containerID);
    assert.equal(after.status.containerStatuses[0].restartCount, 0);
    assert.ok(existsSync(`/proc/${pid}`), 'the same process still runs');
    // The new containerd's streaming server serves exec again.
    const r = await kubectl.run(['exec', 'remote', '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3, r.stderr);
  });
});
