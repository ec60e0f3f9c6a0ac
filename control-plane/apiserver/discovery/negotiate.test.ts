import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedContentType, negotiateDiscovery } from './negotiate.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

describe('negotiateDiscovery', () => {
  test('kubectl 1.30+ gets v2 and 1.27–1.29 get v2beta1', () => {
    assert.equal(negotiateDiscovery(`${V2},${V2BETA1},application/json`), 'v2');
    assert.equal(negotiateDiscovery(`${V2BETA1},application/json`), 'v2beta1');
  });

  test('plain JSON, wildcards, a missing header or a JSON type listed first mean legacy discovery', () => {
    assert.equal(negotiateDiscovery(undefined), undefined);
    assert.equal(negotiateDiscovery('application/json, */*'), undefined);
    assert.equal(negotiateDiscovery('*/*'), undefined);
    assert.equal(negotiateDiscovery(`application/json,${V2}`), undefined);
  });

  test('q-values reorder preferences and unknown aggregated versions or protobuf variants are skipped', () => {
    assert.equal(negotiateDiscovery(`application/json;q=0.5,${V2}`), 'v2');
    assert.equal(negotiateDiscovery(`application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,${V2BETA1}`), 'v2beta1');
    assert.equal(negotiateDiscovery(`application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2}`), 'v2');
    assert.equal(negotiateDiscovery(`${V2};q=0,application/json`), undefined);
  });

  test('the response Content-Type repeats the parameters exactly', () => {
    assert.equal(aggregatedContentType('v2'), V2);
    assert.equal(aggregatedContentType('v2beta1'), V2BETA1);
  });
});
