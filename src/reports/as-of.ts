// The as-of date of a report: an ISO calendar date, checked once at the edge.
import { BridgeError } from '../shared/errors.ts';

export function parseAsOf(value: string | undefined, today: string): string {
  if (value === undefined || value === '') return today;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== value) {
    throw new BridgeError('USAGE', `--as-of must be a date as YYYY-MM-DD, got "${value}"`);
  }
  return value;
}
