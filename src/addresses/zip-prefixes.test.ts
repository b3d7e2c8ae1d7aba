import { describe, expect, it } from 'vitest';
import { isUspsState, isZipPrefixOfState, uspsStateCodes, zipPrefixPairs } from './zip-prefixes.ts';

describe('USPS ZIP prefixes by state', () => {
  it.each([
    ['TX', '77001', true],
    ['TX', '78501', true],
    ['TX', '10001', false],
    ['NY', '10001', true],
    ['NY', '06390', true], // Fishers Island, NY uses a Connecticut-range prefix
    ['CT', '06390', true],
    ['CA', '90210', true],
    ['CA', '97201', false],
    ['PR', '00601', true],
    ['DC', '20001', true],
    ['FL', '00000', false],
    ['ZZ', '77001', false],
  ])('%s %s → %s', (state, zip, expected) => {
    expect(isZipPrefixOfState(state, zip)).toBe(expected);
  });

  it('knows the 50 states, DC and the territories, and nothing else', () => {
    const codes = uspsStateCodes();
    for (const s of ['AL', 'AK', 'WY', 'DC', 'PR', 'VI', 'GU']) expect(codes).toContain(s);
    expect(isUspsState('XX')).toBe(false);
    expect(isUspsState('TEXAS')).toBe(false);
    expect(codes.length).toBeGreaterThanOrEqual(51);
    expect(codes.length).toBeLessThan(70);
  });

  it('gives each pair once, as STATE:PREFIX', () => {
    const pairs = zipPrefixPairs();
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toContain('TX:770');
    for (const p of pairs) expect(p).toMatch(/^[A-Z]{2}:\d{3}$/);
  });
});
