import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProgram } from './fake-shell.js';

describe('parseProgram', () => {
  it('models echo to stdout and stderr, sleep and exit in an sh -c script', () => {
    const p = parseProgram(['sh', '-c', "echo hello world; echo 'oops !' >&2 && sleep 2; exit 3"]);
    assert.deepEqual(p.steps, [
      { kind: 'out', stream: 'stdout', text: 'hello world\n' },
      { kind: 'status', code: 0 },
      { kind: 'out', stream: 'stderr', text: 'oops !\n' },
      { kind: 'status', code: 0 },
      { kind: 'sleep', ms: 2000 },
      { kind: 'status', code: 0 },
      { kind: 'exit', code: 3 },
    ]);
    assert.equal(p.onTerm, undefined);
  });

  it('reads a TERM trap: its exit code, or ignore for an empty action', () => {
    assert.equal(parseProgram(['sh', '-c', "trap 'exit 7' TERM; sleep 3600 & wait"]).onTerm, 7);
    assert.equal(parseProgram(['/bin/sh', '-c', "trap '' SIGTERM; sleep infinity"]).onTerm, 'ignore');
    assert.equal(parseProgram(['sh', '-c', "trap 'exit 0' INT; sleep 1"]).onTerm, undefined);
  });

  it('runs plain argv commands: echo, sleep, false, daemons until killed, others succeed at once', () => {
    assert.deepEqual(parseProgram(['echo', '-n', 'x']).steps[0], { kind: 'out', stream: 'stdout', text: 'x' });
    assert.deepEqual(parseProgram(['sleep', '1.5']).steps[0], { kind: 'sleep', ms: 1500 });
    assert.deepEqual(parseProgram(['false']).steps, [{ kind: 'status', code: 1 }]);
    assert.deepEqual(parseProgram(['httpd', '-f', '-p', '80']).steps, [{ kind: 'sleep', ms: Infinity }]);
    assert.deepEqual(parseProgram(['touch', '/tmp/x']).steps, [{ kind: 'status', code: 0 }]);
  });

  it('treats an empty argv as the image default, which runs until killed', () => {
    assert.deepEqual(parseProgram([]).steps, [{ kind: 'sleep', ms: Infinity }]);
  });

  it('drops output redirected to /dev/null', () => {
    assert.deepEqual(parseProgram(['sh', '-c', 'echo hidden >/dev/null']).steps, [{ kind: 'status', code: 0 }]);
  });
});
