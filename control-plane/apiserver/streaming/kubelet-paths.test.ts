import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { chooseContainer, nodeAgentEndpoint, podAgentPath } from './kubelet-paths.js';

const pod = (containers: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: containers.map((name) => ({ name })) } });

test('exec options become the kubelet path and its input/output/error/tty flags', () => {
  const q = new URLSearchParams('command=sh&command=-c&container=c&stdin=true&stdout=true&stderr=false&tty=true');
  assert.equal(podAgentPath('exec', pod(['c']), q), '/exec/ns/p/c?input=1&output=1&tty=1&command=sh&command=-c');
});

test('log options are rebuilt as upstream LogLocation, defaulting the only container', () => {
  const q = new URLSearchParams('follow=true&tailLines=10&timestamps=true&sinceSeconds=60&limitBytes=5');
  assert.equal(podAgentPath('log', pod(['only']), q), '/containerLogs/ns/p/only?follow=true&timestamps=true&sinceSeconds=60&tailLines=10&limitBytes=5');
  assert.throws(() => podAgentPath('log', pod(['c']), new URLSearchParams('tailLines=-1')), /must be greater than or equal to 0/);
});

test('portforward keeps only the ports and never needs a container', () => {
  assert.equal(podAgentPath('portforward', pod(['a', 'b']), new URLSearchParams()), '/portForward/ns/p');
  assert.equal(podAgentPath('portforward', pod(['a']), new URLSearchParams('ports=80&ports=443')), '/portForward/ns/p?port=80%2C443');
});

test('a container must be in the pod, or named when there are several', () => {
  assert.throws(() => chooseContainer(pod(['a']), 'x'), /container x is not valid for pod p/);
  assert.throws(() => chooseContainer(pod(['a', 'b']), ''), /a container name must be specified for pod p, choose one of: \[a b\]/);
  assert.equal(chooseContainer(pod(['a', 'b']), 'b'), 'b');
});

test('the agent endpoint prefers InternalIP, then the host name, and defaults the port to 10250', () => {
  const node = (addresses: { type: string; address: string }[], port?: number): KubeObject => ({
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { addresses, ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
  });
  assert.deepEqual(nodeAgentEndpoint(node([{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '10.0.0.2' }], 10350)), { host: '10.0.0.2', port: 10350 });
  assert.deepEqual(nodeAgentEndpoint(node([{ type: 'Hostname', address: 'h' }])), { host: 'h', port: 10250 });
  assert.throws(() => nodeAgentEndpoint(node([])), /no preferred addresses found/);
});
