import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  foldAddressText,
  foldAddressTextStepByStep,
  normalizeAddress,
  normalizeUnit,
  normalizeZip5,
} from './normalize.ts';

describe('address normalization (USPS Publication 28)', () => {
  it.each([
    ['123 Main Street', '123 MAIN ST', null],
    ['123 North Main St.', '123 N MAIN ST', null],
    ['45 Elm Avenue Apt 5', '45 ELM AVE', '5'],
    ['45 Elm Ave #5', '45 ELM AVE', '5'],
    ['45 Elm Ave # 12B', '45 ELM AVE', '12B'],
    ['45 Elm Ave, Apartment 3-C', '45 ELM AVE', '3-C'],
    ['900 Calle Señora Boulevard Unit 7', '900 CALLE SENORA BLVD', '7'],
    ['77 Sunset Blvd Suite 200', '77 SUNSET BLVD', '200'],
    ['10 Oak Lane South', '10 OAK LN S', null],
    ['10 West End', '10 WEST END', null],
    ['  2200   ross   ave  ', '2200 ROSS AVE', null],
    ['1 Court Street', '1 COURT ST', null],
    ['', null, null],
  ])('street %j', (street, line, unit) => {
    const a = normalizeAddress({ street });
    expect(a.line).toBe(line);
    expect(a.unit).toBe(unit);
  });

  it.each([
    ['Apt 5', '5'],
    ['Apartment 5', '5'],
    ['#5', '5'],
    ['Unit 5', '5'],
    ['5', '5'],
    ['apt. 5b', '5B'],
    ['Apt', null],
    ['', null],
    [null, null],
  ])('unit %j -> %j', (unit, expected) => {
    expect(normalizeUnit(unit)).toBe(expected);
  });

  it('the unit field wins over a unit written inside the street', () => {
    expect(normalizeAddress({ street: '45 Elm Ave Apt 9', unit: 'Apt 5' }).unit).toBe('5');
  });

  it.each([
    ['78501', '78501'],
    ['78501-1234', '78501'],
    ['785011234', '78501'],
    [' 78501 ', '78501'],
    ['7850', '7850'], // kept as sent so it can be classified invalid
    ['ABCDE', 'ABCDE'],
    ['', null],
  ])('ZIP %j -> %j', (zip, expected) => {
    expect(normalizeZip5(zip)).toBe(expected);
  });

  it('normalizes city and state', () => {
    expect(normalizeAddress({ city: 'San José', state: 'texas' })).toMatchObject({
      city: 'SAN JOSE',
      state: 'TX',
    });
    expect(normalizeAddress({ state: 'tx' }).state).toBe('TX');
    expect(normalizeAddress({ state: 'ZZ' }).state).toBe('ZZ');
    expect(normalizeAddress({})).toEqual({ line: null, unit: null, city: null, state: null, zip5: null });
  });
});

describe('folding address text', () => {
  it('gives what folding step by step gives, for plain, accented and already folded text', () => {
    const text = fc.stringMatching(/^[A-Za-z0-9 #/\-.,'"()éñÑÁüß\t]{1,20}$/);
    fc.assert(
      fc.property(text, (t) => {
        expect(foldAddressText(t)).toBe(foldAddressTextStepByStep(t));
        expect(foldAddressText(foldAddressTextStepByStep(t))).toBe(foldAddressTextStepByStep(t));
      }),
      { numRuns: 2000 },
    );
  });
});
