// Calendar dates as ISO strings (YYYY-MM-DD): they compare as text and never shift with time zones.

const DAY = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
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
  const d = new Date(Date.UTC(y, Number(dob.slice(5, 7)) - 1, Number(dob.slice(8, 10))));
  return d.toISOString().slice(0, 10);
}

export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

export function maxDate(...dates: (string | null | undefined)[]): string | null {
  let m: string | null = null;
  for (const d of dates) if (d && (m === null || d > m)) m = d;
  return m;
}
