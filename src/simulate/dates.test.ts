import { describe, expect, it } from 'vitest';
import {
  dayToIso,
  dayToUs,
  fiscalYear,
  isoToDay,
  minuteToHearing,
  minuteToIsoLocal,
  usToDay,
} from './dates.ts';

describe('simulation dates', () => {
  it('round-trips every day from 1918 to 2100 through both written forms', () => {
    for (let d = -19_000; d < 47_000; d += 3) {
      expect(isoToDay(dayToIso(d))).toBe(d);
      expect(usToDay(dayToUs(d))).toBe(d);
    }
  });

  it.each(['2021-02-29', '2021-13-01', '2021-04-31', '2021-00-10', '21-01-01', ''])('rejects %s', (s) => {
    expect(isoToDay(s)).toBeNaN();
  });

  it('writes times and fiscal years as the sources do', () => {
    const day = isoToDay('2020-09-30');
    expect(minuteToIsoLocal(day * 1440 + 13 * 60 + 5)).toBe('2020-09-30T13:05:00');
    expect(minuteToHearing(day * 1440 + 9 * 60)).toBe('2020-09-30 09:00');
    expect(fiscalYear(day)).toBe(2020);
    expect(fiscalYear(day + 1)).toBe(2021);
    expect(usToDay('02/29/2020')).toBe(isoToDay('2020-02-29'));
  });
});
