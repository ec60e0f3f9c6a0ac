import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DESCRIPTION, DESCRIPTION_ANNOTATION, desiredRootCaConfigMap } from './root-ca-cert-publisher.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('root CA publisher', () => {
  it('creates kube-root-ca.crt with only the CA and the description', () => {
    assert.deepEqual(desiredRootCaConfigMap('team', CA, undefined), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: 'team', annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
      data: { 'ca.crt': CA },
    });
  });

  it('leaves a correct ConfigMap alone', () => {
    const cm = desiredRootCaConfigMap('team', CA, undefined)!;
    assert.equal(desiredRootCaConfigMap('team', CA, cm), undefined);
  });

  it('undoes edits to the data and keeps other annotations', () => {
    const cm = desiredRootCaConfigMap('team', CA, undefined)!;
    cm.data = { 'ca.crt': 'tampered', extra: 'x' };
    cm.metadata.annotations = { mine: 'yes' };
    const fixed = desiredRootCaConfigMap('team', CA, cm)!;
    assert.deepEqual(fixed.data, { 'ca.crt': CA });
    assert.deepEqual(fixed.metadata.annotations, { mine: 'yes', [DESCRIPTION_ANNOTATION]: DESCRIPTION });
  });
});
