// Dates as whole days since 1970-01-01 (UTC), and the written forms each source uses.

const DAY_MS = 86_400_000;

/** Days since the epoch of a calendar date (Hinnant's days_from_civil), or NaN if there is no such date. */
export function civilToDay(y: number, m: number, d: number): number {
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31) || !Number.isInteger(y + m + d)) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!) return NaN;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** `YYYY-MM-DD` (anything after the date is ignored) to a day, or NaN. */
export function isoToDay(iso: string): number {
  if (iso.length < 10 || iso[4] !== '-' || iso[7] !== '-') return NaN;
  return civilToDay(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

// Written dates are looked up, not formatted: the simulation writes millions of them.
const FIRST_DAY = -25_567; // 1900-01-01
const LAST_DAY = 47_481; // 2099-12-31
let isoTable: string[] | undefined;

export function dayToIso(day: number): string {
  if (day < FIRST_DAY || day > LAST_DAY) return new Date(day * DAY_MS).toISOString().slice(0, 10);
  isoTable ??= Array.from({ length: LAST_DAY - FIRST_DAY + 1 }, (_, i) =>
    new Date((FIRST_DAY + i) * DAY_MS).toISOString().slice(0, 10),
  );
  return isoTable[day - FIRST_DAY]!;
}

/** `MM/DD/YYYY` */
export function dayToUs(day: number): string {
  const iso = dayToIso(day);
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
}

/** Parses `MM/DD/YYYY` to a day, or NaN. */
export function usToDay(us: string): number {
  if (us.length !== 10 || us[2] !== '/' || us[5] !== '/') return NaN;
  return civilToDay(Number(us.slice(6)), Number(us.slice(0, 2)), Number(us.slice(3, 5)));
}

/** `YYYY-MM-DDTHH:MM:SS` from a minute count since the epoch. */
export function minuteToIsoLocal(minute: number): string {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${dayToIso(Math.floor(minute / 1440))}T${two(Math.floor(m / 60))}:${two(m % 60)}:00`;
}

const two = (n: number) => (n < 10 ? '0' : '') + n;

/** `YYYY-MM-DD HH:MM` */
export function minuteToHearing(minute: number): string {
  return minuteToIsoLocal(minute).slice(0, 16).replace('T', ' ');
}

/** Fiscal year N runs from 1 October of N-1 to 30 September of N. */
export function fiscalYear(day: number): number {
  const iso = dayToIso(day);
  const y = Number(iso.slice(0, 4));
  return Number(iso.slice(5, 7)) >= 10 ? y + 1 : y;
}

export function fiscalYearStart(fy: number): number {
  return isoToDay(`${fy - 1}-10-01`);
}

/** The day a person born on `dob` turns `years`. */
export function birthday(dob: number, years: number): number {
  const iso = dayToIso(dob);
  const y = Number(iso.slice(0, 4)) + years;
  const md = iso.slice(5);
  return isoToDay(md === '02-29' ? `${y}-03-01` : `${y}-${md}`);
}
