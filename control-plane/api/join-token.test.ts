import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { caHashOf, formatJoinToken, parseJoinToken } from './join-token.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('join tokens', () => {
  it("are k3s's K10<sha256 of the CA PEM>::node:<secret>", () => {
    const hash = createHash('sha256').update(CA).digest('hex');
    assert.equal(caHashOf(CA), hash);
    assert.equal(formatJoinToken(CA, 's3cret'), `K10${hash}::node:s3cret`);
  });

  it('parse back into hash, user and secret', () => {
    assert.deepEqual(parseJoinToken(` ${formatJoinToken(CA, 'abc_DEF-123')}\n`), { caHash: caHashOf(CA), user: 'node', secret: 'abc_DEF-123' });
  });

  it('refuse anything else with the expected format in the message', () => {
    for (const bad of ['', 'abc', `K10${'0'.repeat(63)}::node:x`, `K10${'0'.repeat(64)}::node:`, `K10${'0'.repeat(64)}:node:x`]) {
      assert.throws(() => parseJoinToken(bad), /invalid join token: expected K10<sha256/);
    }
  });
});
