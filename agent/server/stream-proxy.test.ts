import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forwardPorts, parseStreamPath, streamOptions } from './stream-proxy.js';

describe('streaming paths and options', () => {
  it('parses exec and attach paths with and without the pod uid', () => {
    assert.deepEqual(parseStreamPath('/exec/default/web/app'), { kind: 'exec', namespace: 'default', pod: 'web', container: 'app' });
    assert.deepEqual(parseStreamPath('/attach/default/web/uid-1/app'), { kind: 'attach', namespace: 'default', pod: 'web', uid: 'uid-1', container: 'app' });
    assert.deepEqual(parseStreamPath('/exec/a%2Db/web/app'), { kind: 'exec', namespace: 'a-b', pod: 'web', container: 'app' });
  });

  it('parses portForward paths with and without the pod uid', () => {
    assert.deepEqual(parseStreamPath('/portForward/default/web'), { kind: 'portForward', namespace: 'default', pod: 'web' });
    assert.deepEqual(parseStreamPath('/portForward/default/web/u'), { kind: 'portForward', namespace: 'default', pod: 'web', uid: 'u' });
  });

  it('does not take other paths or wrong shapes', () => {
    for (const p of ['/exec/default/web', '/exec/a/b/c/d/e', '/portForward/a', '/execx/a/b/c', '/exec//b/c', '/healthz']) assert.equal(parseStreamPath(p), undefined, p);
  });

  it("reads the kubelet's stream flags; tty drops stderr; none is refused", () => {
    assert.deepEqual(streamOptions(new URLSearchParams('input=1&output=1&error=1')), { stdin: true, stdout: true, stderr: true, tty: false });
    assert.deepEqual(streamOptions(new URLSearchParams('input=1&output=1&error=1&tty=1')), { stdin: true, stdout: true, stderr: false, tty: true });
    assert.deepEqual(streamOptions(new URLSearchParams('command=ls')), { status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' });
  });

  it('reads port-forward ports, repeated or comma-separated', () => {
    assert.deepEqual(forwardPorts(new URLSearchParams('port=80,443&port=8080')), [80, 443, 8080]);
    assert.deepEqual(forwardPorts(new URLSearchParams('')), []);
    assert.equal((forwardPorts(new URLSearchParams('port=http')) as { status: number }).status, 400);
  });
});
