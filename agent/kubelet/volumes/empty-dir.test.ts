import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../pod-deps.js';
import { memoryVolumeSize, sizeBytes } from './empty-dir.js';

const Mi = 1024n * 1024n;

function pod(limits: (string | undefined)[]): Pod {
  return { metadata: { name: 'p' }, spec: { containers: limits.map((m, i) => ({ name: `c${i}`, resources: m ? { limits: { memory: m } } : {} })) } };
}

describe('memory-backed volume size', () => {
  it('reads quantities as whole bytes, rounding up', () => {
    assert.equal(sizeBytes('8Mi'), 8n * Mi);
    assert.equal(sizeBytes('1500m'), 2n);
    assert.equal(sizeBytes(undefined), undefined);
    assert.equal(sizeBytes('0'), undefined);
  });

  it('is the smallest of node allocatable, the pod memory limit and sizeLimit', () => {
    assert.equal(memoryVolumeSize(pod(['32Mi', '32Mi']), undefined, undefined), 64n * Mi);
    assert.equal(memoryVolumeSize(pod(['32Mi', '32Mi']), undefined, '1Gi'), 64n * Mi);
    assert.equal(memoryVolumeSize(pod(['32Mi']), undefined, '8Mi'), 8n * Mi);
    assert.equal(memoryVolumeSize(pod(['32Mi']), '16Mi', undefined), 16n * Mi);
  });

  it('ignores the pod limit unless every container has one, leaving no limit when nothing is known', () => {
    assert.equal(memoryVolumeSize(pod(['32Mi', undefined]), undefined, undefined), undefined);
    assert.equal(memoryVolumeSize(pod(['32Mi', undefined]), '2Gi', undefined), 2048n * Mi);
  });
});
