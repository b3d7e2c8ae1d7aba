// Dates as whole days since 1970-01-01 (UTC), and the written forms each source uses.

const DAY_MS = 86_400_000;

export function isoToDay(iso: string): number {
  return Math.floor(Date.parse(iso.slice(0, 10) + 'T00:00:00Z') / DAY_MS);
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
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(us);
  return m ? isoToDay(`${m[3]}-${m[1]}-${m[2]}`) : NaN;
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
