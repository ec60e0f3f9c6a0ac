import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, compareQuantities, isValidQuantity, parseQuantity, quantityMilli, tryParseQuantity } from './quantity.js';

describe('quantity canonical form (upstream quantity_test.go examples)', () => {
  const cases: [string, string][] = [
    ['0', '0'], ['0n', '0'], ['0Ki', '0'], ['0M', '0'],
    ['1', '1'], ['1Ki', '1Ki'], ['8Ki', '8Ki'], ['7Mi', '7Mi'], ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['3Ei', '3Ei'],
    ['1000M', '1G'], ['100M', '100M'], ['50k', '50k'], ['1000m', '1'], ['0.5', '500m'], ['1500m', '1500m'],
    ['5n', '5n'], ['4u', '4u'], ['1E', '1E'], ['12E', '12E'], ['1.01E', '1010P'],
    ['1e3', '1e3'], ['1E6', '1e6'], ['1E-3', '1e-3'], ['1.2e3', '1200'], ['1.3E+6', '1300e3'], ['0.5e0', '500e-3'],
    ['100.035k', '100035'], ['10.035M', '10035k'], ['0.001', '1m'], ['0.0005k', '500m'], ['9.01', '9010m'],
    ['3.001n', '4n'], ['1.1E-9', '2e-9'], ['0.0000000001', '1n'], ['0.00000012345', '124n'],
    ['9Ei', '9223372036854775807'], ['9223372036854775807Ki', '9223372036854775807'],
    ['0.5Mi', '512Ki'], ['100.035Ki', '102435840m'], ['1.5Ki', '1536'], ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'], ['.000000001Ki', '1024n'], ['.000000000001Ki', '2n'],
    ['.001', '1m'], ['.0001k', '100m'], ['1.', '1'], ['1.G', '1G'], ['+1Gi', '1Gi'],
    ['-1Gi', '-1Gi'], ['-1000m', '-1'], ['-0.5', '-500m'], ['-.000000000001Ki', '-2n'],
  ];
  for (const [input, want] of cases) {
    test(`${input} is canonically ${want}`, () => assert.equal(canonicalQuantity(input), want));
  }

  test('JSON numbers are quantities too', () => {
    assert.equal(canonicalQuantity(2), '2');
    assert.equal(canonicalQuantity(0.5), '500m');
  });
});

describe('quantity parsing rejects what upstream rejects', () => {
  for (const bad of ['', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 ', 'Ki', '1KI']) {
    test(`${JSON.stringify(bad)} is not a quantity`, () => {
      assert.equal(tryParseQuantity(bad), undefined);
      assert.equal(isValidQuantity(bad), false);
    });
  }

  test('canonicalQuantity throws upstream\'s 400 with the grammar', () => {
    assert.throws(() => canonicalQuantity('abc'), (e: unknown) => {
      const err = e as { status: number; message: string };
      return err.status === 400 && err.message.includes("'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    });
  });
});

describe('quantity values', () => {
  test('formats are kept: binary, decimal SI, exponent', () => {
    assert.equal(parseQuantity('1Ki').format, 'BinarySI');
    assert.equal(parseQuantity('1k').format, 'DecimalSI');
    assert.equal(parseQuantity('1e3').format, 'DecimalExponent');
    // fractions of a binary unit below 1 switch to decimal
    assert.equal(parseQuantity('.000000000001Ki').format, 'DecimalSI');
  });

  test('comparison is exact across formats', () => {
    assert.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1024Mi')), 0);
    assert.equal(compareQuantities(parseQuantity('100m'), parseQuantity('50m')), 1);
    assert.equal(compareQuantities(parseQuantity('10000T'), parseQuantity('100Gi')), 1);
    assert.equal(compareQuantities(parseQuantity('1'), parseQuantity('1000m')), 0);
  });

  test('milli-values round up', () => {
    assert.equal(quantityMilli(parseQuantity('1')), 1000n);
    assert.equal(quantityMilli(parseQuantity('1n')), 1n);
    assert.equal(quantityMilli(parseQuantity('250m')), 250n);
  });
});
