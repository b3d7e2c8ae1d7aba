// Calendar dates as ISO strings (YYYY-MM-DD): they compare as text and never shift with time zones.

const DAY = 86_400_000;

// A sweep adds days to dates millions of times over a few thousand distinct dates: both directions
// of the date <-> day number conversion are remembered (bounded, so odd input cannot grow them).
const CACHE_LIMIT = 100_000;
const dayNumbers = new Map<string, number>();
const isoDates = new Map<number, string>();

function dayNumber(date: string): number {
  let n = dayNumbers.get(date);
  if (n === undefined) {
    n = Date.parse(`${date}T00:00:00Z`) / DAY;
    if (dayNumbers.size >= CACHE_LIMIT) dayNumbers.clear();
    dayNumbers.set(date, n);
  }
  return n;
}

function isoDate(day: number): string {
  let s = isoDates.get(day);
  if (s === undefined) {
    s = new Date(day * DAY).toISOString().slice(0, 10);
    if (isoDates.size >= CACHE_LIMIT) isoDates.clear();
    isoDates.set(day, s);
  }
  return s;
}

export function addDays(date: string, days: number): string {
  return isoDate(dayNumber(date) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round(dayNumber(to) - dayNumber(from));
}

/** The date part of an ISO timestamp `YYYY-MM-DDTHH:MM[:SS]`. */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** Hours between two local timestamps of the same zone. */
export function hoursBetween(from: string, to: string): number {
  return (Date.parse(`${to.replace(' ', 'T')}Z`) - Date.parse(`${from.replace(' ', 'T')}Z`)) / 3_600_000;
}

/** The day a person born on `dob` turns `years` (29 February births turn on 1 March). */
export function birthday(dob: string, years: number): string {
  const y = Number(dob.slice(0, 4)) + years;
  return isoDate(Date.UTC(y, Number(dob.slice(5, 7)) - 1, Number(dob.slice(8, 10))) / DAY);
}

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

export function maxDate(...dates: (string | null | undefined)[]): string | null {
  let m: string | null = null;
  for (const d of dates) if (d && (m === null || d > m)) m = d;
  return m;
}
