import { describe, expect, it } from 'vitest';
import { addDays, birthday, daysBetween, hoursBetween } from './dates.ts';

describe('calendar dates', () => {
  it('adds days across months, years and leap days, forwards and back', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-01-15', 31)).toBe('2024-02-15');
    // The same question again gives the same answer (the conversions are remembered).
    expect(addDays('2024-01-15', 31)).toBe('2024-02-15');
    expect(addDays('2024-01-15', 0)).toBe('2024-01-15');
  });

  it('counts whole days between dates', () => {
    expect(daysBetween('2024-01-01', '2024-03-01')).toBe(60);
    expect(daysBetween('2024-03-01', '2024-01-01')).toBe(-60);
    expect(daysBetween('2023-01-01', '2024-01-01')).toBe(365);
  });

  it('gives the day a person turns an age, 29 February births on 1 March', () => {
    expect(birthday('2006-07-14', 18)).toBe('2024-07-14');
    expect(birthday('2008-02-29', 18)).toBe('2026-03-01');
    expect(birthday('2008-02-29', 16)).toBe('2024-02-29');
  });

  it('measures hours between local timestamps', () => {
    expect(hoursBetween('2024-01-01T10:00:00', '2024-01-04T12:30:00')).toBe(74.5);
  });
});
