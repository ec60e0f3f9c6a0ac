import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity } from '../../control-plane/api/quantity.js';
import { formatSystemReserved, parseSystemReserved, ReservedParseError } from './system-reserved.js';

describe('--system-reserved', () => {
  it('parses name=quantity pairs into quantities', () => {
    const r = parseSystemReserved('cpu=250m,memory=512Mi');
    assert.equal(formatQuantity(r.cpu!), '250m');
    assert.equal(formatQuantity(r.memory!), '512Mi');
    assert.equal(r['ephemeral-storage'], undefined);
  });

  it('accepts ephemeral-storage and pid, spaces and an empty value', () => {
    const r = parseSystemReserved(' cpu=1 , ephemeral-storage=1Gi,pid=100,');
    assert.equal(formatSystemReserved(r), 'cpu=1,ephemeral-storage=1Gi,pid=100');
    assert.deepEqual(parseSystemReserved(''), {});
  });

  it('refuses resources the kubelet cannot reserve, with its message', () => {
    assert.throws(() => parseSystemReserved('gpu=1'), (e: unknown) => e instanceof ReservedParseError && e.message === 'cannot reserve "gpu" resource');
  });

  it('refuses negative and malformed quantities and entries without =', () => {
    assert.throws(() => parseSystemReserved('memory=-1Gi'), /cannot be negative/);
    assert.throws(() => parseSystemReserved('memory=lots'), /invalid --system-reserved quantity "lots"/);
    assert.throws(() => parseSystemReserved('cpu'), /expected name=quantity/);
  });
});
