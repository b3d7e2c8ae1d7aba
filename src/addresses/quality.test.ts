import { describe, expect, it } from 'vitest';
import { addressKey, classifyAddress, invalidReason, unitKey, type Address } from './quality.ts';
import { statesOfZipPrefix } from './zip-prefix.ts';

const base: Address = { line: '123 MAIN ST', unit: null, city: 'HOUSTON', state: 'TX', zip5: '77002' };
const none = { noticeReturned: false, streetHasUnits: (): boolean => false };

describe('classifyAddress', () => {
  it.each([
    ['complete address', base, none, 'ok'],
    ['no street', { ...base, line: null }, none, 'blank'],
    ['blank street', { ...base, line: '  ' }, none, 'blank'],
    ['no ZIP', { ...base, zip5: null }, none, 'blank'],
    ['ZIP of four digits', { ...base, zip5: '7700', zipAsSent: '7700' }, none, 'invalid'],
    ['ZIP+4', { ...base, zipAsSent: '77002-4411' }, none, 'ok'],
    ['state name instead of a code', { ...base, state: 'TEXAS' }, none, 'invalid'],
    ['New York ZIP in Texas', { ...base, zip5: '10001' }, none, 'invalid'],
    ['shared prefix 063 in NY', { ...base, state: 'NY', zip5: '06390' }, none, 'ok'],
    ['returned notice', base, { ...none, noticeReturned: true }, 'undeliverable'],
    [
      'apartment building without a unit',
      base,
      { ...none, streetHasUnits: (): boolean => true },
      'missing_unit',
    ],
    ['with a unit', { ...base, unit: '5' }, { ...none, streetHasUnits: (): boolean => true }, 'ok'],
    [
      'blank wins over a returned notice',
      { ...base, line: null },
      { ...none, noticeReturned: true },
      'blank',
    ],
  ] as const)('%s → %s', (_n, a, ctx, expected) => {
    expect(classifyAddress(a, ctx)).toBe(expected);
  });

  it('says why an address is invalid', () => {
    expect(invalidReason({ ...base, zip5: '10001' })).toBe('zip_not_in_state');
    expect(invalidReason({ ...base, state: 'ZZ' })).toBe('state_code');
    expect(invalidReason({ ...base, zipAsSent: 'ABCDE' })).toBe('zip_format');
  });
});

describe('units and keys', () => {
  it.each(['Apt 5', 'APARTMENT 5', '#5', 'Unit 5', '5', 'apt. #5'])('%s is unit 5', (u) => {
    expect(unitKey(u)).toBe('5');
  });
  it('one dwelling, one key', () => {
    expect(addressKey({ ...base, unit: 'APT 2B' })).toBe(addressKey({ ...base, unit: '#2B' }));
    expect(addressKey({ ...base, unit: '2B' })).not.toBe(addressKey({ ...base, unit: '3B' }));
  });
});

describe('ZIP prefixes', () => {
  it('maps prefixes to the states USPS assigns them to', () => {
    expect([...statesOfZipPrefix('770')]).toEqual(['TX']);
    expect(statesOfZipPrefix('205').has('DC')).toBe(true);
    expect(statesOfZipPrefix('000').size).toBe(0);
  });
});
