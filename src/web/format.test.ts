import { describe, expect, it } from 'vitest';
import { count, usDate, usDateTime } from './format.ts';

describe('dates for people', () => {
  it.each([
    ['2024-05-31', '05/31/2024'],
    ['2019-10-01', '10/01/2019'],
    [null, '—'],
  ])('calendar date %s shows as %s', (iso, shown) => {
    expect(usDate(iso)).toBe(shown);
  });

  it('a moment shows in US order with the time zone named, across daylight saving', () => {
    const ny = { timeZone: 'America/New_York' };
    expect(usDateTime('2024-01-15T17:05:00Z', ny)).toBe('01/15/2024 12:05 PM EST');
    expect(usDateTime('2024-07-04T13:30:00Z', ny)).toBe('07/04/2024 9:30 AM EDT');
    expect(usDateTime('2024-07-04T13:30:00Z', { timeZone: 'America/Chicago' })).toBe(
      '07/04/2024 8:30 AM CDT',
    );
  });

  it('counts use thousands separators', () => {
    expect(count(448820)).toBe('448,820');
  });
});
